// The append-only log of a deployment: every state change and progress
// message is a row (for history and audit) and is announced on the event
// bus (for SSE streams, MCP progress and the bot) as it happens.
import type { DeploymentEvent, DeploymentStatus, Prisma } from "../../generated/prisma/client.js";
import type { Context } from "../context.js";

export interface DeploymentEventInput {
  type: "status" | "progress" | "warning" | "info";
  message: string;
  status?: DeploymentStatus;
  data?: Prisma.InputJsonValue;
}

export interface DeploymentEventView {
  id: string;
  type: string;
  status: DeploymentStatus | null;
  message: string;
  data: unknown;
  at: Date;
}

export function toEventView(e: DeploymentEvent): DeploymentEventView {
  return {
    id: String(e.id),
    type: e.type,
    status: e.status,
    message: e.message,
    data: e.data,
    at: e.createdAt,
  };
}

export async function recordDeploymentEvent(
  ctx: Pick<Context, "db" | "events">,
  deploymentId: string,
  input: DeploymentEventInput,
): Promise<DeploymentEventView> {
  const row = await ctx.db.deploymentEvent.create({ data: { deploymentId, ...input } });
  const view = toEventView(row);
  ctx.events.emit("deployment.event", { deploymentId, event: view });
  return view;
}

/** Tells the doors (the bot) that a deployment reached RUNNING or FAILED. */
export function announceFinished(
  ctx: Pick<Context, "events">,
  d: {
    id: string;
    jobId: string;
    environmentId: string;
    serviceName: string;
    status: DeploymentStatus;
    errorMessage: string | null;
    environment: { name: string; ownerId: string };
  },
): void {
  if (d.status !== "RUNNING" && d.status !== "FAILED") return;
  ctx.events.emit("deployment.finished", {
    deploymentId: d.id,
    jobId: d.jobId,
    environmentId: d.environmentId,
    environmentName: d.environment.name,
    serviceName: d.serviceName,
    ownerId: d.environment.ownerId,
    status: d.status,
    errorMessage: d.errorMessage,
  });
}
