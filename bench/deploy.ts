// Figures 2 and 3: a deployment's POST → RUNNING against `docker service
// create` + wait for a running task, same image, same network; and 100
// deployments across 20 environments at once against 100 raw services
// created in parallel.
import { randomBytes } from "node:crypto";
import { DockerEngine } from "../backend/src/orchestrator/docker.js";
import { createService, listTasks, removeService } from "../backend/src/orchestrator/swarm.js";
import { call } from "../backend/test/helpers/berth.js";
import { BENCH_LABEL, type BenchBerth } from "./berth.js";
import { median, spread, type Figure } from "./lib.js";

const IMAGE = "127.0.0.1:5000/berth-test/app:v1";
const engine = new DockerEngine();
const [labelKey, labelValue] = BENCH_LABEL.split("=") as [string, string];
const labels = { [labelKey]: labelValue };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function environment(berth: BenchBerth, name: string) {
  const env = await call<{
    environment: { id: string; networkName: string; overlayNetworkId: string };
  }>(`${berth.url}/environments`, { method: "POST", key: berth.key, body: { name } });
  return env.body.environment;
}

async function berthDeploy(berth: BenchBerth, environmentId: string, name: string) {
  const answer = await call<{ deploymentId: string }>(`${berth.url}/deployments`, {
    method: "POST",
    key: berth.key,
    body: { environmentId, image: IMAGE, name },
  });
  if (answer.status !== 202) throw new Error(`deploy: ${JSON.stringify(answer.body)}`);
  return answer.body.deploymentId;
}

async function statusOf(berth: BenchBerth, id: string) {
  return (await berth.db.deployment.findUniqueOrThrow({ where: { id }, select: { status: true } }))
    .status;
}

async function waitRunning(berth: BenchBerth, id: string) {
  while ((await statusOf(berth, id)) !== "RUNNING") await sleep(50);
}

async function rawService(name: string, networkId: string) {
  const id = await createService(engine, {
    Name: name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: { Image: IMAGE, Labels: labels },
      Networks: [{ Target: networkId }],
      RestartPolicy: { Condition: "on-failure" },
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: "dnsrr" },
  });
  while (!(await listTasks(engine, id)).some((t) => t.Status?.State === "running")) await sleep(50);
}

export async function benchDeployLatency(berth: BenchBerth, runs = 7): Promise<Figure> {
  const env = await environment(berth, `lat${randomBytes(2).toString("hex")}`);
  // Untimed: the first task on an overlay network also sets the network up on
  // the node, a cost only whichever side went first would pay.
  await waitRunning(berth, await berthDeploy(berth, env.id, "warmup"));
  const ours: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < runs; i++) {
    let start = Date.now();
    await waitRunning(berth, await berthDeploy(berth, env.id, `svc${i}`));
    ours.push(Date.now() - start);
    start = Date.now();
    await rawService(`bench-raw-${randomBytes(3).toString("hex")}`, env.overlayNetworkId);
    raw.push(Date.now() - start);
  }
  const ratios = ours.map((o, i) => o / raw[i]!);
  const ratio = median(ratios);
  return {
    name: "2. Deploy latency: POST /deployments → RUNNING vs docker service create → running task",
    berth: `${median(ours)} ms (runs ${Math.min(...ours)}–${Math.max(...ours)})`,
    baseline: `${median(raw)} ms (runs ${Math.min(...raw)}–${Math.max(...raw)})`,
    ratio,
    ratioSpread: spread(ratios),
    target: "≤ 1.2",
    met: ratio <= 1.2,
    note:
      "DEPLOY_WATCH_WINDOW=0s for the comparison (by default Berth also waits 10 s of stable running before it says RUNNING); " +
      "one untimed deployment first sets the environment's network up on the node; both sides poll every 50 ms",
  };
}

export async function benchConcurrency(berth: BenchBerth, envs = 20, perEnv = 5): Promise<Figure> {
  const created = await Promise.all(
    Array.from({ length: envs }, (_, i) =>
      environment(berth, `con${i}${randomBytes(2).toString("hex")}`),
    ),
  );
  let start = Date.now();
  const ids = await Promise.all(
    created.flatMap((env) =>
      Array.from({ length: perEnv }, (_, j) => berthDeploy(berth, env.id, `s${j}`)),
    ),
  );
  let statuses: string[];
  for (;;) {
    const rows = await berth.db.deployment.findMany({
      where: { id: { in: ids } },
      select: { status: true },
    });
    statuses = rows.map((r) => r.status);
    if (statuses.every((s) => s === "RUNNING" || s === "FAILED")) break;
    await sleep(250);
  }
  const ours = Date.now() - start;
  const running = statuses.filter((s) => s === "RUNNING").length;
  start = Date.now();
  await Promise.all(
    created.flatMap((env) =>
      Array.from({ length: perEnv }, () =>
        rawService(`bench-raw-${randomBytes(4).toString("hex")}`, env.overlayNetworkId),
      ),
    ),
  );
  const raw = Date.now() - start;
  const total = envs * perEnv;
  return {
    name: `3. Concurrency: ${total} deployments across ${envs} environments at once`,
    berth: `${(ours / 1000).toFixed(1)} s, ${running}/${total} RUNNING, ${ids.length - new Set(ids).size} lost`,
    baseline: `${(raw / 1000).toFixed(1)} s for ${total} raw services in parallel`,
    ratio: ours / raw,
    ratioSpread: "single run",
    target: `all ${total} RUNNING, none lost (time reported)`,
    met: running === total && rowsMatch(ids, total),
  };
}

function rowsMatch(ids: string[], total: number) {
  return ids.length === total && new Set(ids).size === total;
}

/** Removes what the raw baselines created (Berth's own go with its environments). */
export async function cleanRaw(): Promise<void> {
  for (const s of await engine.docker.listServices({ filters: { label: [BENCH_LABEL] } })) {
    await removeService(engine, s.Spec!.Name!, labels).catch(() => false);
  }
}
