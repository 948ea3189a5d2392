// The production path, for real: ./deploy.sh on this machine (local
// stand-ins for the public base images, Debian's docker-compose 1.29), then
// an operator's requests against the running stack: an admin key from the
// CLI, an environment, a deployment from the local registry that runs; then
// ./deploy.sh again (the upgrade path) while a probe on the app's network
// shows the app never stopped; then a backup restored into a fresh database.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { DockerEngine } from "../../src/orchestrator/docker.js";
import { TEST_LABEL } from "../helpers/context.js";
import { freePort } from "../helpers/net.js";
import { waitFor } from "../helpers/wait.js";
import { continuousProbe, removeInstanceObjects, type ContinuousProbe } from "./app-probe.js";
import {
  compose,
  containerOf,
  deploySh,
  labelsOverride,
  readBed,
  readEnv,
  ROOT,
  setEnv,
  type Result,
  type Stack,
} from "./stack.js";

const APP = "127.0.0.1:5000/berth-test/app";
const runId = inject("runId");
const tag = randomBytes(2).toString("hex");
const instance = `t${runId}p${tag}`;
const engine = new DockerEngine();
let stack: Stack;
let settings: Record<string, string>;
let url: string;

const ok = (what: string, result: Result) =>
  expect(result.code, `${what}\n${result.stdout}\n${result.stderr}`).toBe(0);

async function api<T>(
  path: string,
  key: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      "x-api-key": key,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface DeploymentView {
  deployment: { status: string; tag: string; errorMessage: string | null };
}

async function deploymentView(key: string, id: string): Promise<DeploymentView> {
  const answer = await api<DeploymentView>(`/deployments/${id}`, key);
  expect(answer.status).toBe(200);
  return answer.body;
}

interface Health {
  ok: boolean;
  database: { ok: boolean };
  egress: { enabled: boolean; applied: boolean; error?: string };
}

async function health(): Promise<Health> {
  const res = await fetch(`${url}/health`);
  expect(res.status).toBe(200);
  return (await res.json()) as Health;
}

beforeAll(async () => {
  execFileSync("bash", [join(ROOT, "scripts/testbed-prod.sh"), "up"], { stdio: "inherit" });
  const bed = readBed();
  const dir = await mkdtemp(join(tmpdir(), "berth-prod-"));
  const port = await freePort();
  const proxyName = `berth-${instance}-proxy`;
  const override = join(dir, "labels.yml");
  await writeFile(override, labelsOverride(runId, proxyName, instance));
  stack = {
    project: `berthprod${runId}${tag}`,
    dir,
    envFile: join(dir, ".env.prod"),
    composeFiles: `${join(ROOT, "docker-compose.prod.yml")}:${override}`,
    port,
  };
  url = `http://127.0.0.1:${port}`;
  // Ports, names and images of this run's own; everything else as shipped.
  settings = {
    BERTH_BIND_ADDRESS: "127.0.0.1",
    BERTH_HOST_PORT: String(port),
    PUBLIC_URL: url,
    BERTH_INSTANCE: instance,
    BERTH_DOCKER_LABELS: `${TEST_LABEL}=${runId}`,
    DEPLOY_PRIVATE_REGISTRIES: "127.0.0.1:5000",
    PROXY_BIND_ADDRESS: "127.0.0.1",
    PROXY_HTTP_PORT: String(await freePort()),
    PROXY_HTTPS_PORT: String(await freePort()),
    PROXY_CONTAINER: proxyName,
    PROXY_IMAGE: "berth-test/prod-proxy:latest",
    PROXY_BASE_IMAGE: bed.debianImage,
    NODE_IMAGE: bed.nodeImage,
    POSTGRES_IMAGE: bed.postgresImage,
    BERTH_IMAGE: "berth-test/prod-backend:latest",
    // The restore step runs Berth on an empty database for a moment: its
    // reconciler must not take this run's app for an orphan meanwhile.
    ORPHAN_GRACE_SECONDS: "3600",
    // The host's egress rules are shared with the other test files: one
    // round at each netguard start is all this test needs.
    NETGUARD_INTERVAL_SECONDS: "300",
    BCRYPT_ROUNDS: "4",
  };
}, 900_000);

afterAll(async () => {
  if (!stack) return;
  await compose(stack, ["down", "-v", "--remove-orphans", "-t", "5"]);
  await removeInstanceObjects(engine, { [TEST_LABEL]: runId, "berth.instance": instance });
  await rm(stack.dir, { recursive: true, force: true });
}, 180_000);

describe("deploy.sh", () => {
  let key: string;
  let envId: string;
  let deploymentId: string;
  let service: string;
  let network: string;

  it("says how it is used", async () => {
    const help = await deploySh(stack, ["--help"]);
    ok("--help", help);
    expect(help.stdout).toMatch(/backup \[FILE\]/);
    expect(help.stdout).toMatch(/restore FILE/);
  });

  it("creates the env file with strong secrets, mode 600, asking nothing", async () => {
    ok("init", await deploySh(stack, ["init"]));
    expect((await stat(stack.envFile)).mode & 0o777).toBe(0o600);
    const env = readEnv(stack.envFile);
    expect(env.ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(env.POSTGRES_PASSWORD).toMatch(/^[0-9a-f]{48}$/);
    setEnv(stack.envFile, settings);
  });

  it("brings the whole stack up healthy, with the egress guard in place", async () => {
    const result = await deploySh(stack, []);
    ok("deploy.sh", result);
    expect(result.stdout).toMatch(/Berth is running/);
    expect(result.stdout).toMatch(/create-admin-key/);
    expect(result.stdout).toMatch(/BotFather/);
    const report = await health();
    expect(report.ok).toBe(true);
    expect(report.egress).toEqual({ enabled: true, applied: true });
  }, 900_000);

  it("gives each part only what it needs", async () => {
    const inspect = async (service: string) =>
      engine.docker.getContainer(await containerOf(stack, service)).inspect();
    const envNames = (c: { Config: { Env: string[] } }) => c.Config.Env.map((e) => e.split("=")[0]);
    const socket = (c: { Mounts: { Source?: string }[] }) =>
      c.Mounts.some((m) => m.Source === "/var/run/docker.sock");

    const backend = await inspect("backend");
    expect(backend.Config.User).toBe("berth");
    expect(backend.HostConfig.ReadonlyRootfs).toBe(true);
    expect(backend.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(backend.HostConfig.CapAdd ?? []).toEqual([]);
    expect(backend.HostConfig.GroupAdd).toEqual([String((await stat("/var/run/docker.sock")).gid)]);
    expect(socket(backend)).toBe(true);

    // The netguard: host network and NET_ADMIN, and nothing else to give away.
    const netguard = await inspect("netguard");
    expect(netguard.HostConfig.NetworkMode).toBe("host");
    expect(netguard.HostConfig.CapAdd).toEqual(["NET_ADMIN"]);
    expect(netguard.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(socket(netguard)).toBe(false);
    expect(envNames(netguard)).not.toContain("DATABASE_URL");
    expect(envNames(netguard)).not.toContain("ENCRYPTION_KEY");
    expect(envNames(netguard)).not.toContain("POSTGRES_PASSWORD");

    const proxy = await inspect("proxy");
    expect(proxy.Name).toBe(`/${settings.PROXY_CONTAINER}`);
    expect(proxy.Config.Labels).toMatchObject({
      "berth.managed-by": "berth",
      "berth.instance": instance,
      "berth.role": "proxy",
    });
    expect(socket(proxy)).toBe(false);
    expect(envNames(proxy)).not.toContain("ENCRYPTION_KEY");
    expect(proxy.Mounts.map((m) => m.Name).sort()).toEqual(
      ["acme", "certs", "sites"].map((v) => `${settings.PROXY_CONTAINER}-${v}`),
    );

    const postgres = await inspect("postgres");
    expect(postgres.HostConfig.PortBindings ?? {}).toEqual({});
    expect(envNames(postgres)).not.toContain("ENCRYPTION_KEY");
  });

  it("serves an operator: admin key, environment, a deployment that runs", async () => {
    const created = await deploySh(stack, ["cli", "create-admin-key", "--name", "ops"]);
    ok("create-admin-key", created);
    key = created.stdout.trim();
    expect(key).toMatch(/^berth_/);
    expect((await api("/auth/whoami", key)).status).toBe(200);

    const env = await api<{ environment: { id: string; networkName: string } }>(
      "/environments",
      key,
      { name: "shop" },
    );
    expect(env.status).toBe(201);
    envId = env.body.environment.id;
    network = env.body.environment.networkName;
    service = `${network}-web`;

    const accepted = await api<{ deploymentId: string }>("/deployments", key, {
      environmentId: envId,
      image: APP,
      tag: "v1",
      name: "web",
      ports: [{ containerPort: 8080 }],
    });
    expect(accepted.status).toBe(202);
    deploymentId = accepted.body.deploymentId;
    await waitFor(
      async () => {
        const { deployment } = await deploymentView(key, deploymentId);
        if (deployment.status === "FAILED") throw new Error(deployment.errorMessage ?? "FAILED");
        return deployment.status === "RUNNING";
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
  }, 180_000);

  it("upgrades in place when run again: nothing lost, the app never stops", async () => {
    const before = readEnv(stack.envFile);
    const backendBefore = await containerOf(stack, "backend");
    const postgresBefore = await containerOf(stack, "postgres");
    // A changed setting, as an upgrade brings: the backend is replaced.
    setEnv(stack.envFile, { LOG_LEVEL: "debug" });
    const probe: ContinuousProbe = await continuousProbe(
      engine,
      network,
      `http://${service}:8080/`,
      {
        [TEST_LABEL]: runId,
      },
    );
    let result: Result;
    try {
      await probe.waitForFirstAnswer();
      result = await deploySh(stack, []);
    } finally {
      await new Promise((r) => setTimeout(r, 2000));
    }
    const summary = await probe.stop();
    console.log(`app probe during the upgrade: ${JSON.stringify(summary)}`);
    ok("deploy.sh (again)", result);
    expect(summary.failed, JSON.stringify(summary)).toBe(0);
    expect(summary.ok).toBeGreaterThan(20);

    expect(await containerOf(stack, "backend")).not.toBe(backendBefore);
    expect(await containerOf(stack, "postgres")).toBe(postgresBefore);
    const after = readEnv(stack.envFile);
    expect(after.ENCRYPTION_KEY).toBe(before.ENCRYPTION_KEY);
    expect(after.POSTGRES_PASSWORD).toBe(before.POSTGRES_PASSWORD);
    expect((await stat(stack.envFile)).mode & 0o777).toBe(0o600);

    expect((await api("/auth/whoami", key)).status).toBe(200);
    const env = await api<{ environment: { status: string } }>(`/environments/${envId}`, key);
    expect(env.body.environment.status).toBe("ACTIVE");
    expect((await deploymentView(key, deploymentId)).deployment.status).toBe("RUNNING");
    expect((await health()).egress.applied).toBe(true);
  }, 900_000);

  it("backs up, and restores into a fresh database with the data intact", async () => {
    const file = join(stack.dir, "berth.dump");
    const backup = await deploySh(stack, ["backup", file]);
    ok("backup", backup);
    expect((await stat(file)).size).toBeGreaterThan(1000);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // Everything of the stack goes, its database volume included.
    ok("down -v", await compose(stack, ["down", "-v", "-t", "5"]));
    // Meanwhile Berth made its proxy container itself: the stack takes the name back.
    const made = await engine.docker.createContainer({
      name: settings.PROXY_CONTAINER,
      Image: `${APP}:v1`,
      Labels: { "berth.managed-by": "berth", "berth.instance": instance, [TEST_LABEL]: runId },
    });
    ok("deploy.sh (fresh)", await deploySh(stack, []));
    const proxy = await engine.docker.getContainer(settings.PROXY_CONTAINER!).inspect();
    expect(proxy.Id).not.toBe(made.id);
    expect(proxy.Config.Labels["com.docker.compose.project"]).toBe(stack.project);
    expect((await api("/auth/whoami", key)).status).toBe(401);

    const restored = await deploySh(stack, ["restore", file]);
    ok("restore", restored);
    expect((await api("/auth/whoami", key)).status).toBe(200);
    const env = await api<{ environment: { name: string; status: string } }>(
      `/environments/${envId}`,
      key,
    );
    expect(env.body.environment).toMatchObject({ name: "shop", status: "ACTIVE" });
    expect((await deploymentView(key, deploymentId)).deployment).toMatchObject({
      status: "RUNNING",
      tag: "v1",
    });
    expect((await health()).ok).toBe(true);
  }, 900_000);
});
