// The pieces long-running tools (wait_for_deployment) are built from,
// through the real HTTP door: progress notifications, still_running at the
// deadline, cancellation by notifications/cancelled (which arrives in a
// later POST, at another per-request server) and by hanging up. A test tool
// stands in for the deployment tools, mounted with Berth's own router.
import type { Server } from "node:http";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AuthFailures } from "../../src/http/rate-limits.js";
import { Confirmations } from "../../src/mcp/confirm.js";
import { waitWithProgress } from "../../src/mcp/progress.js";
import { BERTH_TOOLS } from "../../src/mcp/tools/index.js";
import { defineTool } from "../../src/mcp/tools/tool.js";
import { mcpRoutes } from "../../src/mcp/transport.js";
import {
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";
import { waitFor } from "../helpers/wait.js";
import { fails, ok, withKey } from "./helpers.js";

let t: TestBerth;
let alice: TestUser;
let server: Server;
let url: string;
let clock = Date.now();
/** How each wait_for_test call ended, by its label. */
const outcomes = new Map<string, string>();

const waitTool = defineTool({
  name: "wait_for_test",
  title: "Wait (test)",
  description: "Waits until `steps` observations were made, like wait_for_deployment does.",
  scope: null,
  input: z.strictObject({
    label: z.string(),
    steps: z.number().int().optional(),
    max_wait_ms: z.number().int().optional(),
  }),
  output: z.object({ outcome: z.string(), seen: z.number().nullable() }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: async ({ label, steps, max_wait_ms }, { signal, progress }) => {
    let seen = 0;
    const result = await waitWithProgress({
      signal,
      progress,
      intervalMs: 20,
      maxWaitMs: max_wait_ms,
      observe: () => {
        seen += 1;
        const done = steps !== undefined && seen >= steps;
        return Promise.resolve({ done, value: seen, message: `step ${seen}` });
      },
    });
    outcomes.set(label, result.outcome);
    return { outcome: result.outcome, seen: result.value };
  },
});

beforeAll(async () => {
  t = await startTestBerth();
  alice = await createUserWithKey(t);
  const app = express();
  app.use(
    mcpRoutes(t.ctx, {
      failures: new AuthFailures(t.ctx),
      limiter: (_req, _res, next) => next(),
      tools: [...BERTH_TOOLS, waitTool],
      confirmations: new Confirmations(undefined, () => clock),
    }),
  );
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await t.close();
});

describe("progress", () => {
  let client: Client;
  beforeAll(async () => {
    client = await withKey(url, alice.key);
  });
  afterAll(() => client.close());

  it("sends notifications/progress when the call carries a progress token", async () => {
    const seen: { progress: number; message?: string }[] = [];
    const result = (await client.callTool(
      { name: "wait_for_test", arguments: { label: "progress", steps: 3 } },
      undefined,
      { onprogress: (p) => seen.push({ progress: p.progress, message: p.message }) },
    )) as CallToolResult;
    expect(result.structuredContent).toEqual({ outcome: "done", seen: 3 });
    expect(seen).toEqual([
      { progress: 1, message: "step 1" },
      { progress: 2, message: "step 2" },
      { progress: 3, message: "step 3" },
    ]);
  });

  it("answers still_running at its deadline instead of holding the request", async () => {
    const { data } = await ok<{ outcome: string; seen: number }>(client, "wait_for_test", {
      label: "deadline",
      max_wait_ms: 100,
    });
    expect(data.outcome).toBe("still_running");
    expect(data.seen).toBeGreaterThan(0);
  });
});

describe("cancellation", () => {
  it("stops the work when the client cancels (notifications/cancelled in a later POST)", async () => {
    const client = await withKey(url, alice.key);
    const controller = new AbortController();
    const call = client.callTool(
      { name: "wait_for_test", arguments: { label: "cancelled" } },
      undefined,
      {
        signal: controller.signal,
        onprogress: () => controller.abort("the user changed their mind"),
      },
    );
    await expect(call).rejects.toThrow();
    // Only the cancellation can end it this early: its deadline is 45 s away.
    await waitFor(() => outcomes.get("cancelled") === "cancelled", { timeoutMs: 20_000 });
    await client.close();
  });

  it("stops the work when the client hangs up", async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/mcp`, {
      method: "POST",
      signal: controller.signal,
      headers: {
        "x-api-key": alice.key,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "wait_for_test", arguments: { label: "hung-up" } },
      }),
    });
    expect(res.status).toBe(200);
    controller.abort();
    await waitFor(() => outcomes.get("hung-up") === "cancelled", { timeoutMs: 20_000 });
  });

  it("lets a cancellation reach only the same key's requests", async () => {
    const bob = await createUserWithKey(t);
    const aliceClient = await withKey(url, alice.key);
    // Bob names the same JSON-RPC id while Alice's call runs (initialize took 0, the call has 1).
    let bobsCancel: Promise<Response> | undefined;
    const cancelAsBob = () =>
      fetch(`${url}/mcp`, {
        method: "POST",
        headers: {
          "x-api-key": bob.key,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: 1, reason: "not yours" },
        }),
      });
    const result = (await aliceClient.callTool(
      { name: "wait_for_test", arguments: { label: "not-bobs", max_wait_ms: 3000 } },
      undefined,
      {
        onprogress: () => {
          bobsCancel ??= cancelAsBob();
        },
      },
    )) as CallToolResult;
    expect((await bobsCancel!).status).toBe(202);
    expect(result.structuredContent).toMatchObject({ outcome: "still_running" });
    await aliceClient.close();
  });
});

describe("confirmation tokens over HTTP", () => {
  it("refuses a token once its two minutes are over, and removes nothing", async () => {
    // A row is enough to confirm against (no Docker object is involved).
    const env = await t.ctx.db.environment.create({
      data: {
        name: "old",
        slug: "old-abcdef",
        networkName: "berth-old-abcdef",
        ownerId: alice.userId,
        status: "FAILED",
      },
    });
    const client = await withKey(url, alice.key);
    const preview = await ok<{ confirmation_token: string; expires_at: string }>(
      client,
      "delete_environment",
      { environment_id: env.id },
    );
    clock = new Date(preview.data.expires_at).getTime() + 1;
    const refused = await fails(client, "delete_environment", {
      environment_id: env.id,
      confirmation_token: preview.data.confirmation_token,
    });
    expect(refused.text).toMatch(/has expired/);
    expect((await t.ctx.db.environment.findUnique({ where: { id: env.id } }))?.status).toBe(
      "FAILED",
    );
    await t.ctx.db.environment.delete({ where: { id: env.id } });
    await client.close();
  });
});
