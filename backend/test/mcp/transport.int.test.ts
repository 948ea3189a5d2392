// The MCP door's HTTP edge against a real Berth: the key before anything
// else, Origin and Host checks, 405s, tools listed per scope, instructions,
// errors an agent can act on, and no secret in output or logs.
import { request } from "node:http";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";
import { connectClient, fails, ok } from "./helpers.js";

let t: TestBerth;
let alice: TestUser;
const clients: Client[] = [];

beforeAll(async () => {
  t = await startTestBerth({
    MCP_ALLOWED_ORIGINS: "https://agents.example.org",
    MCP_ALLOWED_HOSTS: "berth.internal",
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: "12",
    TRUST_PROXY_HOPS: "1",
  });
  alice = await createUserWithKey(t);
});
afterAll(async () => {
  for (const client of clients) await client.close();
  await t.close();
});

async function client(headers: Record<string, string>) {
  const c = await connectClient(t.url, headers);
  clients.push(c);
  return c;
}

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "1.0.0" },
  },
};

/** A raw HTTP exchange with /mcp; node:http, so that any Host can be sent. */
function raw(
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/mcp",
        method: init.method ?? "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...init.headers,
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(
      init.body ?? (init.method && init.method !== "POST" ? undefined : JSON.stringify(INITIALIZE)),
    );
  });
}

describe("authentication", () => {
  it("answers 401 before any MCP processing without a key or with a bad one", async () => {
    for (const headers of [
      {} as Record<string, string>,
      { "x-api-key": "berth_nope" },
      { "x-api-key": alice.key.slice(0, -1) },
      { authorization: `Basic ${alice.key}` },
    ]) {
      const answer = await raw({ headers });
      expect(answer.status).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe('Bearer realm="berth"');
      expect(JSON.parse(answer.body)).toMatchObject({
        jsonrpc: "2.0",
        error: { code: -32000, data: { code: "UNAUTHORIZED" } },
        id: null,
      });
    }
    // Plain fetch agrees (no MCP client involved at all).
    const res = await fetch(`${t.url}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(INITIALIZE),
    });
    expect(res.status).toBe(401);
  });

  it("accepts the key as X-API-Key or Authorization: Bearer", async () => {
    const ways: Record<string, string>[] = [
      { "X-API-Key": alice.key },
      { Authorization: `Bearer ${alice.key}` },
    ];
    for (const headers of ways) {
      const c = await client(headers);
      const { data } = await ok<{ user: { id: string } }>(c, "whoami");
      expect(data.user.id).toBe(alice.userId);
    }
  });

  it("shares the failed-authentication budget with the REST door", async () => {
    // Another client address (TRUST_PROXY_HOPS=1), so the lock-out stays its own.
    const from = { "x-forwarded-for": "203.0.113.7" };
    for (let i = 0; i < 6; i++) {
      const rest = await fetch(`${t.url}/auth/whoami`, {
        headers: { ...from, "x-api-key": "bad" },
      });
      expect(rest.status).toBe(401);
    }
    for (let i = 0; i < 6; i++) expect((await raw({ headers: from })).status).toBe(401);
    const locked = await raw({ headers: { ...from, "x-api-key": alice.key } });
    expect(locked.status).toBe(429);
    expect(locked.headers["retry-after"]).toEqual(expect.any(String));
  });
});

describe("Origin and Host", () => {
  it("refuses a foreign Origin with 403 and accepts PUBLIC_URL's and the configured ones", async () => {
    for (const origin of ["https://evil.example", "null", "http://127.0.0.1:1"]) {
      const answer = await raw({ headers: { origin, "x-api-key": alice.key } });
      expect(answer.status, origin).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { message: "Origin not allowed" } });
    }
    for (const origin of [new URL(t.url).origin, "https://agents.example.org"]) {
      const c = await client({ "X-API-Key": alice.key, Origin: origin });
      expect((await ok(c, "whoami")).data).toBeTruthy();
    }
  });

  it("answers CORS preflights from allowed origins only", async () => {
    const preflight = (origin: string) =>
      raw({
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type, x-api-key",
        },
      });
    const allowed = await preflight("https://agents.example.org");
    expect(allowed.status).toBe(204);
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://agents.example.org");
    expect(allowed.headers["access-control-allow-headers"]).toMatch(/X-API-Key/);
    expect((await preflight("https://evil.example")).status).toBe(403);
    const post = await raw({ headers: { origin: "https://agents.example.org" } });
    expect(post.status).toBe(401);
    expect(post.headers["access-control-allow-origin"]).toBe("https://agents.example.org");
    expect(post.headers["access-control-expose-headers"]).toMatch(/WWW-Authenticate/);
  });

  it("refuses a Host that is not Berth's (DNS rebinding) before looking at the key", async () => {
    for (const host of ["evil.example", "evil.example:3000", "127.0.0.1.nip.io"]) {
      const answer = await raw({ headers: { host, "x-api-key": alice.key } });
      expect(answer.status, host).toBe(403);
      expect(answer.body).toMatch(/Invalid Host/);
    }
    // Loopback names and the configured host pass the guard (and reach authentication).
    for (const host of ["localhost:1234", "berth.internal", "[::1]:80"]) {
      expect((await raw({ headers: { host } })).status, host).toBe(401);
    }
  });
});

describe("HTTP methods and malformed requests", () => {
  it("answers GET and DELETE with 405 (stateless: no stream, no session)", async () => {
    for (const method of ["GET", "DELETE", "PUT"]) {
      const answer = await raw({ method, headers: { "x-api-key": alice.key } });
      expect(answer.status, method).toBe(405);
      expect(answer.headers.allow).toBe("POST");
    }
  });

  it("answers a body that is not JSON with a JSON-RPC parse error", async () => {
    const answer = await raw({ headers: { "x-api-key": alice.key }, body: "{nope" });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: -32700 } });
  });

  it("keeps no session: no session id, and a call without initialize works", async () => {
    const init = await raw({ headers: { "x-api-key": alice.key } });
    expect(init.status).toBe(200);
    expect(init.headers["mcp-session-id"]).toBeUndefined();
    const call = await raw({
      headers: { "x-api-key": alice.key },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "whoami", arguments: {} },
      }),
    });
    expect(call.status).toBe(200);
    expect(call.body).toContain(alice.userId);
  });
});

describe("tools per scope", () => {
  const names = async (c: Client) => (await c.listTools()).tools.map((tool) => tool.name).sort();

  it("lists only read tools for a key with only environments:read", async () => {
    const reader = await createUserWithKey(t, { scopes: ["environments:read"] });
    const c = await client({ "X-API-Key": reader.key });
    expect(await names(c)).toEqual([
      "get_environment",
      "get_public_status",
      "list_environments",
      "whoami",
    ]);
    const unlisted = await fails(c, "delete_environment", { environment_id: "x" });
    expect(unlisted.text).toMatch(/not found/);
    const instructions = c.getInstructions() ?? "";
    expect(instructions).toMatch(/next_cursor/);
    expect(instructions).not.toMatch(/confirmation_token/);
  });

  it("lists every tool for full keys and admins, only what a narrow key allows", async () => {
    const all = [
      "create_deployment",
      "create_environment",
      "delete_deployment",
      "delete_environment",
      "get_deployment_logs",
      "get_deployment_status",
      "get_environment",
      "get_public_status",
      "list_deployments",
      "list_environments",
      "make_environment_public",
      "rollback_deployment",
      "scale_deployment",
      "unpublish_environment",
      "wait_for_deployment",
      "whoami",
    ];
    expect(await names(await client({ "X-API-Key": alice.key }))).toEqual(all);
    const admin = await createUserWithKey(t, { role: "ADMIN", scopes: ["admin"] });
    expect(await names(await client({ "X-API-Key": admin.key }))).toEqual(all);
    const logs = await createUserWithKey(t, { scopes: ["logs:read"] });
    expect(await names(await client({ "X-API-Key": logs.key }))).toEqual([
      "get_deployment_logs",
      "whoami",
    ]);
  });

  it("describes every tool with hints, an input schema and an output schema", async () => {
    const { tools } = await (await client({ "X-API-Key": alice.key })).listTools();
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(40);
      expect(tool.outputSchema, tool.name).toMatchObject({ type: "object" });
      expect(Object.keys(tool.annotations ?? {}).sort(), tool.name).toEqual([
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
        "readOnlyHint",
        "title",
      ]);
    }
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(byName.delete_environment!.annotations).toMatchObject({ destructiveHint: true });
    expect(byName.list_environments!.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.list_environments!.inputSchema).toMatchObject({
      properties: { cursor: { type: "string" }, limit: { maximum: 100 } },
    });
    expect(byName.list_environments!.inputSchema.required ?? []).toEqual([]);
  });
});

describe("answers", () => {
  it("whoami shows the key's id and scopes, never the key", async () => {
    const c = await client({ "X-API-Key": alice.key });
    const { data, result } = await ok<{ key: { keyId: string; scopes: string[] } }>(c, "whoami");
    expect(data.key.keyId).toBe(alice.keyId);
    expect(data.key.scopes).toContain("environments:write");
    expect(JSON.stringify(result)).not.toContain(alice.key.slice(-20));
  });

  it("turns invalid arguments and refusals into isError results that say what to do", async () => {
    const c = await client({ "X-API-Key": alice.key });
    const invalid = await fails(c, "list_environments", { limit: 1000 });
    expect(invalid.text).toMatch(/limit/);
    const limited = await createUserWithKey(t, {
      userId: alice.userId,
      environmentIds: ["0190aaaa-0000-7000-8000-000000000000"],
    });
    const refused = await fails(await client({ "X-API-Key": limited.key }), "create_environment", {
      name: "web",
    });
    expect(refused.error.code).toBe("FORBIDDEN");
    expect(refused.text).toMatch(/Do not retry/);
  });

  it("does not hand back an environment that is being deleted as if it were new", async () => {
    await t.ctx.db.environment.create({
      data: {
        name: "going",
        slug: "going-abcdef",
        networkName: "berth-going-abcdef",
        ownerId: alice.userId,
        status: "DELETING",
      },
    });
    const c = await client({ "X-API-Key": alice.key });
    const failure = await fails(c, "create_environment", { name: "going" });
    expect(failure.error).toMatchObject({ code: "CONFLICT", details: { field: "name" } });
    expect(failure.text).toMatch(/is being deleted; wait until get_environment answers not found/);
  });

  it("states the limits in the server instructions", async () => {
    const c = await client({ "X-API-Key": alice.key });
    const instructions = c.getInstructions() ?? "";
    expect(instructions).toMatch(/at most 10 environments per user/);
    expect(instructions).toMatch(/confirmation_token/);
    expect(c.getServerVersion()).toMatchObject({ name: "berth", version: "0.1.0" });
  });

  it("never logs a key", () => {
    expect(t.logs.text).toContain('"path":"/mcp"');
    expect(t.logs.text).not.toContain(alice.key.slice(-20));
  });
});
