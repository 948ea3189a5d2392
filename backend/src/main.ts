// Composition root: config → logger → migrations → database → Docker →
// doors. Nothing else in Berth constructs these objects.
import type { Server } from "node:http";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { createContext } from "./core/context.js";
import { createDb } from "./db/client.js";
import { deployMigrations, MigrationError } from "./db/migrate.js";
import { JobRunner } from "./core/deployments/job-runner.js";
import { startReconciler } from "./core/reconcile/reconcile.js";
import type { TelegramBot } from "./bot/bot.js";
import { createApp } from "./http/app.js";
import { createLogger, type Logger } from "./log.js";
import { DockerEngine, dockerOptions } from "./orchestrator/docker.js";

export interface Berth {
  ctx: ReturnType<typeof createContext>;
  server: Server;
  /** The Telegram bot, when TELEGRAM_BOT_TOKEN is set. */
  telegram: TelegramBot | null;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
  close(): Promise<void>;
}

async function migrate(config: Config, log: Logger): Promise<void> {
  if (!config.MIGRATE_ON_START) return;
  const applied = await deployMigrations({ url: config.DATABASE_URL });
  if (applied.length > 0) log.info({ applied }, "applied database migrations");
}

function listen(app: ReturnType<typeof createApp>, config: Config): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(config.PORT, config.HOST, (error?: Error) =>
      error ? reject(error) : resolve(server),
    );
  });
}

async function closeServer(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
}

export async function startBerth(config: Config, log = createLogger(config.LOG_LEVEL)) {
  await migrate(config, log);
  const db = createDb(config.DATABASE_URL);
  const engine = new DockerEngine(dockerOptions(config.DOCKER_HOST));
  const ctx = createContext({ config, db, engine, log });
  const flush = setInterval(() => void ctx.keys.flushLastUsed().catch(() => undefined), 30_000);
  flush.unref();
  const token = config.TELEGRAM_BOT_TOKEN;
  // grammY is loaded only when the bot is on: Berth without it stays smaller.
  const telegram = token ? (await import("./bot/bot.js")).createTelegramBot(ctx, token) : null;
  const server = await listen(createApp(ctx, { telegram: telegram?.webhook }), config);
  telegram?.start();
  const reconciler = startReconciler(ctx);
  const jobs = new JobRunner(ctx);
  jobs.start();
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  log.info({ port, publicUrl: config.PUBLIC_URL }, "Berth is listening");
  const close = async () => {
    await closeServer(server, config.SHUTDOWN_TIMEOUT_MS);
    await telegram?.stop();
    clearInterval(flush);
    await jobs.stop();
    await reconciler.stop();
    await ctx.tasks.drain();
    await ctx.keys.flushLastUsed();
    await db.$disconnect();
  };
  return { ctx, server, port, telegram, close } satisfies Berth;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Berth cannot start: ${error.message}\n`);
    process.exit(1);
  }
  const log = createLogger(config.LOG_LEVEL);
  const berth = await startBerth(config, log).catch((error: unknown) => {
    const what =
      error instanceof MigrationError ? "a database migration failed" : "start-up failed";
    log.fatal({ err: error }, `Berth cannot start: ${what}`);
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    berth.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void main();
}
