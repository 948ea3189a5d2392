// The real bot, long polling a fake Bot API server, inside a real Berth
// (PostgreSQL, HTTP): every command as a user would use it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/bot/commands/start.js";
import { answerTo, register, say, startBotBerth, telegramUser, type BotBerth } from "./harness.js";

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

describe("start-up", () => {
  it("registers the command menu, drops any webhook and long-polls", async () => {
    const menu = await b.telegram.waitForCall((c) => c.method === "setMyCommands");
    const commands = (menu.params.commands as { command: string; description: string }[]).map(
      (c) => c.command,
    );
    expect(commands).toEqual(COMMANDS.map((c) => c.command));
    expect(menu.params.scope).toEqual({ type: "all_private_chats" });
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
    const { user, row } = await register(b, "Grace");
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
    const { user } = await register(b, "Helen");
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
    const { user } = await register(b, "Ivy");
    expect((await say(b, user, "/frobnicate")).text).toContain("/help");
    expect((await say(b, user, "hello there")).text).toContain("/help");
  });
});

describe("group chats", () => {
  it("refuses key commands and says why; creates no link", async () => {
    const { user, row } = await register(b, "Annie");
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
    const { user, row } = await register(b, "Margaret");
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

describe("/status and /logs", () => {
  it("answer an unknown id like someone else's, and show usage without an id", async () => {
    const { user } = await register(b, "Sophie");
    expect((await say(b, user, "/status 0190f5c2-aaaa-7bbb-8ccc-123456789abc")).text).toBe(
      "No such deployment.",
    );
    expect((await say(b, user, "/logs job_1234567890abcdef")).text).toBe("No such deployment.");
    expect((await say(b, user, "/status")).text).toContain("Usage: /status");
    expect((await say(b, user, "/logs")).text).toContain("Usage: /logs");
    expect((await say(b, user, "/logs <b>")).text).toContain("not a deployment or job id");
  });
});

describe("failures", () => {
  it("logs a reply Telegram refuses and keeps serving", async () => {
    const { user } = await register(b, "Lise");
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
});
