// /start (the account, created from the Telegram user id) and /help.
import { Composer } from "grammy";
import type { Context } from "../../core/context.js";
import { upsertTelegramUser } from "../../core/users/upsert-telegram-user.js";
import { telegramName } from "../access.js";
import type { BotContext } from "../context.js";
import { escapeHtml, HTML } from "../format.js";

interface Command {
  command: string;
  /** Shown in Telegram's command menu (setMyCommands): plain text, ≤256. */
  description: string;
  /** Shown by /help (HTML). */
  usage: string;
}

/** The bot's commands, for the menu and for /help, in one list. */
export const COMMANDS: Command[] = [
  { command: "start", description: "Create your Berth account", usage: "/start" },
  {
    command: "api_create",
    description: "Get a link that creates an API key",
    usage: "/api_create [name] — a single-use link that creates an API key in your browser",
  },
  {
    command: "api_list",
    description: "Your active API keys",
    usage: "/api_list — your active keys, each with a Revoke button",
  },
  {
    command: "api_revoke",
    description: "Revoke an API key",
    usage: "/api_revoke &lt;keyId&gt; — revoke one of your keys",
  },
  {
    command: "envs",
    description: "Your environments and deployments",
    usage: "/envs — your environments and the state of their deployments",
  },
  {
    command: "status",
    description: "Where a deployment stands",
    usage: "/status &lt;deployment or job id&gt; — where a deployment stands",
  },
  {
    command: "logs",
    description: "A deployment's latest log lines",
    usage: "/logs &lt;deployment id&gt; — its latest log lines",
  },
  {
    command: "notify",
    description: "Turn deployment news on or off",
    usage: "/notify on|off — messages when deployments finish or certificates change",
  },
  { command: "help", description: "What I can do", usage: "/help — this list" },
];

export function helpText(publicUrl: string): string {
  const lines = COMMANDS.filter((c) => c.command !== "start").map((c) => c.usage);
  return [
    "Here is what I can do:",
    ...lines,
    "",
    "Keys never appear in this chat: a link opens a page that shows the key once. " +
      `Use it with the API at ${escapeHtml(publicUrl)} (header X-API-Key).`,
  ].join("\n");
}

export function startCommands(core: Context): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command("start", async (ctx) => {
    const from = ctx.from!;
    const { user, created } = await upsertTelegramUser(core, {
      telegramId: from.id,
      name: telegramName(from),
    });
    ctx.user = user;
    const hello = created
      ? `Welcome to Berth, ${escapeHtml(user.name)}! Your account is ready.`
      : `Welcome back, ${escapeHtml(user.name)}.`;
    await ctx.reply(`${hello}\n\n${helpText(core.config.PUBLIC_URL)}`, HTML);
  });

  composer.command("help", (ctx) => ctx.reply(helpText(core.config.PUBLIC_URL), HTML));

  return composer;
}
