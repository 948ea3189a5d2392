// A Berth for the benchmarks: built (dist/, as in production), in a process
// of its own on a fresh database of the test bed, with a user and an admin
// key, and limits raised so that the measurements measure Berth itself.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createApiKey, daysFromNow } from "../backend/src/core/auth/create-api-key.js";
import { SCOPES } from "../backend/src/core/auth/scopes.js";
import { createDb, type Db } from "../backend/src/db/client.js";
import { BerthProcess } from "../backend/test/helpers/berth-process.js";
import { freePort } from "../backend/test/helpers/net.js";
import { benchDatabase, ROOT } from "./lib.js";

export interface BenchBerth {
  url: string;
  key: string;
  db: Db;
  process: BerthProcess;
  instance: string;
  /** Resident memory of the Berth process, in MB. */
  rssMb(): number;
  close(): Promise<void>;
}

export const BENCH_LABEL = "berth.test=bench";

export async function startBenchBerth(overrides: Record<string, string> = {}): Promise<BenchBerth> {
  const database = await benchDatabase();
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const instance = `bench${randomBytes(3).toString("hex")}`;
  const berth = new BerthProcess(
    {
      DATABASE_URL: database.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: url,
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      MIGRATE_ON_START: "false",
      ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      BERTH_INSTANCE: instance,
      BERTH_DOCKER_LABELS: BENCH_LABEL,
      DEPLOY_PRIVATE_REGISTRIES: "127.0.0.1:5000",
      RATE_LIMIT_API_PER_MINUTE: "100000000",
      RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: "100000",
      QUOTA_ENVIRONMENTS_PER_USER: "1000",
      QUOTA_SERVICES_PER_ENVIRONMENT: "100",
      QUOTA_REPLICAS_PER_ENVIRONMENT: "100",
      QUOTA_CPUS_PER_ENVIRONMENT: "1000",
      QUOTA_MEMORY_MB_PER_ENVIRONMENT: "1000000",
      DEPLOY_CONCURRENCY: "32",
      ...overrides,
    },
    url,
    ["dist/main.js"],
  );
  await berth.start();
  const db = createDb(database.url, { max: 4 });
  const user = await db.user.create({ data: { name: "bench", role: "ADMIN" } });
  const { key } = await createApiKey(
    { db, config: { BCRYPT_ROUNDS: 10 } },
    {
      userId: user.id,
      name: "bench",
      scopes: [...SCOPES],
      environmentIds: [],
      expiresAt: daysFromNow(1),
    },
  );
  return {
    url,
    key,
    db,
    process: berth,
    instance,
    rssMb() {
      const status = readFileSync(`/proc/${berth.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    async close() {
      await berth.stop();
      await db.$disconnect();
      await database.drop();
      execFileSync("bash", [`${ROOT}/scripts/testbed.sh`, "clean", "bench"], { stdio: "inherit" });
    },
  };
}
