// One deployment's job, from wherever it stands: each state is persisted
// before the external step it starts, and every step can run again, so a
// job cut off at any point (kill -9) is finished by the next one.
//   PENDING → PULLING_IMAGE → CREATING_VOLUMES → STARTING_CONTAINERS → RUNNING
//   (or FAILED with the reason); REMOVING → REMOVED for a deleted service.
import { LABEL } from "../../orchestrator/labels.js";
import { listSecrets, removeSecret } from "../../orchestrator/secrets.js";
import { removeService } from "../../orchestrator/swarm.js";
import type { Context } from "../context.js";
import { environmentSelector, objectName } from "../environments/names.js";
import { AppError } from "../errors.js";
import { applyService, type JobDeployment } from "./apply-service.js";
import { announceFinished, recordDeploymentEvent } from "./events.js";
import { pullStep, volumesStep } from "./prepare.js";
import { rowToRequest } from "./record.js";
import { removePublicRoute } from "../public/unpublish.js";
import { advance, JobAborted, progress, type Holder } from "./transitions.js";
import { watchDeployment } from "./watch-deployment.js";

export interface JobHolder extends Holder {
  /** Throws JobAborted when the job must stop (lock lost, row changed, shutdown). */
  stillMine(d: JobDeployment): Promise<void>;
}

async function fail(ctx: Context, holder: JobHolder, d: JobDeployment, reason: string) {
  d.errorMessage = reason;
  await advance(ctx, holder, d, "FAILED", `failed: ${reason}`, { errorMessage: reason });
  announceFinished(ctx, d);
}

/**
 * RUNNING, and the older deployments of the service SUPERSEDED, in one
 * transaction: nobody ever sees two deployments of a service RUNNING.
 */
async function markRunning(ctx: Context, holder: JobHolder, d: JobDeployment) {
  const older = await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.deployment.updateMany({
      where: { id: d.id, status: d.status, lockedBy: holder.owner },
      data: { status: "RUNNING", finishedAt: new Date(), lockedBy: null, lockedUntil: null },
    });
    if (count === 0) throw new JobAborted(d.id);
    const running = await tx.deployment.findMany({
      where: {
        environmentId: d.environmentId,
        serviceName: d.serviceName,
        status: "RUNNING",
        id: { not: d.id },
      },
      select: { id: true },
    });
    await tx.deployment.updateMany({
      where: { id: { in: running.map((r) => r.id) } },
      data: { status: "SUPERSEDED" },
    });
    return running;
  });
  d.status = "RUNNING";
  await recordDeploymentEvent(ctx, d.id, {
    type: "status",
    status: "RUNNING",
    message: `running: ${d.replicas} of ${d.replicas} replicas up`,
  });
  for (const o of older) {
    await recordDeploymentEvent(ctx, o.id, {
      type: "status",
      status: "SUPERSEDED",
      message: `superseded by ${d.jobId}`,
    });
  }
}

/** Secrets of deployments Swarm can no longer roll back to are removed. */
async function dropOldSecrets(ctx: Context, d: JobDeployment) {
  const keep = new Set([d.id, d.previousDeploymentId]);
  const selector = {
    ...environmentSelector(ctx.config, d.environmentId),
    [LABEL.service]: d.serviceName,
  };
  for (const secret of await listSecrets(ctx.engine, selector)) {
    if (!keep.has(secret.Spec?.Labels?.[LABEL.deployment] ?? "")) {
      await removeSecret(ctx.engine, secret.ID).catch(() => false); // in use: next time
    }
  }
}

async function startService(ctx: Context, holder: JobHolder, d: JobDeployment) {
  const req = rowToRequest(ctx.config.ENCRYPTION_KEY, d);
  if (d.status === "PULLING_IMAGE") {
    await pullStep(ctx, d, req);
    await advance(ctx, holder, d, "CREATING_VOLUMES", "creating volumes");
  }
  if (d.status === "CREATING_VOLUMES") {
    await volumesStep(ctx, d, req);
    await advance(ctx, holder, d, "STARTING_CONTAINERS", "starting containers");
  }
  const applied = await applyService(ctx, d, req);
  await ctx.db.deployment.update({
    where: { id: d.id },
    data: { serviceId: applied.serviceId, warnings: applied.warnings },
  });
  for (const warning of applied.warnings.filter((w) => !d.warnings.includes(w))) {
    await recordDeploymentEvent(ctx, d.id, { type: "warning", message: warning });
  }
  const result = await watchDeployment(ctx, d, applied, req, () => holder.stillMine(d));
  if (!result.ok) return fail(ctx, holder, d, result.reason);
  await markRunning(ctx, holder, d);
  announceFinished(ctx, d);
  await dropOldSecrets(ctx, d);
}

async function removeServiceStep(ctx: Context, holder: JobHolder, d: JobDeployment) {
  const selector = environmentSelector(ctx.config, d.environmentId);
  // A site must not outlive its service (it would answer 502 for good).
  if (d.environment.publicService === d.serviceName && d.environment.publicStatus !== "NONE") {
    await removePublicRoute(ctx, d.environmentId);
    await progress(ctx, d.id, `unpublished ${d.environment.publicDomain ?? "its domain"} first`);
  }
  await removeService(ctx.engine, objectName(d.environment.slug, d.serviceName), selector);
  for (const secret of await listSecrets(ctx.engine, {
    ...selector,
    [LABEL.service]: d.serviceName,
  })) {
    await removeSecret(ctx.engine, secret.ID).catch(() => false);
  }
  const others = await ctx.db.deployment.findMany({
    where: {
      environmentId: d.environmentId,
      serviceName: d.serviceName,
      status: "REMOVING",
      id: { not: d.id },
    },
  });
  for (const o of others) {
    await ctx.db.deployment.update({
      where: { id: o.id },
      data: { status: "REMOVED", finishedAt: new Date() },
    });
    await recordDeploymentEvent(ctx, o.id, {
      type: "status",
      status: "REMOVED",
      message: "service removed",
    });
  }
  await advance(ctx, holder, d, "REMOVED", "service removed");
}

export async function runDeployment(ctx: Context, holder: JobHolder, id: string): Promise<void> {
  const d = await ctx.db.deployment.findUniqueOrThrow({
    where: { id },
    include: { environment: true },
  });
  try {
    if (d.status === "REMOVING") return await removeServiceStep(ctx, holder, d);
    if (d.status === "PENDING") {
      const quick = d.kind === "SCALE" || d.kind === "RESTART";
      await advance(
        ctx,
        holder,
        d,
        quick ? "STARTING_CONTAINERS" : "PULLING_IMAGE",
        quick ? "applying" : `pulling ${d.image}:${d.tag}`,
      );
    }
    await startService(ctx, holder, d);
  } catch (error) {
    if (error instanceof JobAborted) return;
    // The daemon is away: leave the job as it is; it resumes when it is back.
    if (AppError.is(error, "UNAVAILABLE") && /not reachable/.test(error.message)) throw error;
    await fail(ctx, holder, d, error instanceof Error ? error.message : String(error));
  }
}
