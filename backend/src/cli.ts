// Operator commands: `npm run berth -- <command>`. Results go to standard
// output, messages to standard error, so the output can be piped.
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "./config.js";
import { createMigration, deployMigrations, migrationDrift } from "./db/migrate.js";

const USAGE = `usage: berth <command>
  migrate deploy          apply pending migrations to DATABASE_URL
  migrate create NAME     write a migration for schema.prisma's changes, then apply it
  migrate drift           print SQL the migrations lack to match schema.prisma (exit 2 if any)`;

type Command = (args: string[]) => Promise<number>;

const say = (line: string) => process.stderr.write(`${line}\n`);

const commands: Record<string, Command> = {
  async migrate([action, name]) {
    const { DATABASE_URL: url } = loadConfig();
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
