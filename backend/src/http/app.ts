// The REST door: parses requests, calls the core, shapes the answers.
import express, { type Express } from "express";
import type { Context } from "../core/context.js";
import { errorHandler, notFoundHandler } from "./errors.js";
import { healthRoutes } from "./routes/health.js";

export function createApp(ctx: Context): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "256kb" }));
  app.use(healthRoutes(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler(ctx.log));
  return app;
}
