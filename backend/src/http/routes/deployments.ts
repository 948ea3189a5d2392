// /deployments: create (202 + job id), read, logs, live events (SSE), and
// the operations on a running service.
import { Router, type Response } from "express";
import type { Context } from "../../core/context.js";
import { createDeployment } from "../../core/deployments/create-deployment.js";
import type { DeploymentEventView } from "../../core/deployments/events.js";
import { getDeploymentLogs } from "../../core/deployments/logs.js";
import {
  deleteDeployment,
  restartDeployment,
  rollbackDeployment,
  scaleDeployment,
} from "../../core/deployments/operations.js";
import {
  deploymentEvents,
  getDeployment,
  listDeployments,
} from "../../core/deployments/read-deployments.js";
import { toDeploymentView } from "../../core/deployments/view.js";
import type { Deployment } from "../../generated/prisma/client.js";
import { actorOf } from "../auth.js";

const ENDS_STREAM = new Set(["RUNNING", "FAILED", "REMOVED", "SUPERSEDED"]);

function accepted(res: Response, d: Deployment, created = true) {
  res.status(created ? 202 : 200).json({ jobId: d.jobId, deploymentId: d.id, status: d.status });
}

/** Server-Sent Events: history after Last-Event-ID, then live, until a final state. */
async function streamEvents(
  ctx: Context,
  req: Parameters<Parameters<Router["get"]>[1]>[0],
  res: Response,
) {
  const afterId = req.get("last-event-id") ?? undefined;
  const { deployment, events } = await deploymentEvents(ctx, {
    actor: actorOf(res),
    id: String(req.params.id),
    afterId,
  });
  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-store",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
  let last = afterId && /^[0-9]+$/.test(afterId) ? BigInt(afterId) : 0n;
  let open = true;
  const send = (e: DeploymentEventView) => {
    if (!open || BigInt(e.id) <= last) return;
    last = BigInt(e.id);
    res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    if (e.type === "status" && e.status && ENDS_STREAM.has(e.status)) close();
  };
  const live: DeploymentEventView[] = [];
  const unsubscribe = ctx.events.on("deployment.event", ({ deploymentId, event }) => {
    if (deploymentId === deployment.id) live.push(event as DeploymentEventView);
    flush();
  });
  const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
  function flush() {
    while (live.length > 0 && open) send(live.shift()!);
  }
  function close() {
    if (!open) return;
    open = false;
    unsubscribe();
    clearInterval(keepAlive);
    res.end();
  }
  req.on("close", close);
  for (const e of events) send(e);
  if (open && ENDS_STREAM.has(deployment.status) && events.length === 0) close();
  flush();
}

export function deploymentRoutes(ctx: Context): Router {
  const router = Router();
  router.post("/deployments", async (req, res) => {
    const { deployment, created } = await createDeployment(ctx, {
      actor: actorOf(res),
      input: req.body,
    });
    accepted(res, deployment, created);
  });

  router.get("/deployments/job/:jobId", async (req, res) => {
    res.json({
      deployment: await getDeployment(ctx, { actor: actorOf(res), id: req.params.jobId }),
    });
  });

  router.get("/deployments/environment/:environmentId", async (req, res) => {
    const page = await listDeployments(ctx, {
      actor: actorOf(res),
      environmentId: req.params.environmentId,
      input: req.query,
    });
    res.json(page);
  });

  router.get("/deployments/:id", async (req, res) => {
    res.json({ deployment: await getDeployment(ctx, { actor: actorOf(res), id: req.params.id }) });
  });

  router.get("/deployments/:id/logs", async (req, res) => {
    res.set("Cache-Control", "no-store");
    res.json(
      await getDeploymentLogs(ctx, { actor: actorOf(res), id: req.params.id, input: req.query }),
    );
  });

  router.get("/deployments/:id/events", (req, res, next) => {
    streamEvents(ctx, req, res).catch(next);
  });

  router.use(operationRoutes(ctx));
  return router;
}

/** The operations on a running service: each answers like a new deployment. */
function operationRoutes(ctx: Context): Router {
  const router = Router();

  router.post("/deployments/:id/scale", async (req, res) => {
    accepted(
      res,
      await scaleDeployment(ctx, { actor: actorOf(res), id: req.params.id, input: req.body }),
    );
  });

  router.post("/deployments/:id/restart", async (req, res) => {
    accepted(res, await restartDeployment(ctx, { actor: actorOf(res), id: req.params.id }));
  });

  router.post("/deployments/:id/rollback", async (req, res) => {
    accepted(res, await rollbackDeployment(ctx, { actor: actorOf(res), id: req.params.id }));
  });

  router.delete("/deployments/:id", async (req, res) => {
    const d = await deleteDeployment(ctx, { actor: actorOf(res), id: req.params.id });
    res.status(202).json({ deployment: toDeploymentView(d) });
  });

  return router;
}
