// Rate limits with standard headers: per key on the API, per IP on failed
// authentication (recorded as a burst) and on magic-link pages, and client
// addresses taken from X-Forwarded-For only through the configured hops.
import { afterAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestBerth, type TestBerth } from "../helpers/berth.js";

const started: TestBerth[] = [];
afterAll(() => Promise.all(started.map((t) => t.close())));

async function berth(overrides: Record<string, string>) {
  const t = await startTestBerth(overrides);
  started.push(t);
  return t;
}

describe("rate limits", () => {
  it("limits each key, answering 429 with RateLimit headers and Retry-After", async () => {
    const t = await berth({ RATE_LIMIT_API_PER_MINUTE: "3" });
    const a = await createUserWithKey(t);
    const b = await createUserWithKey(t);
    const first = await call(`${t.url}/auth/whoami`, { key: a.key });
    expect(first.headers.get("ratelimit-policy")).toBe("3;w=60");
    expect(first.headers.get("ratelimit")).toMatch(/^limit=3, remaining=2, reset=\d+$/);
    await call(`${t.url}/auth/whoami`, { key: a.key });
    await call(`${t.url}/auth/whoami`, { key: a.key });
    const limited = await call(`${t.url}/auth/whoami`, { key: a.key });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another key of the same client is counted on its own.
    expect((await call(`${t.url}/auth/whoami`, { key: b.key })).status).toBe(200);
  });

  it("counts a key's REST and MCP requests in one budget", async () => {
    const t = await berth({ RATE_LIMIT_API_PER_MINUTE: "2" });
    const a = await createUserWithKey(t);
    expect((await call(`${t.url}/auth/whoami`, { key: a.key })).status).toBe(200);
    const mcp = await fetch(`${t.url}/mcp`, {
      method: "POST",
      headers: {
        "x-api-key": a.key,
        accept: "application/json, text/event-stream",
        "content-type": "application/json",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    await mcp.body?.cancel();
    expect(mcp.headers.get("ratelimit")).toMatch(/^limit=2, remaining=0, reset=\d+$/);
    const limited = await call(`${t.url}/auth/whoami`, { key: a.key });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: "RATE_LIMITED" } });
  });

  it("limits failed authentications per IP and records the burst once", async () => {
    const t = await berth({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: "3" });
    const good = await createUserWithKey(t);
    for (let i = 0; i < 3; i++) {
      expect((await call(`${t.url}/auth/whoami`, { key: "berth_bad" })).status).toBe(401);
    }
    for (let i = 0; i < 3; i++) {
      const blocked = await call(`${t.url}/auth/whoami`, { key: "berth_bad" });
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get("retry-after")).toBeTruthy();
    }
    // The IP is locked out for the window, valid key or not.
    expect((await call(`${t.url}/auth/whoami`, { key: good.key })).status).toBe(429);
    await new Promise((r) => setTimeout(r, 100));
    const bursts = await t.ctx.db.auditEvent.findMany({ where: { action: "auth.failure_burst" } });
    expect(bursts).toHaveLength(1);
    expect(bursts[0]).toMatchObject({ ip: "127.0.0.1" });
  });

  it("does not let successes count as failures", async () => {
    const t = await berth({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: "2" });
    const good = await createUserWithKey(t);
    for (let i = 0; i < 6; i++) {
      expect((await call(`${t.url}/auth/whoami`, { key: good.key })).status).toBe(200);
    }
  });

  it("limits magic-link pages per IP", async () => {
    const t = await berth({ RATE_LIMIT_VERIFY_PER_MINUTE: "2" });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${t.url}/auth/verify?token=x`)).status);
    expect(statuses).toEqual([404, 404, 429]);
  });

  it("ignores X-Forwarded-For without a trusted proxy, honours it through one hop", async () => {
    const direct = await berth({ RATE_LIMIT_VERIFY_PER_MINUTE: "1" });
    const spoof = (t: TestBerth, ip: string) =>
      fetch(`${t.url}/auth/verify?token=x`, { headers: { "x-forwarded-for": ip } });
    expect((await spoof(direct, "10.0.0.1")).status).toBe(404);
    expect((await spoof(direct, "10.0.0.2")).status).toBe(429);

    const proxied = await berth({ RATE_LIMIT_VERIFY_PER_MINUTE: "1", TRUST_PROXY_HOPS: "1" });
    expect((await spoof(proxied, "10.0.0.1")).status).toBe(404);
    expect((await spoof(proxied, "10.0.0.2")).status).toBe(404);
    expect((await spoof(proxied, "10.0.0.1")).status).toBe(429);
  });
});
