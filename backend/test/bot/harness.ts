// A real Berth with its Telegram bot on, talking to a fake Bot API server,
// and a way to talk to the bot as a Telegram user and read its answer.
import type { Update } from "grammy/types";
import { expect } from "vitest";
import { startTestBerth, type TestBerth } from "../helpers/berth.js";
import { FakeTelegram, plainText, type ApiCall, type FakeUser } from "../helpers/fake-telegram.js";

export interface BotBerth extends TestBerth {
  telegram: FakeTelegram;
}

export async function startBotBerth(
  overrides: Record<string, string> = {},
  fake?: FakeTelegram,
): Promise<BotBerth> {
  const telegram = fake ?? (await FakeTelegram.start());
  const t = await startTestBerth({
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    ...overrides,
  });
  return {
    ...t,
    telegram,
    async close() {
      await t.close();
      await telegram.close();
    },
  };
}

let nextUserId = 5_000_000;

export function telegramUser(first_name: string, extra: Partial<FakeUser> = {}): FakeUser {
  return { id: nextUserId++, first_name, ...extra };
}

export interface Reply {
  call: ApiCall;
  /** What the user reads (HTML parsed). */
  text: string;
}

/** A Telegram user who has sent /start, and their Berth account. */
export async function register(b: BotBerth, name: string, extra: Partial<FakeUser> = {}) {
  const user = telegramUser(name, extra);
  await say(b, user, "/start");
  const row = await b.ctx.db.user.findUniqueOrThrow({ where: { telegramId: BigInt(user.id) } });
  return { user, row };
}

/** Sends `update` by long polling and waits for the bot's answer in `chatId`. */
export async function answerTo(b: BotBerth, update: Update, chatId: number): Promise<Reply> {
  const after = b.telegram.lastSeq;
  b.telegram.push(update);
  const call = await b.telegram.waitForCall(
    (c) =>
      (c.method === "sendMessage" || c.method === "editMessageText") &&
      Number(c.params.chat_id) === chatId,
    after,
  );
  expect(call.error, `Telegram refused: ${call.error}`).toBeUndefined();
  return { call, text: plainText(call) };
}

/** `user` writes `text` to the bot in a private chat; the bot's answer. */
export function say(b: BotBerth, user: FakeUser, text: string): Promise<Reply> {
  return answerTo(b, b.telegram.message(user, text), user.id);
}

/** The callback data of every inline button of a sent message. */
export function buttons(call: ApiCall): { text: string; data: string }[] {
  const rows = (call.params.reply_markup?.inline_keyboard ?? []) as {
    text: string;
    callback_data: string;
  }[][];
  return rows.flat().map((b) => ({ text: b.text, data: b.callback_data }));
}
