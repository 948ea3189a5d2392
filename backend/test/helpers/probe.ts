// One-shot probe containers and minimal test services on the test bed. The
// probe is the local test app image (node inside); it only ever talks to the
// project's own containers (TESTBED.md's network rule).
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import type { DockerEngine } from "../../src/orchestrator/docker.js";
import { createService, listTasks } from "../../src/orchestrator/swarm.js";
import type { Labels } from "../../src/orchestrator/labels.js";
import { TEST_LABEL } from "./context.js";
import { waitFor } from "./wait.js";

export const TEST_IMAGE = "127.0.0.1:5000/berth-test/app";
const NODE = "/usr/bin/node";

export interface ProbeResult {
  exitCode: number;
  output: string;
}

/** Runs `node <script> ...args` in a container on `network`; returns its exit and output. */
export async function probe(
  engine: DockerEngine,
  network: string,
  script: "probe.js" | "resolve.js" | "loop.js",
  ...args: string[]
): Promise<ProbeResult> {
  const container = await engine.docker.createContainer({
    name: `berth-t${inject("runId")}-probe-${randomBytes(3).toString("hex")}`,
    Image: `${TEST_IMAGE}:v1`,
    Cmd: [NODE, `/app/${script}`, ...args],
    Labels: { [TEST_LABEL]: inject("runId") },
    Tty: true, // plain log output, no stream framing
    HostConfig: { NetworkMode: network },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true })) as unknown;
    // docker-modem parses a body that looks like JSON; give the text back as text.
    const output =
      Buffer.isBuffer(logs) || typeof logs === "string" ? logs.toString() : JSON.stringify(logs);
    return { exitCode: StatusCode, output: output.trim() };
  } finally {
    await container.remove({ force: true });
  }
}

/** A plain test app service on a network, waited until a task runs. */
export async function runTestService(
  engine: DockerEngine,
  options: { name: string; networkId: string; labels: Labels; aliases?: string[] },
): Promise<string> {
  const id = await createService(engine, {
    Name: options.name,
    Labels: options.labels,
    TaskTemplate: {
      ContainerSpec: { Image: `${TEST_IMAGE}:v1`, Labels: options.labels },
      Networks: [{ Target: options.networkId, Aliases: options.aliases ?? [] }],
      RestartPolicy: { Condition: "none" },
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: "dnsrr" },
  });
  await waitFor(
    async () => (await listTasks(engine, id)).some((t) => t.Status?.State === "running"),
    {
      timeoutMs: 60_000,
    },
  );
  return id;
}
