// A real Berth for a test file: its own database, the real Docker Engine,
// HTTP on a free loopback port, and every log line captured.
import { createApiKey, daysFromNow } from "../../src/core/auth/create-api-key.js";
import { SCOPES, type Scope } from "../../src/core/auth/scopes.js";
import { createLogger } from "../../src/log.js";
import { startBerth, type Berth } from "../../src/main.js";
import { LogCapture, testConfig } from "./context.js";
import { createTestDatabase, type TestDatabase } from "./db.js";
import { freePort } from "./net.js";

export interface TestBerth {
  url: string;
  berth: Berth;
  ctx: Berth["ctx"];
  logs: LogCapture;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startTestBerth(overrides: Record<string, string> = {}): Promise<TestBerth> {
  const database = await createTestDatabase();
  // HOST and PORT may be given (a test whose proxy container must reach Berth).
  const port = overrides.PORT ? Number(overrides.PORT) : await freePort();
  const url = `http://${overrides.HOST ?? "127.0.0.1"}:${port}`;
  const config = testConfig(database.url, {
    PORT: String(port),
    PUBLIC_URL: url,
    BCRYPT_ROUNDS: "4",
    ...overrides,
  });
  const logs = new LogCapture();
  const berth = await startBerth(config, createLogger("debug", logs));
  return {
    url,
    berth,
    ctx: berth.ctx,
    logs,
    database,
    async close() {
      await berth.close();
      await database.drop();
    },
  };
}

export interface TestUser {
  userId: string;
  key: string;
  keyId: string;
}

let users = 0;

/** A user and a key for them, straight through the core. */
export async function createUserWithKey(
  t: TestBerth,
  options: {
    role?: "USER" | "ADMIN";
    scopes?: Scope[];
    environmentIds?: string[];
    expiresAt?: Date;
    userId?: string;
  } = {},
): Promise<TestUser> {
  const userId =
    options.userId ??
    (
      await t.ctx.db.user.create({
        data: {
          name: `user${++users}`,
          role: options.role ?? "USER",
          telegramId: BigInt(Date.now() * 1000 + users),
        },
      })
    ).id;
  const created = await createApiKey(t.ctx, {
    userId,
    name: "test key",
    scopes: options.scopes ?? SCOPES.filter((s) => s !== "admin"),
    environmentIds: options.environmentIds ?? [],
    expiresAt: options.expiresAt ?? daysFromNow(30),
  });
  return { userId, key: created.key, keyId: created.view.keyId };
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** fetch for JSON APIs: the key goes in X-API-Key when given. */
export async function call<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: "application/json", ...init.headers };
  if (init.key) headers["x-api-key"] = init.key;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
}
