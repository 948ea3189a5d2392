// Who may use the bot (TELEGRAM_ALLOWED_USER_IDS) and per-user flood
// control (TELEGRAM_RATE_LIMIT_PER_MINUTE).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLOW_DOWN } from "../../src/bot/flood.js";
import { say, startBotBerth, telegramUser, type BotBerth } from "./harness.js";

const member = telegramUser("Member");
const flooder = telegramUser("Flooder");
const outsider = telegramUser("Outsider");
let b: BotBerth;

beforeAll(async () => {
  b = await startBotBerth({
    TELEGRAM_ALLOWED_USER_IDS: `${member.id}, ${flooder.id}`,
    TELEGRAM_RATE_LIMIT_PER_MINUTE: "3",
  });
});
afterAll(() => b.close());

describe("allowlist", () => {
  it("refuses an unlisted user politely and creates no account", async () => {
    const reply = await say(b, outsider, "/start");
    expect(reply.text).toContain("Sorry, this Berth is private");
    expect(reply.text).toContain(`ask them to add your Telegram user id, ${outsider.id}.`);
    expect((await say(b, outsider, "/api_create")).text).toContain("this Berth is private");
    const row = await b.ctx.db.user.findUnique({ where: { telegramId: BigInt(outsider.id) } });
    expect(row).toBeNull();
    expect(await b.ctx.db.magicLink.count()).toBe(0);
  });

  it("serves a listed user", async () => {
    expect((await say(b, member, "/start")).text).toContain("Welcome to Berth, Member!");
  });
});

describe("flood control", () => {
  it("lets a burst through, says to slow down once, then drops silently", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await say(b, flooder, "/help")).text).toContain("Here is what I can do");
    }
    expect((await say(b, flooder, "/help")).text).toBe(SLOW_DOWN);
    const after = b.telegram.lastSeq;
    const dropped = [b.telegram.message(flooder, "/help"), b.telegram.message(flooder, "/start")];
    for (const update of dropped) b.telegram.push(update);
    await b.telegram.processed(dropped[1]!.update_id);
    expect(b.telegram.messagesTo(flooder.id, after)).toEqual([]);
    // Dropped before anything else ran: no account for the /start.
    const row = await b.ctx.db.user.findUnique({ where: { telegramId: BigInt(flooder.id) } });
    expect(row).toBeNull();
    // Other users are not affected.
    expect((await say(b, member, "/help")).text).toContain("Here is what I can do");
  });
});
