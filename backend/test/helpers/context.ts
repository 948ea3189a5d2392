// A real Context for tests: the real database and Docker Engine, a logger
// whose lines the test can read, and labels that mark every Docker object
// as this test run's (scripts/testbed.sh clean removes them by label).
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { inject } from "vitest";
import { loadConfig, type Config } from "../../src/config.js";
import { createContext, type Context } from "../../src/core/context.js";
import { createLogger } from "../../src/log.js";
import { DockerEngine } from "../../src/orchestrator/docker.js";
import { createTestDatabase, type TestDatabase } from "./db.js";

export const TEST_LABEL = "berth.test";
export const TEST_ENCRYPTION_KEY = randomBytes(32).toString("hex");

export function testConfig(url: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "debug",
    NODE_ENV: "test",
    // One instance per Berth under test: a reconciler only ever touches its own objects.
    BERTH_INSTANCE: `t${inject("runId")}${randomBytes(2).toString("hex")}`,
    BERTH_DOCKER_LABELS: `${TEST_LABEL}=${inject("runId")}`,
    MIGRATE_ON_START: "false",
    RECONCILE_INTERVAL_SECONDS: "0",
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    DEPLOY_PRIVATE_REGISTRIES: "127.0.0.1:5000",
    // Tests that exercise the deployment rate limit set it back to the default.
    RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: "1000",
    ...overrides,
  });
}

/** Collects log lines so a test can assert what was (not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.lines.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.lines.join("");
  }
}

export interface TestContext extends Context {
  logs: LogCapture;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function createTestContext(
  overrides: Record<string, string> = {},
): Promise<TestContext> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, overrides);
  const logs = new LogCapture();
  const ctx = createContext({
    config,
    db: database.db,
    engine: new DockerEngine(),
    log: createLogger(config.LOG_LEVEL, logs),
  });
  return { ...ctx, logs, database, close: () => database.drop() };
}
