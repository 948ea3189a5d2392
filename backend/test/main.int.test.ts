// Start-up applies pending migrations before serving, and refuses to serve
// when a migration has failed, naming it.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigrationError } from "../src/db/migrate.js";
import { createLogger } from "../src/log.js";
import { startBerth } from "../src/main.js";
import { testConfig } from "./helpers/context.js";
import { createEmptyDatabase } from "./helpers/db.js";

let database: { url: string; drop(): Promise<void> };
beforeAll(async () => {
  database = await createEmptyDatabase();
});
afterAll(() => database.drop());

async function sql(text: string) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

describe("start-up migrations", () => {
  it("migrates an empty database before serving", async () => {
    const berth = await startBerth(
      testConfig(database.url, { MIGRATE_ON_START: "true" }),
      createLogger("silent"),
    );
    try {
      const rows = await sql(`SELECT count(*)::int AS n FROM _prisma_migrations`);
      expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
      expect((await fetch(`http://127.0.0.1:${berth.port}/health`)).status).toBe(200);
    } finally {
      await berth.close();
    }
  });

  it("refuses to serve after a failed migration, naming it", async () => {
    const [row] = await sql(`SELECT migration_name FROM _prisma_migrations LIMIT 1`);
    await sql(`UPDATE _prisma_migrations SET finished_at = NULL, logs = 'boom'`);
    const error = await startBerth(
      testConfig(database.url, { MIGRATE_ON_START: "true" }),
      createLogger("silent"),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe("P3009");
    expect((error as Error).message).toContain(String(row!.migration_name));
  });
});
