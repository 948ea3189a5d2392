// Keys from the chat, with the real bot long polling a fake Bot API server
// inside a real Berth: magic links, the list, revoking (button and
// confirmation, or /api_revoke), and keys never shown.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { call, createUserWithKey } from "../helpers/berth.js";
import { answerTo, buttons, register, say, startBotBerth, type BotBerth } from "./harness.js";

let b: BotBerth;

beforeAll(async () => {
  b = await startBotBerth();
});
afterAll(() => b.close());

let mark = 0;
beforeEach(() => {
  mark = b.telegram.lastSeq;
});
afterEach(() => {
  expect(b.telegram.refused().filter((c) => c.seq > mark)).toEqual([]);
});

describe("/api_create", () => {
  it("sends a magic link with its expiry, previews off, never a key", async () => {
    const { user, row } = await register(b, "Katherine");
    const reply = await say(b, user, "/api_create laptop (home)");
    expect(reply.call.params.link_preview_options).toEqual({ is_disabled: true });
    const url = /http:\/\/127\.0\.0\.1:\d+\/auth\/verify\?token=[\w-]+/.exec(reply.text)?.[0];
    expect(url).toBeDefined();
    expect(reply.text).toContain("laptop (home)");
    const link = await b.ctx.db.magicLink.findFirstOrThrow({ where: { userId: row.id } });
    expect(link).toMatchObject({ keyName: "laptop (home)", usedAt: null });
    expect(reply.text).toContain(
      `expires at ${link.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    );
    expect(reply.text).not.toMatch(/berth_[0-9A-Za-z]{12}_/);
    expect(b.logs.text).not.toContain(url!.split("token=")[1]);
  });

  it("names the key by date when no name is given, and refuses a bad name", async () => {
    const { user, row } = await register(b, "Dorothy");
    await say(b, user, "/api_create");
    const link = await b.ctx.db.magicLink.findFirstOrThrow({ where: { userId: row.id } });
    expect(link.keyName).toMatch(/^telegram \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    const bad = await say(b, user, "/api_create <script>");
    expect(bad.text).toContain("use letters, digits, spaces");
    expect(await b.ctx.db.magicLink.count({ where: { userId: row.id } })).toBe(1);
  });
});

describe("/api_list and revoking", () => {
  it("lists active keys with their details and a Revoke button each", async () => {
    const { user, row } = await register(b, "Barbara");
    const env = await b.ctx.db.environment.create({
      data: {
        name: "staging",
        slug: "staging-abc123",
        networkName: "berth-staging-abc123",
        ownerId: row.id,
      },
    });
    const all = await createUserWithKey(b, { userId: row.id });
    const narrow = await createUserWithKey(b, {
      userId: row.id,
      scopes: ["deployments:read"],
      environmentIds: [env.id],
    });
    const revoked = await createUserWithKey(b, { userId: row.id });
    await b.ctx.db.apiKey.update({
      where: { keyId: revoked.keyId },
      data: { revokedAt: new Date() },
    });

    const reply = await say(b, user, "/api_list");
    expect(reply.text).toContain("Your active API keys (2)");
    expect(reply.text).toContain(all.keyId);
    expect(reply.text).toContain(narrow.keyId);
    expect(reply.text).not.toContain(revoked.keyId);
    expect(reply.text).toContain("scopes: deployments:read");
    expect(reply.text).toContain("environments: staging");
    expect(reply.text).toContain("environments: all");
    expect(reply.text).toMatch(
      /created \d{4}-\d\d-\d\d \d\d:\d\d UTC · last used never · expires \d{4}/,
    );
    expect(reply.text).not.toContain(all.key);
    expect(buttons(reply.call).map((x) => x.data)).toEqual(
      expect.arrayContaining([`revoke:${all.keyId}`, `revoke:${narrow.keyId}`]),
    );
  });

  it("says so when there are no keys", async () => {
    const { user } = await register(b, "Radia");
    expect((await say(b, user, "/api_list")).text).toContain("no active API keys");
  });

  it("revokes through the button after confirmation; the key stops working", async () => {
    const { user, row } = await register(b, "Frances");
    const key = await createUserWithKey(b, { userId: row.id });
    expect((await call(`${b.url}/auth/whoami`, { key: key.key })).status).toBe(200);

    const list = await say(b, user, "/api_list");
    const press = (data: string) =>
      answerTo(b, b.telegram.callback(user, data, list.call.result), user.id);

    const confirm = await press(`revoke:${key.keyId}`);
    expect(confirm.call.method).toBe("editMessageText");
    expect(confirm.text).toContain(`Revoke test key (${key.keyId})?`);
    expect(buttons(confirm.call)).toEqual([
      { text: "Yes, revoke", data: `revoke-yes:${key.keyId}` },
      { text: "Cancel", data: `revoke-no:${key.keyId}` },
    ]);
    // Nothing happens before "Yes".
    const before = await b.ctx.db.apiKey.findUniqueOrThrow({ where: { keyId: key.keyId } });
    expect(before.revokedAt).toBeNull();

    const done = await press(`revoke-yes:${key.keyId}`);
    expect(done.text).toContain(`Revoked test key (${key.keyId})`);
    const after = await b.ctx.db.apiKey.findUniqueOrThrow({ where: { keyId: key.keyId } });
    expect(after.revokedAt).not.toBeNull();
    expect((await call(`${b.url}/auth/whoami`, { key: key.key })).status).toBe(401);
    const answered = b.telegram.callsTo("answerCallbackQuery");
    expect(answered.length).toBeGreaterThanOrEqual(2);
  });

  it("still revokes when the press comes too late to be answered", async () => {
    const { user, row } = await register(b, "Late");
    const key = await createUserWithKey(b, { userId: row.id });
    const list = await say(b, user, "/api_list");
    b.telegram.fail("answerCallbackQuery", {
      error_code: 400,
      description: "Bad Request: query is too old and response timeout expired",
    });
    try {
      const done = await answerTo(
        b,
        b.telegram.callback(user, `revoke-yes:${key.keyId}`, list.call.result),
        user.id,
      );
      expect(done.text).toContain(`Revoked test key (${key.keyId})`);
    } finally {
      b.telegram.heal("answerCallbackQuery");
      mark = b.telegram.lastSeq;
    }
    expect((await call(`${b.url}/auth/whoami`, { key: key.key })).status).toBe(401);
  });

  it("keeps the key on Cancel and shows the list again", async () => {
    const { user, row } = await register(b, "Hedy");
    const key = await createUserWithKey(b, { userId: row.id });
    const list = await say(b, user, "/api_list");
    const press = (data: string) =>
      answerTo(b, b.telegram.callback(user, data, list.call.result), user.id);
    await press(`revoke:${key.keyId}`);
    const cancelled = await press(`revoke-no:${key.keyId}`);
    expect(cancelled.text).toContain("Your active API keys (1)");
    expect((await call(`${b.url}/auth/whoami`, { key: key.key })).status).toBe(200);
  });

  it("refuses a forged button for someone else's key", async () => {
    const { user } = await register(b, "Mallory");
    const victim = await createUserWithKey(b);
    const list = await say(b, user, "/api_list");
    const forged = await answerTo(
      b,
      b.telegram.callback(user, `revoke-yes:${victim.keyId}`, {
        ...(list.call.result as object),
      }),
      user.id,
    );
    expect(forged.text).toBe("No such key.");
    expect((await call(`${b.url}/auth/whoami`, { key: victim.key })).status).toBe(200);
  });

  it("/api_revoke revokes your own key; someone else's and unknown ids get the same answer", async () => {
    const { user, row } = await register(b, "Joan");
    const mine = await createUserWithKey(b, { userId: row.id });
    const theirs = await createUserWithKey(b);

    const other = await say(b, user, `/api_revoke ${theirs.keyId}`);
    const unknown = await say(b, user, "/api_revoke AAAAAAAAAAAA");
    const malformed = await say(b, user, "/api_revoke nope<b>");
    expect(other.text).toBe("No such key.");
    expect(unknown.text).toBe(other.text);
    expect(malformed.text).toBe(other.text);
    expect((await call(`${b.url}/auth/whoami`, { key: theirs.key })).status).toBe(200);

    const usage = await say(b, user, "/api_revoke");
    expect(usage.text).toContain("Usage: /api_revoke <keyId>");

    const done = await say(b, user, `/api_revoke ${mine.keyId}`);
    expect(done.text).toContain(`Revoked test key (${mine.keyId})`);
    expect((await call(`${b.url}/auth/whoami`, { key: mine.key })).status).toBe(401);
  });
});

describe("secrecy", () => {
  it("never shows a key anywhere it sends", () => {
    for (const c of b.telegram.calls) {
      expect(JSON.stringify(c.params)).not.toMatch(/berth_[0-9A-Za-z]{12}_[0-9A-Za-z]{42}/);
    }
  });
});
