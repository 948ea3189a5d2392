import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseImageReference } from "../../../src/core/deployments/image-reference.js";
import { maskedEnv, requestToRow, rowToRequest } from "../../../src/core/deployments/record.js";
import { redactSecrets } from "../../../src/core/deployments/redact.js";
import { seal, unseal } from "../../../src/core/deployments/sealed.js";
import type { DeploymentRequest } from "../../../src/core/deployments/normalize.js";

const key = randomBytes(32).toString("hex");

describe("sealed values", () => {
  it("round-trip, differ every time, and refuse another key or a changed byte", () => {
    const a = seal(key, "s3cret");
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(seal(key, "s3cret")).not.toBe(a);
    expect(unseal(key, a)).toBe("s3cret");
    expect(() => unseal(randomBytes(32).toString("hex"), a)).toThrow(/ENCRYPTION_KEY/);
    const tampered = a.slice(0, -2) + (a.endsWith("A") ? "BB" : "AA");
    expect(() => unseal(key, tampered)).toThrow();
  });
});

describe("a stored request", () => {
  const image = parseImageReference("127.0.0.1:5000/berth-test/app:v1");
  if (!image.ok) throw new Error("bad test image");
  const request: DeploymentRequest = {
    environmentId: "e",
    name: "web",
    image: image.value,
    replicas: 2,
    ports: [{ containerPort: 8080, protocol: "tcp" }],
    env: [
      { name: "MODE", value: "serve", secret: false },
      { name: "TOKEN", value: "top-secret", secret: true },
    ],
    resources: { nanoCpus: 5e8, memoryBytes: 2 ** 28, reservedNanoCpus: 1, reservedMemoryBytes: 1 },
    volumes: [],
    capabilities: ["NET_BIND_SERVICE"],
    user: "1000:1000",
    registryAuth: { username: "u", password: "p4ss", serveraddress: "127.0.0.1:5000" },
  };

  it("keeps no secret in the clear and comes back exactly", () => {
    const row = requestToRow(key, request);
    expect(JSON.stringify(row)).not.toMatch(/top-secret|p4ss|"serve"/);
    const back = rowToRequest(key, {
      ...row,
      environmentId: "e",
      digest: null,
      healthcheck: null,
    } as never);
    expect(back).toEqual(request);
    expect(maskedEnv(row as never)).toEqual([
      { name: "MODE", secret: false, value: "••••••" },
      { name: "TOKEN", secret: true, value: "••••••" },
    ]);
  });

  it("redacts secret values (and secret-looking names) from log text", () => {
    const env = [
      ...request.env,
      { name: "DB_PASSWORD", value: "pw-value", secret: false },
      { name: "X", value: "ab", secret: true },
    ];
    expect(redactSecrets("token=top-secret pw=pw-value mode=serve ab", env)).toBe(
      "token=[redacted] pw=[redacted] mode=serve ab",
    );
  });
});
