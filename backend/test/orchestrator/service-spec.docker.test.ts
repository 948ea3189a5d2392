// The hardened spec against the real daemon: built at its own API version,
// created on a labelled overlay network, read back and checked field by
// field, then shown from the inside (read-only root, capabilities, limits,
// secret file) and from a probe container on the same network.
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { defaultDeploymentPolicy } from "../../src/core/deployments/policy.js";
import { validateDeploymentRequest } from "../../src/core/deployments/schema.js";
import { DockerEngine } from "../../src/orchestrator/docker.js";
import { instanceLabels, labelFilter } from "../../src/orchestrator/labels.js";
import {
  buildServiceSpec,
  defaultSpecOptions,
  NO_NEW_PRIVILEGES_API,
  type ServiceSpec,
} from "../../src/orchestrator/service-spec.js";
import { checkHardening } from "../../src/orchestrator/spec-check.js";
import {
  createService,
  ensureNetwork,
  inspectService,
  listTasks,
  removeNetwork,
  removeService,
  updateService,
} from "../../src/orchestrator/swarm.js";
import { TEST_LABEL } from "../helpers/context.js";
import { waitFor } from "../helpers/wait.js";

const engine = new DockerEngine();
const runId = inject("runId");
const labels = instanceLabels(`t${runId}`, { [TEST_LABEL]: runId });
const prefix = `berth-t${runId}-spec`;
const names = {
  net: `${prefix}-net`,
  app: `${prefix}-app`,
  bare: `${prefix}-bare`,
  volume: `${prefix}-data`,
  secret: `${prefix}-token`,
};
const IMAGE = "127.0.0.1:5000/berth-test/app";
const SECRET = `token-${runId}`;
const NODE = "/usr/bin/node";
const policy = { ...defaultDeploymentPolicy, privateRegistries: ["127.0.0.1:5000"] };
const options = {
  ...defaultSpecOptions,
  endpointMode: "dnsrr" as const,
  publishMode: "host" as const,
};

let apiVersion = "";
let networkId = "";
let nodeId = "";
let secretId = "";

function buildApp(tag: string) {
  const deployment = validateDeploymentRequest(
    {
      environmentId: "env1",
      image: `${IMAGE}:${tag}`,
      ports: [{ containerPort: 8080 }],
      envVars: { MODE: "serve", API_TOKEN: { value: SECRET, secret: true } },
      volumes: [{ name: "data", path: "/data" }],
      healthcheck: { httpPath: "/health", probe: [NODE, "/app/probe.js"], interval: "1s" },
      capabilities: ["NET_BIND_SERVICE"],
    },
    policy,
  );
  return buildServiceSpec({
    apiVersion,
    serviceName: names.app,
    labels,
    networkId,
    deployment,
    volumeSources: { data: names.volume },
    nodeId,
    secrets: { API_TOKEN: { secretId, secretName: names.secret } },
    options,
  });
}

interface Task {
  DesiredState?: string;
  Status?: { State?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
}

/** The id of the service's running task's container, once there is one. */
async function runningContainer(serviceId: string): Promise<string> {
  return waitFor(
    async () => {
      const tasks = (await listTasks(engine, serviceId)) as Task[];
      const task = tasks.find((t) => t.Status?.State === "running" && t.DesiredState === "running");
      return task?.Status?.ContainerStatus?.ContainerID;
    },
    { timeoutMs: 90_000 },
  );
}

/** Runs argv in a container (no shell) and returns its output and exit code. */
async function exec(containerId: string, argv: string[]) {
  const exec = await engine.docker.getContainer(containerId).exec({
    Cmd: argv,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const chunks: Buffer[] = [];
  stdout.on("data", (c: Buffer) => chunks.push(c));
  stderr.on("data", (c: Buffer) => chunks.push(c));
  engine.docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise((resolve) => stream.on("end", resolve));
  const { ExitCode } = await exec.inspect();
  return { code: ExitCode, output: Buffer.concat(chunks).toString() };
}

// What the app's container sees of itself, printed as JSON.
const INSIDE = `
const fs = require("fs");
const tryWrite = (p) => { try { fs.writeFileSync(p, "x"); return "written"; } catch (e) { return e.code; } };
const read = (...paths) => { for (const p of paths) { try { return fs.readFileSync(p, "utf8").trim(); } catch {} } return null; };
const status = fs.readFileSync("/proc/self/status", "utf8");
const field = (k) => (status.match(new RegExp("^" + k + ":\\\\s*(.*)$", "m")) || [])[1];
console.log(JSON.stringify({
  root: tryWrite("/berth-probe"), tmp: tryWrite("/tmp/berth-probe"),
  capEff: field("CapEff"), capBnd: field("CapBnd"), noNewPrivs: field("NoNewPrivs"), uid: field("Uid"),
  pidsMax: read("/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max"),
  memoryMax: read("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
  nofile: (fs.readFileSync("/proc/self/limits", "utf8").match(/^Max open files\\s+(\\d+)\\s+(\\d+)/m) || []).slice(1),
  tmpMount: fs.readFileSync("/proc/mounts", "utf8").split("\\n").find((l) => l.split(" ")[1] === "/tmp"),
  secret: read(process.env.API_TOKEN_FILE), tokenEnv: process.env.API_TOKEN ?? null,
  tokenFile: process.env.API_TOKEN_FILE, mode: process.env.MODE,
}));`;

beforeAll(async () => {
  apiVersion = await engine.version();
  networkId = await ensureNetwork(engine, { name: names.net, labels, encrypted: false });
  nodeId = ((await engine.docker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
  await engine.docker.createVolume({ Name: names.volume, Labels: labels });
  const secret = (await engine.docker.createSecret({
    Name: names.secret,
    Labels: labels,
    Data: Buffer.from(SECRET).toString("base64"),
  })) as { id: string };
  secretId = secret.id;
});

afterAll(async () => {
  const containers = await engine.docker.listContainers({
    all: true,
    filters: labelFilter(labels),
  });
  for (const c of containers.filter((c) => !c.Labels["com.docker.swarm.service.id"])) {
    await engine.docker.getContainer(c.Id).remove({ force: true });
  }
  await removeService(engine, names.app, labels).catch(() => undefined);
  await removeService(engine, names.bare, labels).catch(() => undefined);
  // The volume, secret and network are free once the tasks' containers are gone.
  await waitFor(
    () =>
      engine.docker
        .getVolume(names.volume)
        .remove()
        .then(() => true),
    {
      timeoutMs: 60_000,
    },
  ).catch(() => undefined);
  await engine.docker
    .getSecret(secretId)
    .remove()
    .catch(() => undefined);
  await waitFor(() => removeNetwork(engine, names.net, labels).then(() => true), {
    timeoutMs: 60_000,
  }).catch(() => undefined);
});

describe("the hardened service spec on the real daemon", () => {
  let serviceId = "";
  let sent: ServiceSpec;

  it("is kept in full by the daemon, at its own API version", async () => {
    const built = buildApp("v1");
    sent = built.spec;
    const below144 = Number(apiVersion.split(".")[1]) < Number(NO_NEW_PRIVILEGES_API.split(".")[1]);
    expect(built.warnings).toEqual(
      below144 ? [expect.stringMatching(/^no-new-privileges is not set/)] : [],
    );
    serviceId = await createService(engine, sent);
    const actual = await inspectService(engine, names.app);
    expect(checkHardening(sent, actual)).toEqual([]);
    const spec = actual!.Spec!;
    const container = spec.TaskTemplate as { ContainerSpec: Record<string, unknown> };
    expect(container.ContainerSpec).toMatchObject({
      ReadOnly: true,
      Init: true,
      User: "65534:65534",
      CapabilityDrop: ["ALL"],
      CapabilityAdd: ["CAP_NET_BIND_SERVICE"],
      Ulimits: [{ Name: "nofile", Soft: 8192, Hard: 8192 }],
      Labels: labels,
      Env: ["MODE=serve", "API_TOKEN_FILE=/run/secrets/API_TOKEN"],
      Healthcheck: { Test: ["CMD", NODE, "/app/probe.js", "http://127.0.0.1:8080/health"] },
    });
    if (!below144)
      expect(container.ContainerSpec.Privileges).toMatchObject({ NoNewPrivileges: true });
    expect(spec.TaskTemplate).toMatchObject({
      Resources: { Limits: { Pids: 512, NanoCPUs: 500_000_000, MemoryBytes: 256 * 1024 ** 2 } },
      RestartPolicy: { Condition: "on-failure", MaxAttempts: 5 },
      LogDriver: { Name: "json-file", Options: { "max-size": "10m", "max-file": "3" } },
      Placement: { Constraints: [`node.id==${nodeId}`] },
      Networks: [{ Target: networkId }],
    });
    expect(spec.Labels).toMatchObject(labels);
    expect(spec.EndpointSpec).toEqual({ Mode: "dnsrr" });
    expect(JSON.stringify(actual)).not.toContain(SECRET);
  });

  it("runs healthy, read-only, without capabilities, within its limits", async () => {
    const containerId = await runningContainer(serviceId);
    const inspect = await engine.docker.getContainer(containerId).inspect();
    expect(inspect.State.Health?.Status).toBe("healthy");
    expect(inspect.HostConfig).toMatchObject({
      ReadonlyRootfs: true,
      Init: true,
      CapDrop: ["ALL"],
    });
    const { code, output } = await exec(containerId, [NODE, "-e", INSIDE]);
    expect(code).toBe(0);
    const seen = JSON.parse(output) as Record<string, unknown>;
    expect(seen).toMatchObject({
      root: "EROFS",
      tmp: "written",
      capEff: "0000000000000000",
      capBnd: "0000000000000400", // NET_BIND_SERVICE (bit 10) only
      uid: "65534\t65534\t65534\t65534",
      pidsMax: "512",
      memoryMax: String(256 * 1024 ** 2),
      nofile: ["8192", "8192"],
      secret: SECRET,
      tokenEnv: null,
      tokenFile: "/run/secrets/API_TOKEN",
      mode: "serve",
    });
    expect(seen.tmpMount).toMatch(/^tmpfs \/tmp tmpfs .*size=65536k/);
    if (Number(apiVersion.split(".")[1]) >= 44) expect(seen.noNewPrivs).toBe("1");
  }, 120_000);

  it("answers a probe container on the same network, by service name", async () => {
    const probe = await engine.docker.createContainer({
      name: `${prefix}-probe`,
      Image: `${IMAGE}:v1`,
      Labels: labels,
      User: "65534:65534",
      Cmd: [NODE, "/app/probe.js", `http://${names.app}:8080/`, "5000"],
      HostConfig: { NetworkMode: names.net, ReadonlyRootfs: true, CapDrop: ["ALL"] },
    });
    await probe.start();
    const { StatusCode } = (await probe.wait()) as { StatusCode: number };
    const logs = (await probe.logs({ stdout: true, stderr: true })).toString();
    expect({ StatusCode, logs }).toMatchObject({
      StatusCode: 0,
      logs: expect.stringContaining('"app":"berth-test"'),
    });
    await probe.remove({ force: true });
  }, 60_000);

  it("keeps every hardening field through an update", async () => {
    const before = await inspectService(engine, names.app);
    const next = buildApp("v2").spec;
    await updateService(engine, serviceId, before!.Version!.Index!, next);
    const after = await inspectService(engine, names.app);
    expect(after!.Version!.Index).toBeGreaterThan(before!.Version!.Index!);
    expect(
      (after!.Spec!.TaskTemplate as { ContainerSpec: { Image: string } }).ContainerSpec.Image,
    ).toBe(`${IMAGE}:v2`);
    expect(checkHardening(next, after)).toEqual([]);
  });

  it("flags a service the daemon created without a hardening field", async () => {
    const spec = structuredClone(sent);
    spec.Name = names.bare;
    spec.Mode = { Replicated: { Replicas: 0 } };
    delete spec.TaskTemplate.Resources!.Limits!.Pids;
    // A misspelt field is accepted and ignored by the daemon, without an error.
    const container = spec.TaskTemplate.ContainerSpec as Record<string, unknown>;
    delete container.ReadOnly;
    container.ReadOnlyRootFilesystem = true;
    await createService(engine, spec);
    const actual = await inspectService(engine, names.bare);
    expect(checkHardening({ ...sent, Name: names.bare }, actual)).toEqual([
      "TaskTemplate.ContainerSpec.ReadOnly: missing (expected true)",
      "TaskTemplate.Resources.Limits.Pids: missing (expected 512)",
    ]);
  });
});
