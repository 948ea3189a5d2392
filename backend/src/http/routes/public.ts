// /environments/:id/public: make public (202 while the certificate is
// issued), read, retry a failed issuance, unpublish.
import { Router } from "express";
import type { Context } from "../../core/context.js";
import { getPublicStatus } from "../../core/public/get-public-status.js";
import { makeEnvironmentPublic } from "../../core/public/make-public.js";
import { retryCertificate } from "../../core/public/retry-certificate.js";
import { unpublishEnvironment } from "../../core/public/unpublish.js";
import { actorOf } from "../auth.js";

export function publicRoutes(ctx: Context): Router {
  const router = Router();

  router.post("/environments/:id/public", async (req, res) => {
    const view = await makeEnvironmentPublic(ctx, {
      actor: actorOf(res),
      id: req.params.id,
      input: req.body as Record<string, unknown> | undefined,
    });
    res.status(202).json({ public: view });
  });

  router.get("/environments/:id/public", async (req, res) => {
    res.json({ public: await getPublicStatus(ctx, { actor: actorOf(res), id: req.params.id }) });
  });

  router.post("/environments/:id/public/retry", async (req, res) => {
    const view = await retryCertificate(ctx, { actor: actorOf(res), id: req.params.id });
    res.status(202).json({ public: view });
  });

  router.delete("/environments/:id/public", async (req, res) => {
    res.json({
      public: await unpublishEnvironment(ctx, { actor: actorOf(res), id: req.params.id }),
    });
  });

  return router;
}
