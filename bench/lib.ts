// Shared pieces of the benchmarks: a real Berth on the test bed, and
// side-by-side measurement helpers (median and spread of several runs).
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { loadConfig, type Config } from "../backend/src/config.js";
import { deployMigrations } from "../backend/src/db/migrate.js";

export const ROOT = join(import.meta.dirname, "..");
const run = promisify(execFile);

/** Brings the test bed up and returns a fresh, migrated database URL. */
export async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  execFileSync("bash", [join(ROOT, "scripts/testbed.sh"), "up"], { stdio: "inherit" });
  const admin = execFileSync("bash", [join(ROOT, "scripts/testbed.sh"), "database-url"])
    .toString()
    .trim();
  const name = `berth_bench_${randomBytes(4).toString("hex")}`;
  const exec = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await exec(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await deployMigrations({ url: url.toString() });
  return { url: url.toString(), drop: () => exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export function benchConfig(url: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    MIGRATE_ON_START: "false",
    BERTH_INSTANCE: `bench${randomBytes(3).toString("hex")}`,
    BERTH_DOCKER_LABELS: "berth.test=bench",
    RATE_LIMIT_API_PER_MINUTE: "100000000",
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    DEPLOY_PRIVATE_REGISTRIES: "127.0.0.1:5000",
    ...overrides,
  });
}

export interface LoadResult {
  rps: number;
  p99: number;
  errors: number;
}

/** Load from a separate process (autocannon's CLI), so the load generator
 * does not share the event loop with the server it measures. */
export async function load(
  url: string,
  headers: Record<string, string> = {},
  seconds = 5,
  connections = 50,
): Promise<LoadResult> {
  const args = ["-j", "-c", String(connections), "-d", String(seconds)];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}=${value}`);
  const { stdout } = await run(join(ROOT, "node_modules/.bin/autocannon"), [...args, url], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: number[]): string {
  return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
}

export interface Figure {
  name: string;
  berth: string;
  baseline: string;
  ratio: number;
  ratioSpread: string;
  target: string;
  met: boolean;
  note?: string;
}

export function printFigure(f: Figure): void {
  console.log(
    `${f.name}\n  berth:    ${f.berth}\n  baseline: ${f.baseline}\n  ratio:    ${f.ratio.toFixed(2)} (runs ${f.ratioSpread}), target ${f.target}: ${f.met ? "met" : "MISSED"}${f.note ? `\n  note:     ${f.note}` : ""}`,
  );
}
