import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../../../src/core/errors.js";
import {
  defaultDeploymentPolicy,
  type DeploymentPolicy,
} from "../../../src/core/deployments/policy.js";
import {
  deploymentRequestSchema,
  validateDeploymentRequest,
} from "../../../src/core/deployments/schema.js";

const policy: DeploymentPolicy = {
  ...defaultDeploymentPolicy,
  privateRegistries: ["127.0.0.1:5000"],
};
const base = { environmentId: "env_1", image: "127.0.0.1:5000/berth-test/app:v1" };
const MiB = 1024 ** 2;

function refusal(input: Record<string, unknown>, p: DeploymentPolicy = policy): AppError {
  try {
    validateDeploymentRequest({ ...base, ...input }, p);
  } catch (error) {
    if (AppError.is(error, "INVALID_INPUT")) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
}

function expectRefused(input: Record<string, unknown>, field: string, message: RegExp, p = policy) {
  const error = refusal(input, p);
  expect(error.details.field).toBe(field);
  expect(error.message).toMatch(message);
  expect(error.message.startsWith(`${field}: `)).toBe(true);
}

describe("a deployment request", () => {
  it("is normalised with the operator's defaults", () => {
    expect(validateDeploymentRequest(base, policy)).toEqual({
      environmentId: "env_1",
      name: "app",
      image: {
        registry: "127.0.0.1:5000",
        repository: "berth-test/app",
        tag: "v1",
        reference: "127.0.0.1:5000/berth-test/app:v1",
      },
      replicas: 1,
      ports: [],
      env: [],
      resources: {
        nanoCpus: 500_000_000,
        memoryBytes: 256 * MiB,
        reservedNanoCpus: 125_000_000,
        reservedMemoryBytes: 64 * MiB,
      },
      volumes: [],
      capabilities: [],
      user: "65534:65534",
    });
  });

  it("keeps every field it accepts, converted to Docker's units", () => {
    const request = validateDeploymentRequest(
      {
        ...base,
        image: "ghcr.io/owner/web",
        tag: "2.1",
        name: "web",
        replicas: 2,
        ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: "udp" }],
        envVars: { LOG_LEVEL: "info", _X1: "", DB_PASSWORD: { value: "s3cret", secret: true } },
        resources: { cpus: "1.5", memory: "512M" },
        volumes: [
          { name: "data", path: "/var/lib/data" },
          { name: "cfg", path: "/etc/app", readOnly: true },
        ],
        healthcheck: { command: ["/bin/check", "--quick"], interval: "10s", retries: 5 },
        command: ["/usr/bin/web"],
        args: ["--port", "8080", "$(not a shell)"],
        user: "1000:1000",
        capabilities: ["net_bind_service", "CAP_CHOWN"],
        registryAuth: { username: "bot", password: "tok" },
        idempotencyKey: "deploy-42",
      },
      policy,
    );
    expect(request).toEqual({
      environmentId: "env_1",
      name: "web",
      image: {
        registry: "ghcr.io",
        repository: "owner/web",
        tag: "2.1",
        reference: "ghcr.io/owner/web:2.1",
      },
      replicas: 2,
      ports: [
        { containerPort: 8080, protocol: "tcp" },
        { containerPort: 53, protocol: "udp" },
      ],
      env: [
        { name: "LOG_LEVEL", value: "info", secret: false },
        { name: "_X1", value: "", secret: false },
        { name: "DB_PASSWORD", value: "s3cret", secret: true },
      ],
      resources: {
        nanoCpus: 1_500_000_000,
        memoryBytes: 512 * MiB,
        reservedNanoCpus: 375_000_000,
        reservedMemoryBytes: 128 * MiB,
      },
      volumes: [
        { name: "data", path: "/var/lib/data", readOnly: false },
        { name: "cfg", path: "/etc/app", readOnly: true },
      ],
      healthcheck: {
        test: ["CMD", "/bin/check", "--quick"],
        intervalNs: 10e9,
        timeoutNs: 5e9,
        startPeriodNs: 10e9,
        retries: 5,
      },
      command: ["/usr/bin/web"],
      args: ["--port", "8080", "$(not a shell)"],
      user: "1000:1000",
      capabilities: ["CHOWN", "NET_BIND_SERVICE"],
      registryAuth: { username: "bot", password: "tok", serveraddress: "ghcr.io" },
      idempotencyKey: "deploy-42",
    });
  });

  it("defaults to the latest tag, and takes a digest instead of a tag", () => {
    expect(validateDeploymentRequest({ ...base, image: "nginx" }, policy).image.reference).toBe(
      "docker.io/library/nginx:latest",
    );
    const digest = `sha256:${"0f".repeat(32)}`;
    expect(validateDeploymentRequest({ ...base, image: "nginx", digest }, policy).image).toEqual({
      registry: "docker.io",
      repository: "library/nginx",
      digest,
      reference: `docker.io/library/nginx@${digest}`,
    });
    expectRefused({ tag: "v2" }, "tag", /already names a tag/);
  });

  it("refuses a non-object with a 400", () => {
    for (const input of [null, "x", [base], 3]) {
      expect(() => validateDeploymentRequest(input, policy)).toThrow(
        expect.objectContaining({
          code: "INVALID_INPUT",
          details: expect.objectContaining({ field: "request" }),
        }),
      );
    }
  });

  it("names the field and lists every problem", () => {
    const error = refusal({ environmentId: "", replicas: 0, surprise: 1 });
    expect(error.details.issues).toEqual(
      expect.arrayContaining([
        { field: "environmentId", message: expect.any(String) },
        { field: "replicas", message: expect.any(String) },
        { field: "surprise", message: 'unknown field "surprise"; remove it' },
      ]),
    );
  });

  it("is a JSON Schema for the MCP door", () => {
    const schema = z.toJSONSchema(deploymentRequestSchema) as {
      additionalProperties: boolean;
      required: string[];
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["environmentId", "image"]);
  });
});
