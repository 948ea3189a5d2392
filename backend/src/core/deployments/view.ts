// What the doors show of a deployment: never an env value or credential.
import type { Container, Deployment } from "../../generated/prisma/client.js";
import type { HealthcheckRequest, PortRequest, Resources, VolumeRequest } from "./normalize.js";
import { maskedEnv, type StoredCommand } from "./record.js";

export const TERMINAL = ["RUNNING", "FAILED", "SUPERSEDED", "REMOVED"] as const;

export interface ContainerView {
  taskId: string;
  nodeId: string | null;
  slot: number | null;
  state: string;
  desiredState: string | null;
  health: string | null;
  exitCode: number | null;
  error: string | null;
}

export function toContainerView(c: Container): ContainerView {
  return {
    taskId: c.taskId,
    nodeId: c.nodeId,
    slot: c.slot,
    state: c.state,
    desiredState: c.desiredState,
    health: c.health,
    exitCode: c.exitCode,
    error: c.error,
  };
}

export function toDeploymentView(d: Deployment, containers?: Container[]) {
  return {
    id: d.id,
    jobId: d.jobId,
    environmentId: d.environmentId,
    kind: d.kind,
    serviceName: d.serviceName,
    image: d.image,
    tag: d.tag,
    digest: d.digest,
    replicas: d.replicas,
    status: d.status,
    errorMessage: d.errorMessage,
    warnings: d.warnings,
    ports: d.ports as unknown as PortRequest[],
    resources: d.resources as unknown as Resources,
    volumes: d.volumes as unknown as VolumeRequest[],
    healthcheck: d.healthcheck as unknown as HealthcheckRequest | null,
    command: d.command as unknown as StoredCommand,
    envVars: maskedEnv(d),
    serviceId: d.serviceId,
    previousDeploymentId: d.previousDeploymentId,
    createdAt: d.createdAt,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    ...(containers ? { containers: containers.map(toContainerView) } : {}),
  };
}

export type DeploymentView = ReturnType<typeof toDeploymentView>;
