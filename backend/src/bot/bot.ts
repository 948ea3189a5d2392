// The Telegram door, assembled: middleware order, the feature composers,
// and the bot's life (long polling, or a webhook when a URL is set).
// Berth runs without it; when Telegram is away, the bot keeps retrying in
// the background and never holds up or crashes Berth.
import { setTimeout as sleep } from "node:timers/promises";
import type { Router } from "express";
import { Bot, GrammyError, HttpError, type BotError } from "grammy";
import type { Context } from "../core/context.js";
import { groupChats, identify, peopleOnly } from "./access.js";
import { deploymentCommands } from "./commands/deployments.js";
import { envCommands } from "./commands/envs.js";
import { keyCommands } from "./commands/keys.js";
import { notifyCommands } from "./commands/notify.js";
import { COMMANDS, startCommands } from "./commands/start.js";
import type { BotContext } from "./context.js";
import { isNotModified, loggable, replyForError } from "./errors.js";
import { floodControl } from "./flood.js";
import { HTML } from "./format.js";
import { startNotifier, type Notifier } from "./notify.js";
import { webhookRoutes } from "./webhook.js";

const ALLOWED_UPDATES = ["message", "callback_query"] as const;

// grammY's Node build types signals with the abort-controller shim; at run
// time it takes Node's own AbortSignal.
type ApiSignal = Parameters<Bot["api"]["setMyCommands"]>[2];
const apiSignal = (signal: AbortSignal) => signal as unknown as ApiSignal;

export interface TelegramBot {
  bot: Bot<BotContext>;
  /** Routes to mount in the HTTP app in webhook mode; null when polling. */
  webhook: Router | null;
  /** Deployment and certificate news for their owners (listening from creation). */
  notifier: Notifier;
  /** Starts in the background: getMe, setMyCommands, then polling or setWebhook. */
  start(): void;
  /** Stops polling and notifications; waits for updates being handled. */
  stop(): Promise<void>;
}

/** Tells the sender what went wrong; logs what was Berth's fault. */
function replyToError(core: Context) {
  return async (err: BotError<BotContext>) => {
    const { ctx, error } = err;
    if (isNotModified(error)) return;
    const { html, unexpected } = replyForError(error);
    const entry = { err: loggable(error), updateId: ctx.update.update_id };
    if (unexpected) core.log.error(entry, "bot update failed");
    else core.log.debug(entry, "bot refused an update");
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    if (!ctx.chat) return;
    await ctx.reply(html, HTML).catch((e: unknown) => {
      core.log.warn({ err: loggable(e) }, "bot could not send an error reply");
    });
  };
}

export function buildBot(core: Context, token: string): Bot<BotContext> {
  const bot = new Bot<BotContext>(token, {
    // Long polls last 30 s; anything slower than this is a dead connection.
    client: { apiRoot: core.config.TELEGRAM_API_ROOT, timeoutSeconds: 60 },
  });
  // Only reached if the error boundary's own reply throws; never rethrows.
  bot.catch((err) => core.log.error({ err: loggable(err.error) }, "bot update failed"));
  const guarded = bot.errorBoundary(replyToError(core));
  guarded.use(peopleOnly, floodControl(core.config.TELEGRAM_RATE_LIMIT_PER_MINUTE));
  guarded.chatType(["group", "supergroup"]).use(groupChats(COMMANDS.map((c) => c.command)));
  const chats = guarded.chatType("private");
  chats.use(identify(core));
  chats.use(
    startCommands(core),
    keyCommands(core),
    envCommands(core),
    notifyCommands(core),
    deploymentCommands(core),
  );
  chats.on("callback_query", (ctx) => ctx.answerCallbackQuery()); // a stale button
  chats.on("message", (ctx) => ctx.reply("I don't know that one. /help lists what I can do."));
  return bot;
}

/** Resolves when `work` does or after `ms`, whichever comes first. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([work.then(() => undefined), timeout]);
  clearTimeout(timer);
}

/** Runs `task` until it succeeds, waiting longer after each network or
 * server failure (Telegram away); other failures (a refused token) throw. */
async function retrying(core: Context, signal: AbortSignal, task: () => Promise<unknown>) {
  for (let delayMs = 1000; ; delayMs = Math.min(delayMs * 2, 300_000)) {
    try {
      await task();
      return;
    } catch (error) {
      const transient =
        error instanceof HttpError || (error instanceof GrammyError && error.error_code >= 429);
      if (!transient || signal.aborted) throw error;
      core.log.warn({ err: loggable(error), retryInMs: delayMs }, "Telegram unreachable");
      await sleep(delayMs, undefined, { signal });
    }
  }
}

async function registerCommands(core: Context, bot: Bot<BotContext>, signal: AbortSignal) {
  const commands = COMMANDS.map(({ command, description }) => ({ command, description }));
  try {
    // Private chats only: in groups the bot just says it works in private.
    const scope = { type: "all_private_chats" } as const;
    await bot.api.setMyCommands(commands, { scope }, apiSignal(signal));
  } catch (error) {
    // The menu is a convenience: the commands work without it.
    if (!signal.aborted) core.log.warn({ err: loggable(error) }, "setMyCommands failed");
  }
}

async function run(core: Context, bot: Bot<BotContext>, signal: AbortSignal): Promise<void> {
  await bot.init(apiSignal(signal)); // retries by itself while Telegram is unreachable
  await registerCommands(core, bot, signal);
  const { TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_SECRET: secret } = core.config;
  if (signal.aborted) return;
  if (url) {
    const options = { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] };
    await retrying(core, signal, () => bot.api.setWebhook(url, options, apiSignal(signal)));
    core.log.info({ bot: bot.botInfo.username }, "Telegram bot receiving updates by webhook");
    return;
  }
  core.log.info({ bot: bot.botInfo.username }, "Telegram bot polling for updates");
  // Resolves once stopped and the updates being handled are done.
  await bot.start({ allowed_updates: [...ALLOWED_UPDATES] });
}

export function createTelegramBot(core: Context, token: string): TelegramBot {
  const bot = buildBot(core, token);
  const { TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_SECRET: secret } = core.config;
  const webhook = url && secret ? webhookRoutes(bot, { url, secret }) : null;
  const abort = new AbortController();
  const notifier = startNotifier(core, bot.api);
  let running: Promise<void> = Promise.resolve();
  return {
    bot,
    webhook,
    notifier,
    start() {
      running = run(core, bot, abort.signal).catch((error: unknown) => {
        if (abort.signal.aborted) return;
        // 401: a wrong token; 409: another process polls with it. Berth goes on.
        core.log.error({ err: loggable(error) }, "Telegram bot stopped");
      });
    },
    async stop() {
      abort.abort();
      const stopping = Promise.all([
        bot.isRunning() ? bot.stop().catch(() => undefined) : undefined,
        running,
        notifier.close(),
      ]);
      await within(stopping, core.config.SHUTDOWN_TIMEOUT_MS);
    },
  };
}
