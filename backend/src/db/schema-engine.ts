// Prisma's WebAssembly schema engine, driven through @prisma/adapter-pg.
// The Prisma 7 CLI only runs migrations through a native engine that it
// downloads at run time; this module is what lets Berth migrate offline. It
// works around five problems of adapter-pg 7.10.1 under the schema engine
// (listed in the README); the package versions are pinned for that reason.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import pg from "pg";
import { parse as parseConnectionString } from "pg-connection-string";

const require = createRequire(import.meta.url);

// Node has WebAssembly; the ES2023 lib that Berth compiles against does not declare it.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, unknown>,
  ): Promise<{ instance: { exports: unknown } }>;
};

// Built-in type OIDs that adapter-pg maps; any other built-in (catalog types
// such as "char") makes it throw, so those are reported as text instead.
const SUPPORTED_OIDS = new Set([
  16, 17, 19, 20, 21, 23, 25, 26, 114, 142, 650, 700, 701, 790, 869, 1042, 1043, 1082, 1083, 1114,
  1184, 1266, 1560, 1562, 1700, 2950, 3802, 143, 199, 651, 791, 1000, 1001, 1002, 1005, 1007, 1009,
  1014, 1015, 1016, 1021, 1022, 1028, 1041, 1115, 1182, 1183, 1185, 1231, 1561, 1563, 2951, 3807,
]);
const FIRST_NORMAL_OID = 16384;
const TEXT_OID = 25;

interface PgResult {
  fields: { dataTypeID: number }[];
  rows: unknown[][];
}

function textifyUnsupported(result: PgResult): PgResult {
  result.fields.forEach((field, i) => {
    if (field.dataTypeID >= FIRST_NORMAL_OID || SUPPORTED_OIDS.has(field.dataTypeID)) return;
    field.dataTypeID = TEXT_OID;
    for (const row of result.rows) {
      const value = row[i];
      // pg hands types it has no parser for over as their text form already.
      if (value !== null && typeof value !== "string") row[i] = JSON.stringify(value);
    }
  });
  return result;
}

/** adapter-pg's pieces that the fixes reach into (not part of its types). */
interface AdapterInternals {
  performIO(query: unknown): Promise<PgResult>;
  onError(error: unknown): never;
}

function patchQueryable<T extends object>(queryable: T): T {
  const internals = queryable as unknown as AdapterInternals;
  const performIO = internals.performIO.bind(internals);
  internals.performIO = async (query) => textifyUnsupported(await performIO(query));
  return queryable;
}

function patchAdapter(adapter: SqlDriverAdapter, pool: pg.Pool): SqlDriverAdapter {
  patchQueryable(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (level) => patchQueryable(await startTransaction(level));
  // One simple-protocol query, as the native engine sends it: splitting on
  // ";" breaks $$ bodies and string literals, and loses atomicity.
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (error) {
      (adapter as unknown as AdapterInternals).onError(error);
    }
  };
  return adapter;
}

/** pg settings from a URL, with Prisma's `?schema=` applied to search_path. */
export function poolConfig(url: string): pg.PoolConfig & { schema?: string } {
  const parsed = parseConnectionString(url);
  const { schema, options, ...rest } = parsed as typeof parsed & { schema?: string };
  const config: pg.PoolConfig & { schema?: string } = {
    ...(rest as pg.PoolConfig),
    port: parsed.port ? Number(parsed.port) : undefined,
  };
  if (schema) {
    config.schema = schema;
    config.options = `${options ?? ""} -c search_path="${schema}"`.trim();
  } else if (options) {
    config.options = options;
  }
  return config;
}

/** Opens adapters for the engine and remembers them: the engine never
 * closes its connections itself, and an open one blocks DROP DATABASE or
 * CREATE DATABASE ... TEMPLATE. */
class AdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres";
  readonly adapterName = "@prisma/adapter-pg";
  private readonly open = new Set<() => Promise<void>>();
  private readonly config: pg.PoolConfig;
  private readonly schema?: string;

  constructor(url: string) {
    const { schema, ...config } = poolConfig(url);
    this.config = config;
    this.schema = schema;
  }

  connect(): Promise<SqlDriverAdapter> {
    return this.connectTo(this.config, this.schema);
  }

  // adapter-pg would reuse the connection string (so the "shadow" would be
  // the real database) and drop it before closing its own pool.
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await this.adminQuery(`CREATE DATABASE "${database}"`);
    return this.connectTo({ ...this.config, database }, undefined, () =>
      this.adminQuery(`DROP DATABASE IF EXISTS "${database}"`),
    );
  }

  /** Closes every connection the engine was given (idempotent). */
  async disposeAll(): Promise<void> {
    await Promise.all([...this.open].map((dispose) => dispose()));
  }

  private async adminQuery(sql: string): Promise<void> {
    const client = new pg.Client(this.config);
    await client.connect();
    await client.query(sql).finally(() => client.end());
  }

  private async connectTo(config: pg.PoolConfig, schema?: string, after?: () => Promise<void>) {
    const pool = new pg.Pool({ ...config, max: 4 });
    const factory = new PrismaPg(pool, { schema, disposeExternalPool: true });
    const adapter = patchAdapter(await factory.connect(), pool);
    const close = adapter.dispose.bind(adapter);
    let closed: Promise<void> | undefined;
    const dispose = () => {
      closed ??= close().then(async () => {
        this.open.delete(dispose);
        await after?.();
      });
      return closed;
    };
    adapter.dispose = dispose;
    this.open.add(dispose);
    return adapter;
  }
}

let wasmReady: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    // The package's exports hide the .wasm file: find it beside the entry.
    const entry = require.resolve("@prisma/schema-engine-wasm");
    const file = join(dirname(entry), "schema_engine_bg.wasm");
    const { instance } = await WebAssembly.instantiate(await readFile(file), {
      "./schema_engine_bg.js": glue,
    });
    const exports = instance.exports as { __wbindgen_start(): void };
    glue.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return wasmReady;
}

export interface EngineOptions {
  url: string;
  schemaPath: string;
  log?: (line: string) => void;
}

export interface OpenEngine {
  engine: SchemaEngine;
  close(): Promise<void>;
}

export async function openSchemaEngine(options: EngineOptions): Promise<OpenEngine> {
  await loadWasm();
  const source = await readFile(options.schemaPath, "utf8");
  const factory = new AdapterFactory(options.url);
  const engine = await glue.SchemaEngine.new(
    { datamodels: [[options.schemaPath, source]] },
    (line: string) => options.log?.(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  return {
    engine,
    async close() {
      engine.free();
      await factory.disposeAll();
    },
  };
}
