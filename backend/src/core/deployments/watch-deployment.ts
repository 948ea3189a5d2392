// After the service is applied: watch its tasks until every replica runs
// (healthy where there is a check) and stays up through the watch window,
// or until it fails or times out. Only then is the deployment RUNNING.
import { serviceLogs } from "../../orchestrator/logs.js";
import { inspectService, listTasks } from "../../orchestrator/swarm.js";
import type { Context } from "../context.js";
import { objectName } from "../environments/names.js";
import type { Applied, JobDeployment } from "./apply-service.js";
import { assessTasks, snapshot, type RawTask, type TaskSnapshot } from "./assess-tasks.js";
import { redactSecrets } from "./redact.js";
import type { DeploymentRequest } from "./normalize.js";
import { progress } from "./transitions.js";

export type WatchResult = { ok: true } | { ok: false; reason: string };

/**
 * Look often while a task is most likely to come up (a small image starts in
 * well under a second), then back off: at most DEPLOY_CONCURRENCY watchers
 * poll, and each look is two Docker calls.
 */
export function pollMs(elapsedMs: number): number {
  if (elapsedMs < 2_000) return 50;
  return elapsedMs < 5_000 ? 100 : 500;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Swarm holds a task with a health check in "starting" until it is healthy. */
export function healthOf(state: string, hasHealthcheck: boolean): string | null {
  if (!hasHealthcheck) return null;
  return state === "running" ? "healthy" : state === "starting" ? "starting" : null;
}

export async function recordContainers(
  ctx: Context,
  deploymentId: string,
  tasks: TaskSnapshot[],
  hasHealthcheck: boolean,
) {
  for (const t of tasks) {
    const data = {
      deploymentId,
      nodeId: t.nodeId,
      slot: t.slot,
      state: t.state,
      desiredState: t.desiredState,
      health: healthOf(t.state, hasHealthcheck),
      exitCode: t.exitCode,
      error: t.error,
    };
    await ctx.db.container.upsert({
      where: { taskId: t.id },
      create: { taskId: t.id, ...data },
      update: data,
    });
  }
}

/** The service's last log lines, secrets redacted, for a failure message. */
async function logTail(ctx: Context, serviceId: string, req: DeploymentRequest): Promise<string> {
  const lines = await serviceLogs(ctx.engine, serviceId, { tail: 10 }).catch(() => []);
  if (lines.length === 0) return "";
  const text = lines.map((l) => l.text.slice(0, 300)).join("\n");
  return `\nlast log lines:\n${redactSecrets(text, req.env)}`;
}

/** One look at the service: what its tasks say now. */
async function look(ctx: Context, d: JobDeployment, applied: Applied, req: DeploymentRequest) {
  const service = await inspectService(ctx.engine, objectName(d.environment.slug, d.serviceName));
  if (!service)
    return { kind: "failed", reason: "the service was removed while it was starting" } as const;
  const tasks = ((await listTasks(ctx.engine, applied.serviceId)) as RawTask[]).map(snapshot);
  const mine = tasks.filter((t) => t.deploymentId === applied.taskDeploymentId);
  await recordContainers(ctx, d.id, mine, req.healthcheck !== undefined);
  return assessTasks(tasks, {
    deploymentId: applied.taskDeploymentId,
    replicas: d.replicas,
    maxFailures: Math.min(3, ctx.config.DEPLOY_RESTART_MAX_ATTEMPTS),
    hasHealthcheck: req.healthcheck !== undefined,
    update: (service as { UpdateStatus?: { State?: string; Message?: string } }).UpdateStatus,
  });
}

export async function watchDeployment(
  ctx: Context,
  d: JobDeployment,
  applied: Applied,
  req: DeploymentRequest,
  stillMine: () => Promise<void>,
): Promise<WatchResult> {
  const deadline = (d.startedAt ?? new Date()).getTime() + ctx.config.DEPLOY_TIMEOUT / 1e6;
  const windowMs = ctx.config.DEPLOY_WATCH_WINDOW / 1e6;
  let readySince: number | null = null;
  let said = "";
  const watching = Date.now();
  for (;;) {
    await stillMine();
    const assessment = await look(ctx, d, applied, req);
    if (assessment.kind === "failed") {
      return {
        ok: false,
        reason: assessment.reason + (await logTail(ctx, applied.serviceId, req)),
      };
    }
    const summary =
      assessment.kind === "ready"
        ? `${assessment.running}/${d.replicas} running`
        : assessment.summary;
    if (summary !== said) {
      said = summary;
      await progress(ctx, d.id, summary);
    }
    readySince = assessment.kind === "ready" ? (readySince ?? Date.now()) : null;
    if (readySince !== null && Date.now() - readySince >= windowMs) return { ok: true };
    if (Date.now() > deadline) {
      const limit = Math.round(ctx.config.DEPLOY_TIMEOUT / 1e9);
      const tail = await logTail(ctx, applied.serviceId, req);
      return { ok: false, reason: `not running after ${limit}s: ${summary}${tail}` };
    }
    await sleep(pollMs(Date.now() - watching));
  }
}
