// Named volumes through dockerode, idempotent and label-checked like the
// rest of the orchestrator. Only the `local` driver without options: a
// tenant never gets bind options (a host path) through a volume.
import type Docker from "dockerode";
import { AppError } from "../core/errors.js";
import { dockerError, isDockerNotFound, type DockerEngine } from "./docker.js";
import { hasLabels, labelFilter, type Labels } from "./labels.js";

async function inspectVolume(engine: DockerEngine, name: string) {
  try {
    return (await engine.docker.getVolume(name).inspect()) as Docker.VolumeInspectInfo & {
      Labels: Labels | null;
    };
  } catch (error) {
    if (isDockerNotFound(error)) return null;
    throw dockerError(error);
  }
}

/** The volume, created when missing. */
export async function ensureVolume(engine: DockerEngine, name: string, labels: Labels) {
  await engine.version();
  const existing = await inspectVolume(engine, name);
  if (existing) {
    if (!hasLabels(existing.Labels, labels)) {
      throw new AppError("CONFLICT", `a volume named ${name} exists and is not managed by Berth`);
    }
    return existing.Name;
  }
  try {
    const created = (await engine.docker.createVolume({
      Name: name,
      Driver: "local",
      Labels: labels,
    })) as unknown as { Name: string };
    return created.Name;
  } catch (error) {
    throw dockerError(error);
  }
}

/** Removes the volume if it exists and carries `labels`; true if removed. */
export async function removeVolume(engine: DockerEngine, name: string, labels: Labels) {
  await engine.version();
  const existing = await inspectVolume(engine, name);
  if (!existing) return false;
  if (!hasLabels(existing.Labels, labels)) {
    throw new AppError("CONFLICT", `a volume named ${name} exists and is not managed by Berth`);
  }
  try {
    await engine.docker.getVolume(name).remove();
    return true;
  } catch (error) {
    if (isDockerNotFound(error)) return false;
    throw dockerError(error);
  }
}

export async function listVolumes(engine: DockerEngine, labels: Labels) {
  await engine.version();
  try {
    const { Volumes } = await engine.docker.listVolumes({ filters: labelFilter(labels) });
    return (Volumes ?? []) as (Docker.VolumeInspectInfo & {
      Labels: Labels | null;
      CreatedAt?: string;
    })[];
  } catch (error) {
    throw dockerError(error);
  }
}
