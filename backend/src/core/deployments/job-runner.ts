// Runs deployment jobs, claimed from PostgreSQL so that they survive Berth:
// a claim is a lock with a lease (lockedBy/lockedUntil) renewed while the
// job runs; a job whose holder died is claimed again once its lease ends.
// Deployments to one service run one at a time, oldest first (the claim
// skips a deployment while an older one of its service is unfinished);
// different services run side by side, up to DEPLOY_CONCURRENCY.
import { hostname } from "node:os";
import { nanoid } from "nanoid";
import type { Context } from "../context.js";
import type { JobDeployment } from "./apply-service.js";
import { runDeployment, type JobHolder } from "./run-deployment.js";
import { JobAborted } from "./transitions.js";

const SWEEP_MS = 2_000;
// Prisma stores DateTime as UTC in "timestamp without time zone" columns.
const NOW = "(now() AT TIME ZONE 'UTC')";
const UNFINISHED = `'PENDING','PULLING_IMAGE','CREATING_VOLUMES','STARTING_CONTAINERS','REMOVING'`;

export class JobRunner implements JobHolder {
  readonly owner = `${hostname()}:${process.pid}:${nanoid(6)}`;
  private readonly running = new Map<string, Promise<void>>();
  private filling: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly leaseMs: number;

  constructor(private readonly ctx: Context) {
    this.leaseMs = Math.max(1000, Math.round(ctx.config.DEPLOY_JOB_LEASE / 1e6));
  }

  start(): void {
    this.ctx.events.on("deployment.queued", () => this.wake());
    this.timer = setInterval(() => this.wake(), SWEEP_MS);
    this.timer.unref();
    this.wake();
  }

  /** Stops claiming, tells running jobs to let go, waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.filling;
    await Promise.all(this.running.values());
  }

  wake(): void {
    if (this.stopping) return;
    this.filling = this.filling
      .then(() => this.fill())
      .catch((error: unknown) => {
        this.ctx.log.warn({ err: error }, "claiming deployment jobs failed; will retry");
      });
  }

  async stillMine(d: JobDeployment): Promise<void> {
    if (this.stopping) throw new JobAborted(d.id);
    const row = await this.ctx.db.deployment.findUnique({
      where: { id: d.id },
      select: { status: true, lockedBy: true },
    });
    if (!row || row.status !== d.status || row.lockedBy !== this.owner) throw new JobAborted(d.id);
  }

  private async fill(): Promise<void> {
    while (!this.stopping && this.running.size < this.ctx.config.DEPLOY_CONCURRENCY) {
      const id = await this.claim();
      if (!id) return;
      const job = this.run(id).finally(() => {
        this.running.delete(id);
        this.wake();
      });
      this.running.set(id, job);
    }
  }

  private async claim(): Promise<string | null> {
    const rows = await this.ctx.db.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE "Deployment" SET "lockedBy" = $1, "lockedUntil" = ${NOW} + make_interval(secs => $2),
         "attempts" = "attempts" + 1, "startedAt" = COALESCE("startedAt", ${NOW})
       WHERE id = (
         SELECT c.id FROM "Deployment" c
         WHERE c.status IN (${UNFINISHED})
           AND (c."lockedUntil" IS NULL OR c."lockedUntil" < ${NOW})
           AND NOT EXISTS (
             SELECT 1 FROM "Deployment" o
             WHERE o."environmentId" = c."environmentId" AND o."serviceName" = c."serviceName"
               AND o.id < c.id AND o.status IN (${UNFINISHED}))
         ORDER BY c.id LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING id::text`,
      this.owner,
      this.leaseMs / 1000,
    );
    return rows[0]?.id ?? null;
  }

  private async run(id: string): Promise<void> {
    const renew = setInterval(() => {
      void this.ctx.db.deployment
        .updateMany({
          where: { id, lockedBy: this.owner },
          data: { lockedUntil: new Date(Date.now() + this.leaseMs) },
        })
        .catch(() => undefined);
    }, this.leaseMs / 3);
    try {
      await runDeployment(this.ctx, this, id);
    } catch (error) {
      if (!(error instanceof JobAborted)) {
        this.ctx.log.warn(
          { err: error, deploymentId: id },
          "deployment job stopped; it will resume",
        );
      }
    } finally {
      clearInterval(renew);
      // Unfinished work goes back to the queue at once (terminal states already cleared the lock).
      await this.ctx.db.deployment
        .updateMany({
          where: { id, lockedBy: this.owner },
          data: { lockedBy: null, lockedUntil: null },
        })
        .catch(() => undefined);
    }
  }
}
