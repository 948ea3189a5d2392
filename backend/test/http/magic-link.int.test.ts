// Magic links through the REST door: looking never consumes, redeeming is
// single-use even under concurrency, expired and unknown links get clear
// pages with the right status, pages carry strict headers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMagicLink } from "../../src/core/auth/magic-links.js";
import { call, startTestBerth, type TestBerth } from "../helpers/berth.js";

let t: TestBerth;
let userId: string;
const secrets: string[] = [];

beforeAll(async () => {
  t = await startTestBerth({ RATE_LIMIT_VERIFY_PER_MINUTE: "1000" });
  userId = (await t.ctx.db.user.create({ data: { name: "Grace <Hopper>" } })).id;
});
afterAll(() => t.close());

async function newLink(keyName = "laptop") {
  const link = await createMagicLink(t.ctx, { userId, keyName });
  const token = new URL(link.url).searchParams.get("token")!;
  secrets.push(token);
  return { ...link, token };
}

const post = (token: string, accept = "application/json") =>
  fetch(`${t.url}/auth/verify`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept },
    body: new URLSearchParams({ token }).toString(),
  });

describe("magic links", () => {
  it("are built on the configured public URL and expire in 15 minutes", async () => {
    const link = await newLink();
    expect(link.url.startsWith(`${t.url}/auth/verify?token=`)).toBe(true);
    const minutes = (link.expiresAt.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
  });

  it("GET shows whose key it is, consumes nothing, and sends strict headers", async () => {
    const link = await newLink();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(link.url, { headers: { host: "evil.example" } });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("Grace &lt;Hopper&gt;");
      expect(html).toContain('<form method="post" action="/auth/verify">');
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(res.headers.get("content-security-policy")).toContain("form-action 'self'");
      expect(html).not.toContain("evil.example");
    }
    const row = await t.ctx.db.magicLink.findFirstOrThrow({
      where: { userId },
      orderBy: { createdAt: "desc" },
    });
    expect(row.usedAt).toBeNull();
  });

  it("POST creates the key once; the key works; a second POST says already used", async () => {
    const link = await newLink("phone");
    const first = await post(link.token);
    expect(first.status).toBe(201);
    const created = (await first.json()) as { key: string; name: string; scopes: string[] };
    secrets.push(created.key);
    expect(created.name).toBe("phone");
    expect(created.scopes).not.toContain("admin");
    const me = await call(`${t.url}/auth/whoami`, { key: created.key });
    expect(me.body).toMatchObject({ user: { id: userId }, key: { name: "phone" } });

    const again = await post(link.token, "text/html");
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("already been used");
    const look = await fetch(link.url);
    expect(look.status).toBe(410);
  });

  it("two concurrent POSTs give one key and one 'already used'", async () => {
    for (let round = 0; round < 5; round++) {
      const link = await newLink(`race${round}`);
      const answers = await Promise.all([post(link.token), post(link.token), post(link.token)]);
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, 410, 410]);
      for (const a of answers)
        if (a.status === 201) secrets.push(((await a.json()) as { key: string }).key);
      const keys = await t.ctx.db.apiKey.count({ where: { userId, name: `race${round}` } });
      expect(keys).toBe(1);
    }
  });

  it("an expired link gets 410 and creates nothing", async () => {
    const link = await newLink("late");
    await t.ctx.db.magicLink.updateMany({
      where: { userId, keyName: "late" },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const look = await fetch(link.url);
    expect(look.status).toBe(410);
    expect(await look.text()).toContain("expired");
    const res = await post(link.token);
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({
      error: { code: "GONE", details: { reason: "expired" } },
    });
    expect(await t.ctx.db.apiKey.count({ where: { userId, name: "late" } })).toBe(0);
  });

  it("an unknown or missing token gets 404", async () => {
    expect((await fetch(`${t.url}/auth/verify?token=${"x".repeat(43)}`)).status).toBe(404);
    expect((await fetch(`${t.url}/auth/verify`)).status).toBe(404);
    expect((await post("nope")).status).toBe(404);
  });

  it("records the key's creation and never logs a token or key", async () => {
    const rows = await t.ctx.db.auditEvent.findMany({ where: { userId, action: "key.created" } });
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) expect(t.logs.text).not.toContain(secret);
    expect(t.logs.text).toContain('"path":"/auth/verify"');
  });
});
