// Figure 7: GET /environments and GET /deployments/environment/:id latency
// with 10, 1,000 and 10,000 rows: pages and indexes keep it flat.
import { randomBytes } from "node:crypto";
import { createApiKey, daysFromNow } from "../backend/src/core/auth/create-api-key.js";
import { SCOPES } from "../backend/src/core/auth/scopes.js";
import type { BenchBerth } from "./berth.js";
import { median, type Figure } from "./lib.js";

async function latencyMs(url: string, key: string, requests = 200): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const start = process.hrtime.bigint();
    const res = await fetch(url, { headers: { "x-api-key": key } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/**
 * Rows in batches small enough for one statement each: Prisma splits a larger
 * createMany into statements it sends at once on one connection (pg warns).
 */
async function inBatches<T>(
  rows: number,
  row: (i: number) => T,
  insert: (data: T[]) => Promise<unknown>,
) {
  for (let start = 0; start < rows; start += 2_000) {
    const end = Math.min(rows, start + 2_000);
    await insert(Array.from({ length: end - start }, (_, k) => row(start + k)));
  }
}

/** A user owning `rows` environments, one of which holds `rows` deployments. */
async function seed(berth: BenchBerth, rows: number) {
  const user = await berth.db.user.create({ data: { name: `growth${rows}` } });
  const tag = randomBytes(3).toString("hex");
  await inBatches(
    rows,
    (i) => ({
      name: `g${i}`,
      slug: `g${i}-${tag}`,
      networkName: `berth-g${i}-${tag}`,
      ownerId: user.id,
      status: "ACTIVE" as const, // rows only: the bench Berth runs no reconcile rounds
    }),
    (data) => berth.db.environment.createMany({ data }),
  );
  const env = await berth.db.environment.findFirstOrThrow({ where: { ownerId: user.id } });
  await inBatches(
    rows,
    (i) => ({
      jobId: `job_growth_${tag}_${i}`,
      serviceName: `s${i % 20}`,
      image: "127.0.0.1:5000/berth-test/app",
      tag: "v1",
      replicas: 1,
      status: "SUPERSEDED" as const,
      environmentId: env.id,
    }),
    (data) => berth.db.deployment.createMany({ data }),
  );
  // As autovacuum would after a real load: the planner needs the table's size.
  await berth.db.$executeRawUnsafe(`ANALYZE "Environment", "Deployment"`);
  const { key } = await createApiKey(
    { db: berth.db, config: { BCRYPT_ROUNDS: 4 } },
    {
      userId: user.id,
      name: "growth",
      scopes: [...SCOPES],
      environmentIds: [],
      expiresAt: daysFromNow(1),
    },
  );
  return { key, envId: env.id };
}

export async function benchGrowth(berth: BenchBerth): Promise<Figure> {
  const results: Record<number, { envs: number; deps: number }> = {};
  for (const rows of [10, 1_000, 10_000]) {
    const { key, envId } = await seed(berth, rows);
    await latencyMs(`${berth.url}/environments?limit=20`, key, 20); // warm
    results[rows] = {
      envs: await latencyMs(`${berth.url}/environments?limit=20`, key),
      deps: await latencyMs(`${berth.url}/deployments/environment/${envId}?limit=20`, key),
    };
  }
  const line = (pick: "envs" | "deps") =>
    [10, 1_000, 10_000].map((n) => `${n}: ${results[n]![pick].toFixed(2)} ms`).join(", ");
  const ratio = Math.max(
    results[10_000]!.envs / results[10]!.envs,
    results[10_000]!.deps / results[10]!.deps,
  );
  return {
    name: "7. Growth: median latency of a 20-row page at 10 / 1,000 / 10,000 rows",
    berth: `GET /environments ${line("envs")}`,
    baseline: `GET /deployments/environment/:id ${line("deps")}`,
    ratio,
    ratioSpread: "worst of the two, 10,000 rows vs 10",
    target: "flat (≤ 1.5)",
    met: ratio <= 1.5,
  };
}
