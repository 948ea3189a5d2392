// API keys from the chat: a magic link to create one (the key itself only
// ever appears in the browser), the active keys with Revoke buttons (and a
// confirmation step), and /api_revoke <keyId>.
import { Composer, InlineKeyboard, type CallbackQueryContext } from "grammy";
import type { KeyView } from "../../core/auth/key-view.js";
import { listApiKeys } from "../../core/auth/list-api-keys.js";
import { createMagicLink, type MagicLink } from "../../core/auth/magic-links.js";
import { revokeApiKey } from "../../core/auth/revoke-api-key.js";
import { keyIdSchema, keyNameSchema } from "../../core/auth/schemas.js";
import type { Actor } from "../../core/auth/scopes.js";
import type { Context } from "../../core/context.js";
import { AppError } from "../../core/errors.js";
import { listEnvironments } from "../../core/environments/list-environments.js";
import { actorOf, userOf, type BotContext } from "../context.js";
import { escapeHtml, formatDate, HTML, MAX_MESSAGE, shorten } from "../format.js";

export const KEY_COMMANDS = ["api_create", "api_list", "api_revoke"];

/** Telegram allows 100 buttons; a chat list stays short (the API lists all). */
const MAX_LISTED = 20;

function linkMessage(keyName: string, link: MagicLink, ttlMinutes: number): string {
  return [
    `Your link to create the API key <b>${escapeHtml(keyName)}</b>:`,
    "",
    escapeHtml(link.url),
    "",
    `It works once and expires at ${formatDate(link.expiresAt)} (in ${ttlMinutes} minutes). ` +
      "Open it in your browser: the key is shown there, once, and never in this chat. " +
      "Do not forward this message.",
  ].join("\n");
}

async function environmentNames(core: Context, actor: Actor, keys: KeyView[]) {
  if (keys.every((k) => k.environmentIds.length === 0)) return new Map<string, string>();
  const page = await listEnvironments(core, { actor, input: { limit: 100 } });
  return new Map(page.environments.map((e) => [e.id, e.name]));
}

function keyEntry(key: KeyView, names: Map<string, string>): string {
  const envs =
    key.environmentIds.length === 0
      ? "all"
      : key.environmentIds.map((id) => names.get(id) ?? "(deleted)").join(", ");
  return [
    `🔑 <b>${escapeHtml(key.name)}</b> · <code>${key.keyId}</code>`,
    `scopes: ${escapeHtml(key.scopes.join(", "))}`,
    `environments: ${escapeHtml(shorten(envs, 300))}`,
    `created ${formatDate(key.createdAt)} · last used ${formatDate(key.lastUsedAt)} · ` +
      `expires ${formatDate(key.expiresAt)}`,
  ].join("\n");
}

/** The /api_list message: as many keys as fit, each with a Revoke button. */
async function keyList(core: Context, actor: Actor) {
  const keys = await listApiKeys(core, { actor, activeOnly: true });
  if (keys.length === 0) {
    return { html: "You have no active API keys. /api_create gives you one.", keyboard: undefined };
  }
  const names = await environmentNames(core, actor, keys);
  const keyboard = new InlineKeyboard();
  let html = `Your active API keys (${keys.length}):`;
  let shown = 0;
  for (const key of keys.slice(0, MAX_LISTED)) {
    const entry = `\n\n${keyEntry(key, names)}`;
    if (html.length + entry.length > MAX_MESSAGE - 200) break;
    html += entry;
    keyboard.text(`Revoke ${shorten(key.name, 24)} · ${key.keyId}`, `revoke:${key.keyId}`).row();
    shown++;
  }
  if (shown < keys.length) {
    html += `\n\n…and ${keys.length - shown} more (GET /auth/keys lists them all).`;
  }
  return { html, keyboard };
}

function parseKeyId(raw: string): string {
  const parsed = keyIdSchema.safeParse(raw.trim());
  // A malformed id is answered like an unknown one.
  if (!parsed.success) throw new AppError("NOT_FOUND", "no such key", { field: "keyId" });
  return parsed.data;
}

function revokedText(key: KeyView): string {
  return `Revoked <b>${escapeHtml(key.name)}</b> (<code>${key.keyId}</code>). It no longer works.`;
}

/** Answers a button press, best effort: a press handled late (the bot was
 * away) can no longer be answered, but must still do what it asked. */
function ack(ctx: CallbackQueryContext<BotContext>, text?: string): Promise<unknown> {
  return ctx.answerCallbackQuery(text ? { text } : undefined).catch(() => undefined);
}

/** The key id after "revoke…:" in a button's data (which the client could forge). */
function buttonKeyId(ctx: CallbackQueryContext<BotContext>): string {
  return parseKeyId(ctx.callbackQuery.data.split(":")[1] ?? "");
}

function confirmation(core: Context) {
  return async (ctx: CallbackQueryContext<BotContext>) => {
    const keyId = buttonKeyId(ctx);
    const keys = await listApiKeys(core, { actor: actorOf(ctx), activeOnly: true });
    const key = keys.find((k) => k.keyId === keyId);
    await ack(ctx);
    if (!key) {
      await ctx.editMessageText("That key is no longer active.");
      return;
    }
    const keyboard = new InlineKeyboard()
      .text("Yes, revoke", `revoke-yes:${keyId}`)
      .text("Cancel", `revoke-no:${keyId}`);
    await ctx.editMessageText(
      `Revoke <b>${escapeHtml(key.name)}</b> (<code>${keyId}</code>)? ` +
        "Anything using it stops working at once.",
      { ...HTML, reply_markup: keyboard },
    );
  };
}

export function keyCommands(core: Context): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command("api_create", async (ctx) => {
    const user = userOf(ctx);
    const keyName = keyNameSchema.parse(ctx.match.trim() || `telegram ${formatDate(new Date())}`);
    const link = await createMagicLink(core, { userId: user.id, keyName });
    await ctx.reply(linkMessage(keyName, link, core.config.MAGIC_LINK_TTL_MINUTES), HTML);
  });

  composer.command("api_list", async (ctx) => {
    const { html, keyboard } = await keyList(core, actorOf(ctx));
    await ctx.reply(html, { ...HTML, reply_markup: keyboard });
  });

  composer.command("api_revoke", async (ctx) => {
    if (!ctx.match.trim()) {
      await ctx.reply("Usage: /api_revoke &lt;keyId&gt; (/api_list shows your key ids).", HTML);
      return;
    }
    const key = await revokeApiKey(core, { actor: actorOf(ctx), keyId: parseKeyId(ctx.match) });
    await ctx.reply(revokedText(key), HTML);
  });

  composer.callbackQuery(/^revoke:(\w+)$/, confirmation(core));

  composer.callbackQuery(/^revoke-yes:(\w+)$/, async (ctx) => {
    const key = await revokeApiKey(core, { actor: actorOf(ctx), keyId: buttonKeyId(ctx) });
    await ack(ctx, "Revoked");
    await ctx.editMessageText(revokedText(key), HTML);
  });

  composer.callbackQuery(/^revoke-no:(\w+)$/, async (ctx) => {
    await ack(ctx, "Kept");
    const { html, keyboard } = await keyList(core, actorOf(ctx));
    await ctx.editMessageText(html, { ...HTML, reply_markup: keyboard });
  });

  return composer;
}
