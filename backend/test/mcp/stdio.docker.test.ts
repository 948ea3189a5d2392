// The stdio bridge (berth-mcp) as an assistant runs it: a child process
// driven over stdin/stdout by the SDK's StdioClientTransport, forwarding to
// a real Berth, through the whole environment flow.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpointOf } from "../../src/mcp/stdio.js";
import {
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";
import { waitFor } from "../helpers/wait.js";
import { fails, ok } from "./helpers.js";

const ROOT = join(import.meta.dirname, "../../..");
const BRIDGE = join(ROOT, "backend/src/mcp/stdio.ts");

let t: TestBerth;
let alice: TestUser;

beforeAll(async () => {
  t = await startTestBerth();
  alice = await createUserWithKey(t);
});
afterAll(() => t.close());

function bridge(env: Record<string, string>) {
  return new StdioClientTransport({
    command: process.execPath,
    args: ["--import", "tsx", BRIDGE],
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
}

async function connect(key: string, url = t.url) {
  const client = new Client({ name: "berth-stdio-test", version: "1.0.0" });
  const transport = bridge({ BERTH_URL: url, BERTH_API_KEY: key });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

describe("berth-mcp (stdio bridge)", () => {
  it("drives the environment flow end to end", async () => {
    const { client } = await connect(alice.key, `${t.url}/mcp/`);
    try {
      expect(client.getServerVersion()?.name).toBe("berth");
      expect(client.getInstructions()).toMatch(/confirmation_token/);
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toContain("delete_environment");
      expect((await ok<{ user: { id: string } }>(client, "whoami")).data.user.id).toBe(
        alice.userId,
      );

      const created = await ok<{ environment: { id: string; networkName: string } }>(
        client,
        "create_environment",
        { name: "bridged" },
      );
      const env = created.data.environment;
      const net = await t.ctx.engine.docker.getNetwork(env.networkName).inspect();
      expect(net.Labels).toMatchObject({ "berth.environment": env.id });
      const again = await ok<{ created: boolean }>(client, "create_environment", {
        name: "bridged",
      });
      expect(again.data.created).toBe(false);
      const list = await ok<{ environments: { id: string }[] }>(client, "list_environments");
      expect(list.data.environments.map((e) => e.id)).toEqual([env.id]);

      const preview = await ok<{ confirmation_token: string }>(client, "delete_environment", {
        environment_id: env.id,
      });
      await ok(client, "delete_environment", {
        environment_id: env.id,
        confirmation_token: preview.data.confirmation_token,
      });
      await waitFor(
        async () =>
          (await fails(client, "get_environment", { environment_id: env.id })).error.code ===
          "NOT_FOUND",
        { timeoutMs: 90_000 },
      );
      await expect(t.ctx.engine.docker.getNetwork(env.networkName).inspect()).rejects.toThrow();
    } finally {
      await client.close();
    }
  });

  it("answers with a clear error, not a hang, when Berth refuses the key", async () => {
    const client = new Client({ name: "berth-stdio-test", version: "1.0.0" });
    const transport = bridge({ BERTH_URL: t.url, BERTH_API_KEY: "berth_wrong" });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await expect(client.connect(transport)).rejects.toThrow(/refused the API key \(HTTP 401\)/);
    await client.close();
    expect(stderr).toMatch(/BERTH_API_KEY/);
    expect(stderr).not.toContain("berth_wrong");
  });

  it("stops with a message when it is not configured", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", BRIDGE], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "" },
      input: "",
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/set BERTH_URL .* and BERTH_API_KEY/);
    expect(run.stdout).toBe("");
  });

  it("takes Berth's base URL or the /mcp endpoint", () => {
    expect(endpointOf("https://berth.example.org").href).toBe("https://berth.example.org/mcp");
    expect(endpointOf("https://berth.example.org/").href).toBe("https://berth.example.org/mcp");
    expect(endpointOf("https://x.example/berth/mcp/").href).toBe("https://x.example/berth/mcp");
    expect(endpointOf("http://127.0.0.1:3000/base").href).toBe("http://127.0.0.1:3000/base/mcp");
  });

  it("is the package's berth-mcp bin once built", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    const built = pkg.bin["berth-mcp"]!;
    expect(built.replace(/^dist\//, "backend/src/").replace(/\.js$/, ".ts")).toBe(
      "backend/src/mcp/stdio.ts",
    );
    expect(readFileSync(BRIDGE, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});
