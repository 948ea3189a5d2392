// The deployment tools through the real MCP SDK client over Streamable HTTP,
// against a running Berth with real PostgreSQL and Docker: deploy from the
// local registry, wait with progress notifications, status, logs (capped,
// framed, truncation with a noisy image), scale, roll back, two-phase
// delete, another user's ids, scopes.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserWithKey, startTestBerth, type TestBerth } from "../helpers/berth.js";
import { APP } from "../helpers/deploy.js";
import { fails, ok, withKey } from "./helpers.js";

let t: TestBerth;
let agent: Client;
let stranger: Client;
let envId = "";

interface Accepted {
  deployment_id: string;
  job_id: string;
  status: string;
  next_step: string;
}
interface Waited {
  outcome: string;
  deployment: { status: string; replicas: number; tag: string; errorMessage: string | null } | null;
}

beforeAll(async () => {
  t = await startTestBerth({ DEPLOY_WATCH_WINDOW: "1s" });
  const owner = await createUserWithKey(t);
  const other = await createUserWithKey(t);
  agent = await withKey(t.url, owner.key);
  stranger = await withKey(t.url, other.key);
  const env = await ok<{ environment: { id: string } }>(agent, "create_environment", {
    name: "agents",
  });
  envId = env.data.environment.id;
});
afterAll(async () => {
  await agent.close();
  await stranger.close();
  await t.close();
});

/** wait_for_deployment until a final state, collecting progress notifications. */
async function waitDone(id: string, progress: string[] = []): Promise<Waited> {
  for (let i = 0; i < 10; i++) {
    const result: CallToolResult = await agent.request(
      {
        method: "tools/call",
        params: { name: "wait_for_deployment", arguments: { deployment_id: id } },
      },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p.message ?? ""), timeout: 60_000 },
    );
    const waited = result.structuredContent as unknown as Waited;
    if (waited.outcome === "done") return waited;
  }
  throw new Error("never finished");
}

describe("deploying through MCP", () => {
  let first = "";

  it("lists the deployment tools for a deploying key", async () => {
    const { tools } = await agent.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining([
        "create_deployment",
        "wait_for_deployment",
        "get_deployment_status",
        "list_deployments",
        "get_deployment_logs",
        "scale_deployment",
        "rollback_deployment",
        "delete_deployment",
      ]),
    );
  });

  it("creates a deployment at once, then waits for RUNNING with progress", async () => {
    const created = await ok<Accepted>(agent, "create_deployment", {
      environmentId: envId,
      image: APP,
      tag: "v1",
      name: "web",
      envVars: {
        MODE: "noisy",
        NOISY_LINES: "3000",
        TOKEN: { value: "mcp-secret-token", secret: true },
        ECHO_ENV: "TOKEN",
      },
      idempotencyKey: "mcp-1",
    });
    expect(created.data).toMatchObject({
      status: "PENDING",
      next_step: expect.stringContaining("wait_for_deployment"),
    });
    first = created.data.deployment_id;
    const again = await ok<Accepted>(agent, "create_deployment", {
      environmentId: envId,
      image: APP,
      tag: "v1",
      name: "web",
      idempotencyKey: "mcp-1",
    });
    expect(again.data.deployment_id).toBe(first);
    const progress: string[] = [];
    const waited = await waitDone(first, progress);
    expect(waited.deployment?.status).toBe("RUNNING");
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.join("\n")).toMatch(/PULLING_IMAGE|STARTING_CONTAINERS|RUNNING/);
  });

  it("shows status with containers and masked env vars", async () => {
    const status = await ok<{
      deployment: { status: string; containers: unknown[]; envVars: { value: string }[] };
    }>(agent, "get_deployment_status", { deployment_id: first });
    expect(status.data.deployment.status).toBe("RUNNING");
    expect(status.data.deployment.containers).toHaveLength(1);
    expect(status.data.deployment.envVars.every((e) => e.value === "••••••")).toBe(true);
    expect(JSON.stringify(status.result)).not.toContain("mcp-secret-token");
  });

  it("reads logs framed as untrusted, capped with truncated and a cursor, secrets redacted", async () => {
    const logs = await ok<{
      logs: string;
      lines: number;
      truncated: boolean;
      next_cursor: string | null;
    }>(agent, "get_deployment_logs", { deployment_id: first, tail: 1000 });
    expect(logs.data.logs).toMatch(
      /^The text between the [0-9a-f]{12} markers is the deployment's log output/,
    );
    expect(logs.data.logs.length).toBeLessThan(21_000);
    expect(logs.data.truncated).toBe(true);
    expect(logs.data.next_cursor).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const older = await ok<{ logs: string }>(agent, "get_deployment_logs", {
      deployment_id: first,
      tail: 100,
      cursor: logs.data.next_cursor,
    });
    expect(older.data.logs).toContain("noise line");
    const all = await ok<{ logs: string }>(agent, "get_deployment_logs", {
      deployment_id: first,
      tail: 10,
    });
    expect(all.data.logs).toContain("listening on 8080");
    expect(JSON.stringify([logs.result, older.result])).not.toContain("mcp-secret-token");
  });

  it("scales, updates and rolls back", async () => {
    const scaled = await ok<Accepted>(agent, "scale_deployment", {
      deployment_id: first,
      replicas: 2,
    });
    expect((await waitDone(scaled.data.deployment_id)).deployment).toMatchObject({
      status: "RUNNING",
      replicas: 2,
    });
    const v2 = await ok<Accepted>(agent, "create_deployment", {
      environmentId: envId,
      image: APP,
      tag: "v2",
      name: "web",
      replicas: 2,
    });
    expect((await waitDone(v2.data.deployment_id)).deployment).toMatchObject({
      status: "RUNNING",
      tag: "v2",
    });
    const back = await ok<Accepted>(agent, "rollback_deployment", {
      deployment_id: v2.data.deployment_id,
    });
    expect((await waitDone(back.data.deployment_id)).deployment).toMatchObject({
      status: "RUNNING",
      tag: "v1",
    });
    const listed = await ok<{ deployments: { kind: string }[] }>(agent, "list_deployments", {
      environment_id: envId,
    });
    expect(listed.data.deployments.map((d) => d.kind)).toEqual([
      "ROLLBACK",
      "UPDATE",
      "SCALE",
      "CREATE",
    ]);
  });

  it("answers another user's ids as not found", async () => {
    for (const [name, args] of [
      ["get_deployment_status", { deployment_id: first }],
      ["get_deployment_logs", { deployment_id: first }],
      ["scale_deployment", { deployment_id: first, replicas: 1 }],
      ["delete_deployment", { deployment_id: first }],
      ["list_deployments", { environment_id: envId }],
    ] as const) {
      const failure = await fails(stranger, name, args);
      expect(failure.error.code, name).toBe("NOT_FOUND");
    }
    const deploy = await fails(stranger, "create_deployment", { environmentId: envId, image: APP });
    expect(deploy.error.code).toBe("NOT_FOUND");
  });

  it("refuses bad input with a next step, before anything happens", async () => {
    const failure = await fails(agent, "create_deployment", {
      environmentId: envId,
      image: APP,
      privileged: true,
    });
    expect(failure.text).toMatch(/privileged/);
  });

  it("deletes in two phases", async () => {
    const current = await ok<{ deployments: { id: string; status: string }[] }>(
      agent,
      "list_deployments",
      { environment_id: envId },
    );
    const running = current.data.deployments.find((d) => d.status === "RUNNING")!;
    const preview = await ok<{ status: string; confirmation_token: string; will_remove: string }>(
      agent,
      "delete_deployment",
      {
        deployment_id: running.id,
      },
    );
    expect(preview.data).toMatchObject({
      status: "confirmation_required",
      will_remove: expect.stringContaining("web"),
    });
    const still = await ok<{ deployment: { status: string } }>(agent, "get_deployment_status", {
      deployment_id: running.id,
    });
    expect(still.data.deployment.status).toBe("RUNNING");
    const forged = await fails(agent, "delete_deployment", {
      deployment_id: running.id,
      confirmation_token: "1.abc",
    });
    expect(forged.error.details).toMatchObject({ field: "confirmation_token" });
    await ok(agent, "delete_deployment", {
      deployment_id: running.id,
      confirmation_token: preview.data.confirmation_token,
    });
    expect((await waitDone(running.id)).deployment?.status).toBe("REMOVED");
  });
});

describe("scopes", () => {
  it("hide the deployment tools from a key without them", async () => {
    const reader = await createUserWithKey(t, { scopes: ["environments:read"] });
    const client = await withKey(t.url, reader.key);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).filter((n) => n.includes("deployment"))).toEqual([]);
    await client.close();
  });
});
