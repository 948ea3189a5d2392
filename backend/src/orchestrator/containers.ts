// Containers, read only: Swarm owns the containers of Berth's services, and
// Berth waits for them to be gone before it removes their volumes.
import { dockerError, type DockerEngine } from "./docker.js";
import { labelFilter, type Labels } from "./labels.js";

export async function countContainers(engine: DockerEngine, labels: Labels): Promise<number> {
  await engine.version();
  try {
    const list = await engine.docker.listContainers({ all: true, filters: labelFilter(labels) });
    return list.length;
  } catch (error) {
    throw dockerError(error);
  }
}

/** Resolves once no container carries `labels` (or throws after the timeout). */
export async function waitForNoContainers(
  engine: DockerEngine,
  labels: Labels,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await countContainers(engine, labels)) > 0) {
    if (Date.now() > deadline) {
      throw dockerError(new Error(`containers still present after ${timeoutMs} ms`));
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
