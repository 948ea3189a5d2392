// The MCP door over Streamable HTTP at /mcp, stateless: every POST gets a
// fresh server (built for its key's scopes) and a fresh transport, so no
// session lives between requests and any process can answer any request.
// In order: Host and Origin checks, 405 for anything but POST, the API key
// (the REST door's authenticate, same failure budget), the per-key rate
// limit, then MCP.
import express, { Router, type ErrorRequestHandler, type RequestHandler } from "express";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Context } from "../core/context.js";
import type { AppError } from "../core/errors.js";
import { actorOf, authenticate } from "../http/auth.js";
import { STATUS_BY_CODE, toAppError } from "../http/errors.js";
import type { AuthFailures } from "../http/rate-limits.js";
import type { Logger } from "../log.js";
import { InFlightRequests } from "./cancellation.js";
import { Confirmations } from "./confirm.js";
import { hostGuard, originGuard } from "./request-guards.js";
import { buildServer } from "./server.js";
import { BERTH_TOOLS } from "./tools/index.js";
import type { BerthTool } from "./tools/tool.js";

export const MCP_PATH = "/mcp";

export interface McpRouteOptions {
  /** The REST door's failed-authentication budget, shared so /mcp adds none. */
  failures: AuthFailures;
  /** The per-key request limit, shared with the REST door. */
  limiter: RequestHandler;
  tools?: readonly BerthTool[];
  /** Default: signed with MCP_CONFIRM_SECRET (random per process when unset). */
  confirmations?: Confirmations;
}

/** JSON-RPC error body for answers given before MCP runs. */
function rpcError(error: AppError) {
  // A body that is not JSON is a parse error; everything else is the server refusing.
  const code = error.code === "INVALID_INPUT" ? -32700 : -32000;
  return {
    jsonrpc: "2.0",
    error: { code, message: error.message, data: { code: error.code } },
    id: null,
  };
}

function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const appError = toAppError(error);
    const status = STATUS_BY_CODE[appError.code];
    if (status >= 500) log.error({ err: error, path: req.path }, "MCP request failed");
    if (res.headersSent) return;
    res.status(status).json(rpcError(appError));
  };
}

const methodNotAllowed: RequestHandler = (_req, res) => {
  // Stateless: no standalone SSE stream to GET, no session to DELETE.
  res.set("Allow", "POST");
  res.status(405).json({
    jsonrpc: "2.0",
    error: { code: -32000, message: "Method not allowed: this server is stateless; use POST" },
    id: null,
  });
};

export function mcpRoutes(ctx: Context, options: McpRouteOptions): Router {
  const tools = options.tools ?? BERTH_TOOLS;
  const confirmations = options.confirmations ?? new Confirmations(ctx.config.MCP_CONFIRM_SECRET);
  const inFlight = new InFlightRequests();

  const handle: RequestHandler = async (req, res) => {
    const actor = actorOf(res);
    const server = buildServer(tools, { ctx, actor, confirmations });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const owner = actor.key?.id ?? actor.userId;
    const release = inFlight.track(owner, req.body, (message) => transport.onmessage?.(message));
    // Closing the server aborts whatever it still runs: a client that hangs
    // up cancels its request.
    res.on("close", () => {
      release();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  };

  // Full paths rather than a mount point, so request logs show /mcp.
  const router = Router();
  router.use(MCP_PATH, hostGuard(ctx.config), originGuard(ctx.config));
  router.post(
    MCP_PATH,
    authenticate(ctx, options.failures),
    options.limiter,
    express.json({ limit: "256kb" }),
    handle,
  );
  router.all(MCP_PATH, methodNotAllowed);
  router.use(MCP_PATH, errorHandler(ctx.log));
  return router;
}
