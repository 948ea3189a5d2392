// The offline migration runner against a real PostgreSQL: it must keep the
// same history as `prisma migrate deploy`, and catch a schema that drifts.
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMigration,
  deployMigrations,
  migrationDrift,
  MigrationError,
} from "../../src/db/migrate.js";
import { createEmptyDatabase } from "../helpers/db.js";

const ROOT = join(import.meta.dirname, "../../..");
const MIGRATIONS = join(ROOT, "prisma/migrations");
const SCHEMA = join(ROOT, "prisma/schema.prisma");

async function query<T extends pg.QueryResultRow>(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

let scratch: string;
const drops: (() => Promise<void>)[] = [];

async function emptyDb(): Promise<string> {
  const db = await createEmptyDatabase();
  drops.push(() => db.drop());
  return db.url;
}

/** A throwaway project: schema.prisma plus a copy of the committed migrations. */
async function scratchProject(name: string) {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  await cp(MIGRATIONS, join(dir, "migrations"), { recursive: true });
  await cp(SCHEMA, join(dir, "schema.prisma"));
  return { schemaPath: join(dir, "schema.prisma"), migrationsDir: join(dir, "migrations") };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "berth-migrate-"));
});
afterAll(async () => {
  await Promise.all(drops.map((drop) => drop()));
  await rm(scratch, { recursive: true, force: true });
});

describe("deployMigrations", () => {
  it("applies every committed migration once, with the CLI's checksums", async () => {
    const url = await emptyDb();
    const names = (await readdir(MIGRATIONS, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(await deployMigrations({ url })).toEqual(names);
    expect(await deployMigrations({ url })).toEqual([]);

    const rows = await query<{ migration_name: string; checksum: string; ok: boolean }>(
      url,
      `SELECT migration_name, checksum, finished_at IS NOT NULL AND rolled_back_at IS NULL AS ok
       FROM _prisma_migrations ORDER BY migration_name`,
    );
    const expected = await Promise.all(
      names.map(async (name) => ({
        migration_name: name,
        checksum: createHash("sha256")
          .update(await readFile(join(MIGRATIONS, name, "migration.sql")))
          .digest("hex"),
        ok: true,
      })),
    );
    expect(rows).toEqual(expected);
  });

  it("honours ?schema= for the tables and the bookkeeping", async () => {
    const url = `${await emptyDb()}?schema=berth_app`;
    await query(url, "CREATE SCHEMA berth_app");
    await deployMigrations({ url });
    const tables = await query<{ table_schema: string }>(
      url,
      `SELECT DISTINCT table_schema FROM information_schema.tables
       WHERE table_name IN ('_prisma_migrations', 'User')`,
    );
    expect(tables).toEqual([{ table_schema: "berth_app" }]);
    expect(await deployMigrations({ url })).toEqual([]);
  });

  it("runs a script with $$ bodies and literal semicolons as one statement", async () => {
    const project = await scratchProject("dollar");
    const dir = join(project.migrationsDir, "29990101000000_function");
    await mkdir(dir);
    await writeFile(
      join(dir, "migration.sql"),
      `CREATE FUNCTION berth_semi() RETURNS text AS $$ BEGIN RETURN 'a;b'; END; $$ LANGUAGE plpgsql;\n`,
    );
    const url = await emptyDb();
    await deployMigrations({ url, ...project });
    expect(await query(url, "SELECT berth_semi() AS v")).toEqual([{ v: "a;b" }]);
  });

  it("leaves no partial DDL behind a failed migration and then refuses (P3009)", async () => {
    const project = await scratchProject("failing");
    const dir = join(project.migrationsDir, "29990101000000_broken");
    await mkdir(dir);
    await writeFile(
      join(dir, "migration.sql"),
      `CREATE TABLE "Half" (id int);\nSELECT * FROM "NoSuchTable";\n`,
    );
    const url = await emptyDb();
    await expect(deployMigrations({ url, ...project })).rejects.toThrow(MigrationError);
    expect(await query(url, `SELECT to_regclass('"Half"') AS t`)).toEqual([{ t: null }]);
    const error = await deployMigrations({ url, ...project }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe("P3009");
  });
});

describe("migration drift", () => {
  it("finds none between the committed migrations and schema.prisma", async () => {
    const url = await emptyDb();
    expect(await migrationDrift({ url })).toBe("");
  });

  it("reports a schema change that has no migration, and create writes one", async () => {
    const project = await scratchProject("drift");
    const schema = await readFile(project.schemaPath, "utf8");
    await writeFile(
      project.schemaPath,
      schema.replace("model User {", "model User {\n  nickname String?"),
    );
    const url = await emptyDb();
    expect(await migrationDrift({ url, ...project })).toMatch(
      /ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT/,
    );
    const created = await createMigration({ url, name: "nickname", ...project });
    expect(created).toMatch(/^\d{14}_nickname$/);
    expect(await migrationDrift({ url, ...project })).toBe("");
    const columns = await query(
      url,
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'nickname'`,
    );
    expect(columns).toHaveLength(1);
    // No shadow database is left behind.
    const shadows = await query(
      url,
      `SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'`,
    );
    expect(shadows).toEqual([]);
  });
});
