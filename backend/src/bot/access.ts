// Who may talk to the bot, and where. Group chats get a refusal (key links
// and logs must not land in front of a whole group); in private chats the
// sender is looked up (allowlist checked by the core, name kept in sync).
import { Composer, type MiddlewareFn } from "grammy";
import type { User as TelegramUser } from "grammy/types";
import type { Context } from "../core/context.js";
import { findTelegramUser } from "../core/users/upsert-telegram-user.js";
import { KEY_COMMANDS } from "./commands/keys.js";
import type { BotContext } from "./context.js";

export const PRIVATE_ONLY =
  "I only work in a private chat: your environments, logs and keys are yours alone. " +
  "Message me directly.";
export const KEYS_NOT_IN_GROUPS =
  "I never handle API keys in a group: a key link posted here would let anyone in " +
  "this chat take the key. Message me directly and ask there.";

export function telegramName(from: TelegramUser): string {
  return [from.first_name, from.last_name].filter(Boolean).join(" ") || from.username || "";
}

/** Drops updates that no person sent (channel posts, other bots). */
export const peopleOnly: MiddlewareFn<BotContext> = async (ctx, next) => {
  if (!ctx.from || ctx.from.is_bot) return;
  await next();
};

/** Group chats: commands addressed to the bot get a refusal, key commands saying why. */
export function groupChats(commands: string[]): Composer<BotContext> {
  const groups = new Composer<BotContext>();
  groups.command(KEY_COMMANDS, (ctx) => ctx.reply(KEYS_NOT_IN_GROUPS));
  groups.command(commands, (ctx) => ctx.reply(PRIVATE_ONLY));
  groups.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: PRIVATE_ONLY }));
  return groups;
}

/** Sets ctx.user (null for someone who has not sent /start yet). */
export function identify(core: Context): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from!; // peopleOnly ran first
    ctx.user = await findTelegramUser(core, { telegramId: from.id, name: telegramName(from) });
    await next();
  };
}
