import { Router } from "express";
import type { Context } from "../../core/context.js";
import { checkHealth } from "../../core/health.js";

export function healthRoutes(ctx: Context): Router {
  const router = Router();
  router.get("/health", async (_req, res) => {
    const report = await checkHealth(ctx);
    res.status(report.ok ? 200 : 503).json(report);
  });
  return router;
}
