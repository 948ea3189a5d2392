// A probe that requests the app without pause from a container on its
// network (the test image: node inside) until told to stop, and the clean-up
// of the Docker objects one Berth instance of the test made.
import type Docker from "dockerode";
import { randomBytes } from "node:crypto";
import type { DockerEngine } from "../../src/orchestrator/docker.js";
import { labelFilter, type Labels } from "../../src/orchestrator/labels.js";
import { waitFor } from "../helpers/wait.js";

// As loop.js counts: a request fails only when three tries in a row fail;
// prints the tally on SIGTERM.
const SCRIPT = `
const http = require("node:http");
const url = process.argv[1];
let ok = 0, failed = 0, stop = false;
const once = () => new Promise((resolve) => {
  const req = http.get(url, { timeout: 1000, agent: false }, (res) => {
    res.resume();
    res.on("end", () => resolve(res.statusCode === 200));
  });
  req.on("timeout", () => req.destroy());
  req.on("error", () => resolve(false));
});
process.on("SIGTERM", () => { stop = true; });
(async () => {
  while (!stop) {
    let good = false;
    for (let i = 0; i < 3 && !good; i++) good = await once();
    if (good) ok++; else failed++;
    console.log(good ? "ok" : "failed");
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(JSON.stringify({ ok, failed }));
  process.exit(0);
})();
`;

export interface ContinuousProbe {
  waitForFirstAnswer(): Promise<void>;
  stop(): Promise<{ ok: number; failed: number }>;
}

async function logsOf(container: Docker.Container): Promise<string> {
  const logs = (await container.logs({ stdout: true, stderr: true })) as unknown;
  return Buffer.isBuffer(logs) || typeof logs === "string" ? logs.toString() : JSON.stringify(logs);
}

export async function continuousProbe(
  engine: DockerEngine,
  network: string,
  url: string,
  labels: Labels,
): Promise<ContinuousProbe> {
  const container = await engine.docker.createContainer({
    name: `berth-prod-probe-${randomBytes(3).toString("hex")}`,
    Image: "127.0.0.1:5000/berth-test/app:v1",
    Cmd: ["/usr/bin/node", "-e", SCRIPT, url],
    Labels: labels,
    Tty: true, // plain log output, no stream framing
    HostConfig: { NetworkMode: network },
  });
  await container.start();
  return {
    async waitForFirstAnswer() {
      await waitFor(async () => /\bok\b/.test(await logsOf(container)), { timeoutMs: 30_000 });
    },
    async stop() {
      try {
        await container.kill({ signal: "SIGTERM" });
        await container.wait();
        const tally = (await logsOf(container)).match(/\{"ok":\d+,"failed":\d+\}/)?.[0];
        if (!tally) throw new Error(`the probe printed no tally:\n${await logsOf(container)}`);
        return JSON.parse(tally) as { ok: number; failed: number };
      } finally {
        await container.remove({ force: true });
      }
    },
  };
}

/** Removes the services, then the networks and volumes, that carry all `labels`. */
export async function removeInstanceObjects(engine: DockerEngine, labels: Labels): Promise<void> {
  const docker = engine.docker;
  const filters = JSON.stringify(labelFilter(labels));
  for (const s of await docker.listServices({ filters })) {
    await docker
      .getService(s.ID)
      .remove()
      .catch(() => undefined);
  }
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  await waitFor(
    async () => {
      for (const n of await docker.listNetworks({ filters })) {
        await docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => undefined);
      }
      const { Volumes } = await docker.listVolumes({ filters });
      for (const v of Volumes ?? [])
        await docker
          .getVolume(v.Name)
          .remove()
          .catch(() => undefined);
      return (await docker.listNetworks({ filters })).length === 0;
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  ).catch(() => undefined);
}
