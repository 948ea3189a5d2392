// The real bot, long polling a fake Bot API server, inside a real Berth
// (PostgreSQL, HTTP): every command as a user would use it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/bot/commands/start.js";
import { call, createUserWithKey } from "../helpers/berth.js";
import type { FakeUser } from "../helpers/fake-telegram.js";
import { answerTo, buttons, say, startBotBerth, telegramUser, type BotBerth } from "./harness.js";

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
  // Every message the bot sent was valid for Telegram (HTML escaped, short enough).
  expect(b.telegram.refused().filter((c) => c.seq > mark)).toEqual([]);
});

async function registered(name: string, extra: Partial<FakeUser> = {}) {
  const user = telegramUser(name, extra);
  await say(b, user, "/start");
  const row = await b.ctx.db.user.findUniqueOrThrow({ where: { telegramId: BigInt(user.id) } });
  return { user, row };
}

describe("start-up", () => {
  it("registers the command menu, drops any webhook and long-polls", async () => {
    const menu = await b.telegram.waitForCall((c) => c.method === "setMyCommands");
    const commands = (menu.params.commands as { command: string; description: string }[]).map(
      (c) => c.command,
    );
    expect(commands).toEqual(COMMANDS.map((c) => c.command));
    expect(commands).toEqual(
      expect.arrayContaining(["start", "api_create", "api_list", "api_revoke", "help"]),
    );
    await b.telegram.waitForCall((c) => c.method === "deleteWebhook");
    const poll = await b.telegram.waitForCall((c) => c.method === "getUpdates");
    expect(poll.params.allowed_updates).toEqual(["message", "callback_query"]);
    expect(b.telegram.callsTo("getMe").length).toBeGreaterThan(0);
  });
});

describe("/start and /help", () => {
  it("creates the account from the Telegram id, greets and lists the commands", async () => {
    const user = telegramUser("Ada", { last_name: "Lovelace" });
    const reply = await say(b, user, "/start");
    expect(reply.text).toContain("Welcome to Berth, Ada Lovelace!");
    for (const command of ["/api_create", "/api_list", "/api_revoke", "/envs", "/notify"]) {
      expect(reply.text).toContain(command);
    }
    const row = await b.ctx.db.user.findUniqueOrThrow({ where: { telegramId: BigInt(user.id) } });
    expect(row).toMatchObject({ name: "Ada Lovelace", role: "USER", notifications: true });
    const audit = await b.ctx.db.auditEvent.findFirst({
      where: { action: "user.created", userId: row.id },
    });
    expect(audit).not.toBeNull();
  });

  it("is idempotent and keeps the name in sync", async () => {
    const { user, row } = await registered("Grace");
    const renamed = { ...user, first_name: "Grace", last_name: "Hopper" };
    const again = await say(b, renamed, "/start");
    expect(again.text).toContain("Welcome back, Grace Hopper.");
    const rows = await b.ctx.db.user.findMany({ where: { telegramId: BigInt(user.id) } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: row.id, name: "Grace Hopper" });
    // Any later message syncs the name too.
    await say(b, { ...renamed, first_name: "Admiral" }, "/help");
    const synced = await b.ctx.db.user.findUniqueOrThrow({ where: { id: row.id } });
    expect(synced.name).toBe("Admiral Hopper");
  });

  it("escapes names in HTML replies", async () => {
    const user = telegramUser("<b>Eve</b> & <i>co", { last_name: '"quoted"' });
    const reply = await say(b, user, "/start");
    expect(reply.call.params.parse_mode).toBe("HTML");
    expect(reply.text).toContain('Welcome to Berth, <b>Eve</b> & <i>co "quoted"!');
  });

  it("answers /help with every command", async () => {
    const { user } = await registered("Helen");
    const reply = await say(b, user, "/help");
    for (const command of COMMANDS.filter((c) => c.command !== "start")) {
      expect(reply.text).toContain(`/${command.command}`);
    }
  });

  it("tells an unknown user to /start first and creates nothing", async () => {
    const stranger = telegramUser("Stranger");
    for (const command of ["/api_list", "/api_create", "/envs", "/notify off"]) {
      const reply = await say(b, stranger, command);
      expect(reply.text).toBe("I don't know you yet: send /start to create your Berth account.");
    }
    const row = await b.ctx.db.user.findUnique({ where: { telegramId: BigInt(stranger.id) } });
    expect(row).toBeNull();
  });

  it("points to /help for anything else", async () => {
    const { user } = await registered("Ivy");
    expect((await say(b, user, "/frobnicate")).text).toContain("/help");
    expect((await say(b, user, "hello there")).text).toContain("/help");
  });
});

describe("/api_create", () => {
  it("sends a magic link with its expiry, previews off, never a key", async () => {
    const { user, row } = await registered("Katherine");
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
    const { user, row } = await registered("Dorothy");
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
    const { user, row } = await registered("Barbara");
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
    const { user } = await registered("Radia");
    expect((await say(b, user, "/api_list")).text).toContain("no active API keys");
  });

  it("revokes through the button after confirmation; the key stops working", async () => {
    const { user, row } = await registered("Frances");
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

  it("keeps the key on Cancel and shows the list again", async () => {
    const { user, row } = await registered("Hedy");
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
    const { user } = await registered("Mallory");
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
    const { user, row } = await registered("Joan");
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

describe("group chats", () => {
  it("refuses key commands and says why; creates no link", async () => {
    const { user, row } = await registered("Annie");
    const group = { id: -100_777, type: "supergroup", title: "Team" };
    for (const command of [
      "/api_create",
      "/api_list",
      `/api_revoke AAAAAAAAAAAA`,
      "/api_create@berth_test_bot x",
    ]) {
      const reply = await answerTo(b, b.telegram.message(user, command, group), group.id);
      expect(reply.text).toContain("I never handle API keys in a group");
      expect(reply.text).toContain("anyone in this chat");
    }
    const other = await answerTo(b, b.telegram.message(user, "/envs", group), group.id);
    expect(other.text).toContain("I only work in a private chat");
    expect(await b.ctx.db.magicLink.count({ where: { userId: row.id } })).toBe(0);
  });
});

describe("/notify", () => {
  it("turns notifications off and on, and tells the current state", async () => {
    const { user, row } = await registered("Margaret");
    expect((await say(b, user, "/notify")).text).toContain("Notifications are on");
    expect((await say(b, user, "/notify off")).text).toContain("Notifications are off");
    expect((await b.ctx.db.user.findUniqueOrThrow({ where: { id: row.id } })).notifications).toBe(
      false,
    );
    expect((await say(b, user, "/notify")).text).toContain("Notifications are off");
    expect((await say(b, user, "/notify ON")).text).toContain("Notifications are on");
    expect((await b.ctx.db.user.findUniqueOrThrow({ where: { id: row.id } })).notifications).toBe(
      true,
    );
  });
});

describe("/status and /logs before deployments land", () => {
  it("say they are not available yet, and show usage without an id", async () => {
    const { user } = await registered("Sophie");
    expect((await say(b, user, "/status 0190f5c2-aaaa-7bbb-8ccc-123456789abc")).text).toBe(
      "Not available yet: deployments arrive with the deployments issue.",
    );
    expect((await say(b, user, "/logs job_123")).text).toContain("Not available yet");
    expect((await say(b, user, "/status")).text).toContain("Usage: /status");
    expect((await say(b, user, "/logs")).text).toContain("Usage: /logs");
    expect((await say(b, user, "/logs <b>")).text).toContain("not a deployment or job id");
  });
});

describe("failures", () => {
  it("logs a reply Telegram refuses and keeps serving", async () => {
    const { user } = await registered("Lise");
    b.telegram.fail("sendMessage", {
      error_code: 500,
      description: "Internal Server Error",
      chatId: user.id,
    });
    const update = b.telegram.message(user, "/help");
    b.telegram.push(update);
    await b.telegram.processed(update.update_id);
    b.telegram.heal("sendMessage");
    expect(b.logs.text).toContain("bot update failed");
    expect(b.logs.text).toContain("Call to 'sendMessage' failed!");
    expect(b.logs.text).not.toContain(b.telegram.token);
    mark = b.telegram.lastSeq; // the refusals so far were this test's own doing
    expect((await say(b, user, "/help")).text).toContain("Here is what I can do");
  });

  it("never shows a key anywhere it sends", () => {
    for (const c of b.telegram.calls) {
      expect(JSON.stringify(c.params)).not.toMatch(/berth_[0-9A-Za-z]{12}_[0-9A-Za-z]{42}/);
    }
  });
});
