// The README's run command on this machine: `npm start` with no DATABASE_URL
// provides its own PostgreSQL, applies migrations, serves /health with 200,
// and stops cleanly on Ctrl-C.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./helpers/net.js";
import { waitFor } from "./helpers/wait.js";

const ROOT = join(import.meta.dirname, "../..");

let stateDir: string;
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  const pgDir = join(stateDir, "pg");
  const bin = execFileSync("bash", ["-c", `source ${ROOT}/scripts/lib.sh; pg_bindir`])
    .toString()
    .trim();
  const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  const [cmd, ...args] = [...asPostgres, `${bin}/pg_ctl`, "-D", pgDir, "-m", "immediate", "stop"];
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
  } catch {
    // not started
  }
  await rm(stateDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("brings Berth up healthy without a DATABASE_URL, and stops on Ctrl-C", async () => {
    stateDir = await mkdtemp(join(tmpdir(), "berth-start-"));
    await chmod(stateDir, 0o755); // the postgres user must reach the cluster folder
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      BERTH_STATE_DIR: stateDir,
      BERTH_PG_PORT: String(await freePort()),
      LOG_LEVEL: "info",
    };
    delete env.DATABASE_URL;
    let output = "";
    child = spawn("npm", ["start"], { cwd: ROOT, env, detached: true });
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));

    const health = await waitFor(
      async () => {
        if (child!.exitCode !== null) return { ok: false }; // gave up: show its output
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        return res.status === 200 ? ((await res.json()) as { ok: boolean }) : false;
      },
      { timeoutMs: 150_000, intervalMs: 500 },
    ).catch((error: unknown) => {
      throw new Error(`Berth did not become healthy:\n${output}`, { cause: error });
    });
    expect(health.ok, output).toBe(true);
    expect(output).toMatch(/using the local PostgreSQL/);
    expect(output).toMatch(/applied database migrations/);

    // Ctrl-C in a terminal signals the whole foreground process group.
    process.kill(-child.pid!, "SIGINT");
    await waitFor(
      () => {
        try {
          process.kill(-child!.pid!, 0);
          return false;
        } catch {
          return true; // no process of the group is left
        }
      },
      { timeoutMs: 20_000 },
    );
    expect(output).toMatch(/shutting down/);
    expect(output).not.toMatch(/shutdown failed/);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 200_000);
});
