// /environments: create, list (cursor pages), get, delete.
import { Router } from "express";
import { createEnvironment } from "../../core/environments/create-environment.js";
import { deleteEnvironment } from "../../core/environments/delete-environment.js";
import { getEnvironment } from "../../core/environments/get-environment.js";
import { listEnvironments } from "../../core/environments/list-environments.js";
import { createEnvironmentSchema } from "../../core/environments/schemas.js";
import type { Context } from "../../core/context.js";
import { actorOf } from "../auth.js";

export function environmentRoutes(ctx: Context): Router {
  const router = Router();

  router.post("/environments", async (req, res) => {
    const input = createEnvironmentSchema.parse(req.body);
    const environment = await createEnvironment(ctx, { actor: actorOf(res), input });
    res.status(201).json({ environment });
  });

  router.get("/environments", async (req, res) => {
    res.json(await listEnvironments(ctx, { actor: actorOf(res), input: req.query }));
  });

  router.get("/environments/:id", async (req, res) => {
    res.json({
      environment: await getEnvironment(ctx, { actor: actorOf(res), id: req.params.id }),
    });
  });

  router.delete("/environments/:id", async (req, res) => {
    const environment = await deleteEnvironment(ctx, { actor: actorOf(res), id: req.params.id });
    res.status(202).json({ environment });
  });

  return router;
}
