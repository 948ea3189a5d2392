// Operator commands: `npm run berth -- <command>`. Results go to standard
// output, messages to standard error, so the output can be piped.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError, loadCliConfig } from "./config.js";
import { createApiKey, daysFromNow } from "./core/auth/create-api-key.js";
import { keyNameSchema } from "./core/auth/schemas.js";
import { SCOPES } from "./core/auth/scopes.js";
import { recordAudit } from "./core/audit.js";
import { ensureAdminUser } from "./core/users/ensure-admin-user.js";
import { createDb } from "./db/client.js";
import { createMigration, deployMigrations, migrationDrift } from "./db/migrate.js";

const USAGE = `usage: berth <command>
  create-admin-key --name NAME [--days N]
                          create (or reuse) the admin user and print a new admin key
  migrate deploy          apply pending migrations to DATABASE_URL
  migrate create NAME     write a migration for schema.prisma's changes, then apply it
  migrate drift           print SQL the migrations lack to match schema.prisma (exit 2 if any)`;

type Command = (args: string[]) => Promise<number>;

const say = (line: string) => process.stderr.write(`${line}\n`);

async function createAdminKey(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { name: { type: "string" }, days: { type: "string" } },
  });
  const name = keyNameSchema.safeParse(values.name);
  if (!name.success) {
    say(`--name: ${name.error.issues[0]?.message ?? "required"}\n${USAGE}`);
    return 64;
  }
  const config = loadCliConfig();
  const days = Number(values.days ?? config.API_KEY_DEFAULT_TTL_DAYS);
  if (!Number.isInteger(days) || days < 1 || days > config.API_KEY_MAX_TTL_DAYS) {
    say(`--days: a whole number from 1 to ${config.API_KEY_MAX_TTL_DAYS}`);
    return 64;
  }
  const db = createDb(config.DATABASE_URL, { max: 2 });
  try {
    const user = await ensureAdminUser({ db });
    const created = await createApiKey(
      { db, config },
      {
        userId: user.id,
        name: name.data,
        scopes: [...SCOPES],
        environmentIds: [],
        expiresAt: daysFromNow(days),
      },
    );
    await recordAudit(
      { db },
      {
        action: "key.created",
        userId: user.id,
        keyId: created.view.keyId,
        detail: { name: name.data, via: "cli" },
      },
    );
    say(
      `created admin key ${created.view.keyId} (${name.data}) for ${user.name}, valid until ${created.view.expiresAt?.toISOString()}`,
    );
    process.stdout.write(`${created.key}\n`);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

const commands: Record<string, Command> = {
  "create-admin-key": createAdminKey,
  async migrate([action, name]) {
    const { DATABASE_URL: url } = loadCliConfig();
    if (action === "deploy") {
      const applied = await deployMigrations({ url });
      say(applied.length ? `applied: ${applied.join(", ")}` : "no pending migrations");
      return 0;
    }
    if (action === "create" && name) {
      const created = await createMigration({ url, name });
      say(created ? `created prisma/migrations/${created}` : "schema.prisma has no changes");
      return 0;
    }
    if (action === "drift") {
      const sql = await migrationDrift({ url });
      if (sql) process.stdout.write(`${sql}\n`);
      return sql ? 2 : 0;
    }
    say(USAGE);
    return 64;
  },
};

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    say(USAGE);
    return 64;
  }
  try {
    return await command(args);
  } catch (error) {
    say(error instanceof ConfigError ? error.message : `error: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // The schema engine leaves a timer running; exit explicitly.
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
