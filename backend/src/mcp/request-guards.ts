// Checks on /mcp before anything else: Host (DNS rebinding: a page on an
// attacker's domain that resolves to this machine sends its own Host) and
// Origin (a browser page on another site). The SDK's middleware checks Host
// only; Origin is checked here. Both answer 403 with a JSON-RPC error body.
// Allowed origins also get the CORS answers browsers need to call at all.
import type { RequestHandler } from "express";
import { hostHeaderValidation } from "@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js";
import type { Config } from "../config.js";

type GuardConfig = Pick<Config, "PUBLIC_URL" | "MCP_ALLOWED_HOSTS" | "MCP_ALLOWED_ORIGINS">;

/** PUBLIC_URL's host, loopback names (a local client) and the configured ones. */
export function allowedHosts(config: GuardConfig): string[] {
  const own = new URL(config.PUBLIC_URL).hostname;
  const extra = config.MCP_ALLOWED_HOSTS.map((h) => h.toLowerCase());
  return [...new Set([own, "localhost", "127.0.0.1", "[::1]", ...extra])];
}

/** PUBLIC_URL's origin and the configured ones, normalised by URL. */
export function allowedOrigins(config: GuardConfig): Set<string> {
  return new Set([config.PUBLIC_URL, ...config.MCP_ALLOWED_ORIGINS].map((u) => new URL(u).origin));
}

export function hostGuard(config: GuardConfig): RequestHandler {
  return hostHeaderValidation(allowedHosts(config));
}

const CORS_HEADERS = {
  "Access-Control-Allow-Methods": "POST",
  "Access-Control-Allow-Headers":
    "Content-Type, Accept, X-API-Key, Authorization, Mcp-Protocol-Version, Last-Event-ID",
  "Access-Control-Expose-Headers": "WWW-Authenticate, Retry-After",
  "Access-Control-Max-Age": "600",
};

/**
 * 403 when an Origin header is present and not allowed; none is fine (not a
 * browser). A browser page on an allowed origin gets CORS headers, and its
 * preflight (OPTIONS, sent because of the key header) a 204.
 */
export function originGuard(config: GuardConfig): RequestHandler {
  const allowed = allowedOrigins(config);
  return (req, res, next) => {
    const origin = req.get("origin");
    res.vary("Origin");
    if (origin === undefined) {
      next();
      return;
    }
    if (!allowed.has(origin.toLowerCase())) {
      res.status(403).json({
        jsonrpc: "2.0",
        error: { code: -32000, message: "Origin not allowed" },
        id: null,
      });
      return;
    }
    res.set({ "Access-Control-Allow-Origin": origin, ...CORS_HEADERS });
    if (req.method === "OPTIONS") res.status(204).end();
    else next();
  };
}
