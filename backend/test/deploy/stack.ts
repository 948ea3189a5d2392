// The production stack of one test run: deploy.sh and docker-compose with a
// project name, ports, instance and labels of its own, so it runs beside the
// rest of the suite (and twice in a row) and leaves nothing behind.
import { execFile } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, "../../..");

/** What scripts/testbed-prod.sh built: local stand-ins for the public images. */
export interface ProdBed {
  nodeImage: string;
  postgresImage: string;
  debianImage: string;
}

export function readBed(): ProdBed {
  return JSON.parse(readFileSync(join(ROOT, ".berth/testbed/prod/bed.json"), "utf8")) as ProdBed;
}

export interface Stack {
  project: string;
  dir: string;
  envFile: string;
  /** docker-compose.prod.yml plus the test's labels, as COMPOSE_FILE. */
  composeFiles: string;
  port: number;
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; never throws on a non-zero exit (the test asserts on it). */
async function runCommand(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<Result> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: ROOT,
      env,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === "number" ? e.code : -1,
      stdout: e.stdout ?? "",
      stderr: `${e.stderr ?? ""}${typeof e.code === "string" ? ` (${e.code})` : ""}`,
    };
  }
}

/** A clean environment, as an operator's shell would have: no test settings leak in. */
function operatorEnv(stack: Stack): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: "C.UTF-8",
    COMPOSE_FILE: stack.composeFiles,
    BERTH_BACKUP_DIR: join(stack.dir, "backups"),
  };
}

/** ./deploy.sh ARGS with the stack's env file and project, no terminal. */
export function deploySh(stack: Stack, args: string[], timeoutMs = 600_000): Promise<Result> {
  return runCommand(
    join(ROOT, "deploy.sh"),
    ["--env-file", stack.envFile, "--project", stack.project, ...args],
    operatorEnv(stack),
    timeoutMs,
  );
}

/** docker-compose ARGS for the stack (as deploy.sh runs it). */
export function compose(stack: Stack, args: string[], timeoutMs = 300_000): Promise<Result> {
  const gid = String(statSync("/var/run/docker.sock").gid);
  return runCommand(
    "docker-compose",
    ["-p", stack.project, "--env-file", stack.envFile, ...args],
    { ...operatorEnv(stack), DOCKER_GID: gid, BERTH_ENV_FILE: stack.envFile },
    timeoutMs,
  );
}

/** Sets KEY=VALUE in the env file, replacing the line or adding one. */
export function setEnv(envFile: string, settings: Record<string, string>): void {
  const lines = readFileSync(envFile, "utf8").trimEnd().split("\n");
  for (const [key, value] of Object.entries(settings)) {
    const at = lines.findIndex((l) => l.startsWith(`${key}=`));
    if (at >= 0) lines[at] = `${key}=${value}`;
    else lines.push(`${key}=${value}`);
  }
  writeFileSync(envFile, `${lines.join("\n")}\n`);
}

export function readEnv(envFile: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(envFile, "utf8")
      .split("\n")
      .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/**
 * A compose file that labels every container, network and volume of the
 * stack with the test run's label (a volume's definition is replaced, not
 * merged, so the proxy volumes keep their names here).
 */
export function labelsOverride(label: string, proxyName: string, instance: string): string {
  const labels = `{ labels: { "berth.test": "${label}" } }`;
  const named = (suffix: string) =>
    `{ name: "${proxyName}-${suffix}", labels: { "berth.test": "${label}", ` +
    `"berth.managed-by": berth, "berth.instance": "${instance}", "berth.role": proxy } }`;
  return [
    'version: "2.4"',
    "services:",
    ...["postgres", "backend", "netguard", "proxy"].map((s) => `  ${s}: ${labels}`),
    "networks:",
    ...["data", "edge"].map((n) => `  ${n}: ${labels}`),
    "volumes:",
    `  postgres-data: ${labels}`,
    `  netguard: ${labels}`,
    `  proxy-sites: ${named("sites")}`,
    `  proxy-certs: ${named("certs")}`,
    `  proxy-acme: ${named("acme")}`,
    "",
  ].join("\n");
}

/** The id of a service's container in the stack ("" when it has none). */
export async function containerOf(stack: Stack, service: string): Promise<string> {
  const result = await compose(stack, ["ps", "-q", service]);
  return result.stdout.trim();
}
