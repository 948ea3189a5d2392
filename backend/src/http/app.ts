// The REST door: parses requests, calls the core, shapes the answers.
import express, { Router, type Express, type RequestHandler } from "express";
import type { Context } from "../core/context.js";
import { mcpRoutes } from "../mcp/transport.js";
import { authenticate } from "./auth.js";
import { errorHandler, notFoundHandler } from "./errors.js";
import { apiLimiter, AuthFailures } from "./rate-limits.js";
import { requestLog } from "./request-log.js";
import { authRoutes } from "./routes/auth.js";
import { deploymentRoutes } from "./routes/deployments.js";
import { environmentRoutes } from "./routes/environments.js";
import { healthRoutes } from "./routes/health.js";
import { magicLinkRoutes } from "./routes/magic-link.js";
import { publicRoutes } from "./routes/public.js";

const API_PREFIXES = ["/auth", "/environments", "/deployments"];

/** Routes that need a key: failed-auth limit, authentication, per-key limit. */
function protectedRoutes(ctx: Context, failures: AuthFailures, limiter: RequestHandler): Router {
  const router = Router();
  // Only API prefixes: an unknown path (a browser's /favicon.ico) stays a 404.
  router.use(API_PREFIXES, authenticate(ctx, failures), limiter);
  router.use(authRoutes(ctx));
  router.use(environmentRoutes(ctx));
  router.use(publicRoutes(ctx));
  router.use(deploymentRoutes(ctx));
  return router;
}

/** Routes other doors mount in this app (the bot's webhook). */
export interface MountedDoors {
  telegram?: Router | null;
}

export function createApp(ctx: Context, doors: MountedDoors = {}): Express {
  const app = express();
  app.disable("x-powered-by");
  // Exactly as many proxy hops as configured, so X-Forwarded-For cannot be spoofed.
  app.set("trust proxy", ctx.config.TRUST_PROXY_HOPS);
  app.use(requestLog(ctx.log));
  // One failed-authentication budget and one per-key limit for both doors.
  const failures = new AuthFailures(ctx);
  const limiter = apiLimiter(ctx);
  // Before the JSON parser: the MCP door parses its own body and answers in JSON-RPC.
  app.use(mcpRoutes(ctx, { failures, limiter }));
  app.use(express.json({ limit: "256kb" }));
  app.get("/ping", (_req, res) => {
    res.json({ ok: true });
  });
  app.use(healthRoutes(ctx));
  app.use(magicLinkRoutes(ctx));
  if (doors.telegram) app.use(doors.telegram);
  app.use(protectedRoutes(ctx, failures, limiter));
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.log));
  return app;
}
