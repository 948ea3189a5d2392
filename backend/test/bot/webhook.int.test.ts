// Webhook mode: setWebhook with the secret at start-up, no polling, and the
// route mounted in Berth's HTTP app refuses posts without the secret.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegram, plainText } from "../helpers/fake-telegram.js";
import { startBotBerth, telegramUser, type BotBerth } from "./harness.js";

const SECRET = "s3cret-webhook_token-for-tests";
// Only its path matters here: Telegram (the fake) never calls it; the test does.
const WEBHOOK_URL = "https://berth.invalid/telegram/webhook";
let b: BotBerth;

beforeAll(async () => {
  const telegram = await FakeTelegram.start();
  // Telegram is away at first: the bot must keep trying.
  telegram.fail("setWebhook", { error_code: 502, description: "Bad Gateway", times: 1 });
  b = await startBotBerth(
    { TELEGRAM_WEBHOOK_URL: WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET: SECRET },
    telegram,
  );
});
afterAll(() => b.close());

function post(update: unknown, headers: Record<string, string> = {}) {
  return fetch(`${b.url}/telegram/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(update),
  });
}

describe("webhook mode", () => {
  it("registers the webhook with its secret and the menu, and does not poll", async () => {
    const set = await b.telegram.waitForCall((c) => c.method === "setWebhook" && !c.error);
    expect(b.telegram.callsTo("setWebhook").map((c) => c.error)).toEqual([
      "Bad Gateway",
      undefined,
    ]);
    expect(b.logs.text).toContain("Telegram unreachable");
    expect(set.params).toMatchObject({
      url: WEBHOOK_URL,
      secret_token: SECRET,
      allowed_updates: ["message", "callback_query"],
    });
    expect(b.telegram.callsTo("setMyCommands")).toHaveLength(1);
    expect(b.telegram.callsTo("getUpdates")).toEqual([]);
    expect(b.telegram.callsTo("deleteWebhook")).toEqual([]);
  });

  it("refuses updates without the right secret header", async () => {
    const user = telegramUser("Eve");
    const before = b.telegram.lastSeq;
    const missing = await post(b.telegram.message(user, "/start"));
    expect(missing.status).toBe(401);
    const wrong = await post(b.telegram.message(user, "/start"), {
      "X-Telegram-Bot-Api-Secret-Token": `${SECRET}x`,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    expect(b.telegram.messagesTo(user.id, before)).toEqual([]);
    const row = await b.ctx.db.user.findUnique({ where: { telegramId: BigInt(user.id) } });
    expect(row).toBeNull();
    expect(b.logs.text).not.toContain(SECRET);
  });

  it("handles an update posted with the secret", async () => {
    const user = telegramUser("Webb");
    const before = b.telegram.lastSeq;
    const res = await post(b.telegram.message(user, "/start"), {
      "X-Telegram-Bot-Api-Secret-Token": SECRET,
    });
    expect(res.status).toBe(200);
    // The update is handled before the answer.
    const [reply] = b.telegram.messagesTo(user.id, before);
    expect(plainText(reply!)).toContain("Welcome to Berth, Webb!");
    const row = await b.ctx.db.user.findUnique({ where: { telegramId: BigInt(user.id) } });
    expect(row?.name).toBe("Webb");
  });

  it("only answers POST on the webhook path", async () => {
    const res = await fetch(`${b.url}/telegram/webhook`, {
      headers: { "X-Telegram-Bot-Api-Secret-Token": SECRET },
    });
    expect(res.status).toBe(404);
  });
});
