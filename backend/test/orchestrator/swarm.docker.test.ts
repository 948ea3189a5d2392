// The orchestrator against the real Docker Engine: a labelled overlay
// network and a service from the local registry, running, then removed.
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { DockerEngine } from "../../src/orchestrator/docker.js";
import { instanceLabels } from "../../src/orchestrator/labels.js";
import {
  createService,
  ensureNetwork,
  inspectService,
  listTasks,
  removeNetwork,
  removeService,
} from "../../src/orchestrator/swarm.js";
import { TEST_LABEL } from "../helpers/context.js";
import { waitFor } from "../helpers/wait.js";

const engine = new DockerEngine();
const runId = inject("runId");
const labels = instanceLabels(`t${runId}`, { [TEST_LABEL]: runId });
const net = `berth-t${runId}-net`;
const svc = `berth-t${runId}-svc`;

afterAll(async () => {
  await removeService(engine, svc, labels).catch(() => undefined);
  await waitFor(() => removeNetwork(engine, net, labels).then(() => true), {
    timeoutMs: 30_000,
  }).catch(() => undefined);
});

describe("swarm", () => {
  it("detects the daemon's API version", async () => {
    expect(await engine.version()).toMatch(/^1\.\d+$/);
    expect((await engine.status()).swarm).toMatchObject({ state: "active", manager: true });
  });

  it("creates a labelled overlay network idempotently", async () => {
    const id = await ensureNetwork(engine, { name: net, labels, encrypted: false });
    expect(await ensureNetwork(engine, { name: net, labels, encrypted: false })).toBe(id);
    // A new swarm network can inspect with Driver "" until it is allocated.
    const info = await waitFor(async () => {
      const n = await engine.docker.getNetwork(net).inspect();
      return n.Driver ? n : null;
    });
    expect(info).toMatchObject({ Driver: "overlay", Attachable: true, Scope: "swarm" });
    expect(info.Labels).toMatchObject(labels);
  });

  it("refuses to adopt or remove a network that lacks its labels", async () => {
    const other = { ...labels, "berth.instance": "someone-else" };
    await expect(
      ensureNetwork(engine, { name: net, labels: other, encrypted: false }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(removeNetwork(engine, net, other)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("runs a service from the local registry and removes it", async () => {
    const id = await createService(engine, {
      Name: svc,
      Labels: labels,
      TaskTemplate: {
        ContainerSpec: { Image: "127.0.0.1:5000/berth-test/app:v1", Labels: labels },
        Networks: [{ Target: net }],
        RestartPolicy: { Condition: "none" },
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: "dnsrr" },
    });
    await waitFor(
      async () => (await listTasks(engine, id)).some((t) => t.Status?.State === "running"),
      { timeoutMs: 60_000 },
    );
    expect((await inspectService(engine, svc))?.ID).toBe(id);
    expect(await removeService(engine, svc, labels)).toBe(true);
    expect(await removeService(engine, svc, labels)).toBe(false);
    expect(await inspectService(engine, svc)).toBeNull();
    await waitFor(() => removeNetwork(engine, net, labels).then(() => true), { timeoutMs: 30_000 });
    expect(await removeNetwork(engine, net, labels)).toBe(false);
  });
});
