// Berth as a process of its own, so a test can kill -9 it and start it again.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { waitFor } from "./wait.js";

const ROOT = join(import.meta.dirname, "../../..");

export class BerthProcess {
  private child: ChildProcess | undefined;
  output = "";

  constructor(
    private readonly env: Record<string, string>,
    readonly url: string,
    /** Node arguments: the sources through tsx by default, or ["dist/main.js"]. */
    private readonly entry: string[] = ["--import", "tsx", "backend/src/main.ts"],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, this.entry, {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on("data", (d: Buffer) => (this.output += d.toString()));
    await waitFor(
      async () => {
        if (this.child?.exitCode !== null) throw new Error(`Berth exited:\n${this.output}`);
        return (await fetch(`${this.url}/health`).catch(() => null))?.status === 200;
      },
      { timeoutMs: 60_000 },
    );
  }

  /** kill -9: no shutdown, no cleanup, locks left as they are. */
  async kill(): Promise<void> {
    const exited = new Promise((resolve) => this.child?.once("exit", resolve));
    this.child?.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child?.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}
