// The bot's view of the deployments core, which is not merged yet. The
// signatures are the ones the deployments issue provides; the bodies throw
// until then, and are replaced by calls into core/deployments (mapping its
// results onto the two shapes below, which are what the bot shows).
import { z } from "zod";
import type { Actor } from "../core/auth/scopes.js";
import type { Context } from "../core/context.js";
import { AppError } from "../core/errors.js";

export interface DeploymentStatusView {
  id: string;
  jobId: string;
  environmentName: string;
  serviceName: string;
  image: string;
  tag: string;
  replicas: number;
  /** PENDING … RUNNING | FAILED | SUPERSEDED | REMOVING | REMOVED */
  status: string;
  errorMessage: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** Swarm tasks, when known: running / desired. */
  runningTasks?: number;
  desiredTasks?: number;
}

export interface DeploymentLogsView {
  /** Oldest first; at most `tail` lines. */
  lines: string[];
}

/** A deployment id (UUID) or job id, as people paste them. */
export const deploymentRefSchema = z
  .string()
  .trim()
  .min(1, "give a deployment or job id")
  .max(100, "that is not a deployment or job id")
  .regex(/^[\w-]+$/, "that is not a deployment or job id");

function notYet(): Promise<never> {
  return Promise.reject(
    new AppError("NOT_IMPLEMENTED", "deployments arrive with the deployments issue"),
  );
}

export function getDeploymentStatus(
  _ctx: Context,
  _options: { actor: Actor; idOrJobId: string },
): Promise<DeploymentStatusView> {
  return notYet();
}

export function getDeploymentLogs(
  _ctx: Context,
  _options: { actor: Actor; id: string; tail: number },
): Promise<DeploymentLogsView> {
  return notYet();
}
