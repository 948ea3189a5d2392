// The Prisma client over node-postgres (Prisma 7 talks to the database
// through a driver adapter; there is no Rust query engine to download).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { poolConfig } from "./schema-engine.js";

export type Db = PrismaClient;

export function createDb(url: string, options: { max?: number } = {}): Db {
  const { schema, ...config } = poolConfig(url);
  const adapter = new PrismaPg({ ...config, max: options.max ?? 10 }, { schema });
  return new PrismaClient({ adapter });
}

/** True when the database answers a trivial query. */
export async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
