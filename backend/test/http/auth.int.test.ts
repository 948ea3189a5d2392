// Identity through the REST door, against a real Berth and PostgreSQL:
// every 401/403 path, scopes per endpoint, minting rules, revocation and
// expiry taking effect on the next request, audit rows, no secret in logs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleKey, generateKey } from "../../src/core/auth/key-format.js";
import { UNAUTHORIZED_MESSAGE } from "../../src/http/auth.js";
import {
  call,
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";

let t: TestBerth;
let alice: TestUser;
const secrets: string[] = [];

beforeAll(async () => {
  t = await startTestBerth();
  alice = await createUserWithKey(t);
  secrets.push(alice.key);
});
afterAll(() => t.close());

const whoami = (key?: string, headers?: Record<string, string>) =>
  call(`${t.url}/auth/whoami`, { key, headers });

function expectUnauthorized(answer: { status: number; body: unknown; headers: Headers }) {
  expect(answer.status).toBe(401);
  expect(answer.body).toEqual({ error: { code: "UNAUTHORIZED", message: UNAUTHORIZED_MESSAGE } });
  expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="berth"');
}

describe("authentication", () => {
  it("accepts X-API-Key and Authorization: Bearer", async () => {
    const viaHeader = await whoami(alice.key);
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body).toMatchObject({
      user: { id: alice.userId, role: "USER" },
      key: { keyId: alice.keyId, scopes: expect.arrayContaining(["deployments:write"]) },
    });
    const viaBearer = await whoami(undefined, { authorization: `Bearer ${alice.key}` });
    expect(viaBearer.status).toBe(200);
  });

  it("gives one identical 401 for missing, malformed, unknown, wrong, expired and revoked keys", async () => {
    const unknown = generateKey().key;
    // Right key id, another secret, valid checksum: only bcrypt can tell.
    const wrongSecret = assembleKey({ keyId: alice.keyId, secret: generateKey().secret });
    const expired = await createUserWithKey(t, { expiresAt: new Date(Date.now() - 1000) });
    const revoked = await createUserWithKey(t);
    await t.ctx.db.apiKey.update({
      where: { keyId: revoked.keyId },
      data: { revokedAt: new Date() },
    });
    secrets.push(expired.key, revoked.key);

    expectUnauthorized(await whoami());
    expectUnauthorized(await whoami("not-a-key"));
    expectUnauthorized(await whoami(alice.key.slice(0, -1)));
    expectUnauthorized(await whoami(unknown));
    expectUnauthorized(await whoami(wrongSecret));
    expectUnauthorized(await whoami(expired.key));
    expectUnauthorized(await whoami(revoked.key));
    expectUnauthorized(await whoami(undefined, { authorization: `Basic ${alice.key}` }));
  });

  it("never takes a key from the query string", async () => {
    const u = encodeURIComponent(alice.key);
    expectUnauthorized(await call(`${t.url}/auth/whoami?api_key=${u}&key=${u}&token=${u}`));
  });

  it("refuses a revoked key on the very next request, even when it was cached", async () => {
    const bob = await createUserWithKey(t, { userId: alice.userId });
    secrets.push(bob.key);
    expect((await whoami(bob.key)).status).toBe(200); // now cached
    const revoked = await call(`${t.url}/auth/revoke`, {
      method: "POST",
      key: alice.key,
      body: { keyId: bob.keyId },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ key: { keyId: bob.keyId, status: "revoked" } });
    expectUnauthorized(await whoami(bob.key));
  });

  it("refuses a key once it expires, even when it was cached", async () => {
    const soon = await createUserWithKey(t, { expiresAt: new Date(Date.now() + 1500) });
    secrets.push(soon.key);
    expect((await whoami(soon.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expectUnauthorized(await whoami(soon.key));
  });

  it("records last use without a write per request", async () => {
    await whoami(alice.key);
    const before = await t.ctx.db.apiKey.findUniqueOrThrow({ where: { keyId: alice.keyId } });
    expect(before.lastUsedAt).toBeNull();
    await t.ctx.keys.flushLastUsed();
    const after = await t.ctx.db.apiKey.findUniqueOrThrow({ where: { keyId: alice.keyId } });
    expect(after.lastUsedAt).toBeInstanceOf(Date);
  });
});

describe("scopes per endpoint", () => {
  it("answers 403 naming the missing scope", async () => {
    const reader = await createUserWithKey(t, { scopes: ["deployments:read"] });
    secrets.push(reader.key);
    expect((await whoami(reader.key)).status).toBe(200);
    for (const [method, path, body] of [
      ["GET", "/auth/keys", undefined],
      ["POST", "/auth/keys", { name: "x", scopes: ["deployments:read"] }],
      ["POST", "/auth/revoke", { keyId: alice.keyId }],
      ["DELETE", `/auth/keys/${alice.keyId}`, undefined],
    ] as const) {
      const answer = await call(`${t.url}${path}`, { method, key: reader.key, body });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body).toEqual({
        error: {
          code: "FORBIDDEN",
          message: "this API key lacks the scope keys:manage",
          details: { scope: "keys:manage" },
        },
      });
    }
  });

  it("lets any key revoke itself", async () => {
    const agent = await createUserWithKey(t, { scopes: ["deployments:read"] });
    secrets.push(agent.key);
    const answer = await call(`${t.url}/auth/keys/${agent.keyId}`, {
      method: "DELETE",
      key: agent.key,
    });
    expect(answer.status).toBe(200);
    expectUnauthorized(await whoami(agent.key));
  });

  it("lists only the caller's own keys, never a secret", async () => {
    const answer = await call<{ keys: Record<string, unknown>[] }>(`${t.url}/auth/keys`, {
      key: alice.key,
    });
    expect(answer.status).toBe(200);
    const owners = await t.ctx.db.apiKey.findMany({
      where: { keyId: { in: answer.body.keys.map((k) => String(k.keyId)) } },
    });
    expect(new Set(owners.map((o) => o.userId))).toEqual(new Set([alice.userId]));
    const text = JSON.stringify(answer.body);
    expect(text).not.toMatch(/secretHash|\$2b\$/);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it("answers another user's key id exactly like an unknown one", async () => {
    const mallory = await createUserWithKey(t);
    secrets.push(mallory.key);
    const theirs = await call(`${t.url}/auth/keys/${alice.keyId}`, {
      method: "DELETE",
      key: mallory.key,
    });
    const unknown = await call(`${t.url}/auth/keys/AAAAAAAAAAAA`, {
      method: "DELETE",
      key: mallory.key,
    });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(unknown.body);
    expect((await whoami(alice.key)).status).toBe(200);
  });

  it("refuses bad input with 400 and the field", async () => {
    const answer = await call(`${t.url}/auth/keys`, {
      method: "POST",
      key: alice.key,
      body: { name: "x", scopes: ["root"], extra: 1 },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: "INVALID_INPUT" } });
    const revoke = await call(`${t.url}/auth/revoke`, {
      method: "POST",
      key: alice.key,
      body: { keyId: "a;b" },
    });
    expect(revoke.status).toBe(400);
    expect(revoke.body).toMatchObject({
      error: { code: "INVALID_INPUT", details: { field: "keyId" } },
    });
  });
});

describe("minting", () => {
  const mint = (key: string, body: unknown) =>
    call(`${t.url}/auth/keys`, { method: "POST", key, body });

  it("mints a narrower key that works and is shown once", async () => {
    const answer = await mint(alice.key, {
      name: "agent",
      scopes: ["deployments:read", "logs:read"],
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    const body = answer.body as { key: string; keyId: string; scopes: string[]; mintedBy: string };
    secrets.push(body.key);
    expect(body.scopes).toEqual(["deployments:read", "logs:read"]);
    expect(body.mintedBy).toBe(alice.keyId);
    const me = await whoami(body.key);
    expect(me.body).toMatchObject({
      key: { keyId: body.keyId, scopes: ["deployments:read", "logs:read"] },
    });
    const listed = await call<{ keys: { keyId: string; mintedBy: string | null }[] }>(
      `${t.url}/auth/keys`,
      { key: alice.key },
    );
    expect(listed.body.keys.find((k) => k.keyId === body.keyId)?.mintedBy).toBe(alice.keyId);
    expect(JSON.stringify(listed.body)).not.toContain(body.key);
  });

  it("never mints wider than the parent", async () => {
    const answer = await mint(alice.key, { name: "up", scopes: ["admin"] });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({
      error: { code: "FORBIDDEN", details: { scope: "admin", field: "scopes" } },
    });
  });

  it("never outlives the parent, and clamps the default to it", async () => {
    const parentEnd = new Date(Date.now() + 3600_000);
    const parent = await createUserWithKey(t, { userId: alice.userId, expiresAt: parentEnd });
    secrets.push(parent.key);
    const tooLong = await mint(parent.key, {
      name: "long",
      scopes: ["logs:read"],
      expiresInSeconds: 7200,
    });
    expect(tooLong.status).toBe(403);
    const clamped = await mint(parent.key, { name: "default", scopes: ["logs:read"] });
    expect(clamped.status).toBe(201);
    secrets.push(String(clamped.body.key));
    expect(new Date(String(clamped.body.expiresAt)).getTime()).toBe(parentEnd.getTime());
  });

  it("refuses a lifetime past the configured maximum", async () => {
    const answer = await mint(alice.key, {
      name: "x",
      scopes: ["logs:read"],
      expiresInSeconds: 400 * 86400,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { details: { field: "expiresInSeconds" } } });
  });

  it("limits keys to environments: only owned ones, never beyond the parent's", async () => {
    const env = (name: string, ownerId: string) =>
      t.ctx.db.environment.create({
        data: {
          name,
          slug: `${name}-${Date.now()}`,
          networkName: `n-${name}-${Date.now()}`,
          ownerId,
        },
      });
    const mine = await env("mine", alice.userId);
    const also = await env("also", alice.userId);
    const other = await createUserWithKey(t);
    secrets.push(other.key);
    const theirs = await env("theirs", other.userId);

    const limited = await mint(alice.key, {
      name: "one-env",
      scopes: ["keys:manage", "deployments:write"],
      environmentIds: [mine.id],
    });
    expect(limited.status).toBe(201);
    const limitedKey = String(limited.body.key);
    secrets.push(limitedKey);
    expect((await whoami(limitedKey)).body).toMatchObject({ key: { environmentIds: [mine.id] } });

    const foreign = await mint(alice.key, {
      name: "x",
      scopes: ["logs:read"],
      environmentIds: [theirs.id],
    });
    expect(foreign.status).toBe(404);
    const wider = await mint(limitedKey, {
      name: "x",
      scopes: ["deployments:write"],
      environmentIds: [also.id],
    });
    expect(wider.status).toBe(403);
    const inherited = await mint(limitedKey, { name: "child", scopes: ["deployments:write"] });
    expect(inherited.status).toBe(201);
    secrets.push(String(inherited.body.key));
    expect(inherited.body.environmentIds).toEqual([mine.id]);
  });
});

describe("audit and logs", () => {
  it("records key creation, minting and revocation without secrets", async () => {
    const rows = await t.ctx.db.auditEvent.findMany({ where: { userId: alice.userId } });
    const actions = new Set(rows.map((r) => r.action));
    expect(actions).toEqual(new Set(["key.minted", "key.revoked"]));
    const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it("never writes a key to the log", () => {
    expect(t.logs.lines.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(t.logs.text).not.toContain(secret);
      expect(t.logs.text).not.toContain(secret.slice(19, 55)); // the secret part alone
    }
  });
});
