// Swarm secrets (the values of env vars marked secret). Created with the
// deployment that needs them, removed with its service or environment.
import { dockerError, isDockerNotFound, type DockerEngine } from "./docker.js";
import { labelFilter, type Labels } from "./labels.js";

export async function createSecret(
  engine: DockerEngine,
  name: string,
  value: string,
  labels: Labels,
): Promise<string> {
  await engine.version();
  try {
    const created = (await engine.docker.createSecret({
      Name: name,
      Labels: labels,
      Data: Buffer.from(value).toString("base64"),
    })) as { id: string };
    return created.id;
  } catch (error) {
    throw dockerError(error);
  }
}

export async function listSecrets(engine: DockerEngine, labels: Labels) {
  await engine.version();
  try {
    return await engine.docker.listSecrets({ filters: labelFilter(labels) });
  } catch (error) {
    throw dockerError(error);
  }
}

/** Removes a secret by id; true if removed, false if it was already gone. */
export async function removeSecret(engine: DockerEngine, id: string): Promise<boolean> {
  try {
    await engine.docker.getSecret(id).remove();
    return true;
  } catch (error) {
    if (isDockerNotFound(error)) return false;
    throw dockerError(error);
  }
}
