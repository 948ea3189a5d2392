// Runs once before the suite: brings the test bed up (idempotent, quick when
// it is already up) and builds a template database with every migration
// applied, which each test file clones in milliseconds.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { deployMigrations } from "../../src/db/migrate.js";

const ROOT = join(import.meta.dirname, "../../..");

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
    runId: string;
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject) {
  if (process.env.BERTH_TESTBED !== "external") {
    execFileSync("bash", [join(ROOT, "scripts/testbed.sh"), "up"], { stdio: "inherit" });
  }
  const adminUrl =
    process.env.BERTH_TEST_DATABASE_URL ??
    execFileSync("bash", [join(ROOT, "scripts/testbed.sh"), "database-url"])
      .toString()
      .trim();
  const runId = randomBytes(4).toString("hex");
  const templateDb = `berth_tpl_${runId}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${templateDb}`));
  await deployMigrations({ url: withDatabase(adminUrl, templateDb) });
  project.provide("adminUrl", adminUrl);
  project.provide("templateDb", templateDb);
  project.provide("runId", runId);

  return async () => {
    await admin(adminUrl, async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE $1",
        [`berth_%_${runId}%`],
      );
      for (const { datname } of rows)
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
    execFileSync("bash", [join(ROOT, "scripts/testbed.sh"), "clean", runId], { stdio: "inherit" });
  };
}
