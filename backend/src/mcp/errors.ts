// The MCP door's one mapping from Berth's errors to tool results. Business
// and validation failures are results with isError (the agent reads them and
// decides), each telling it what to do next; only malformed requests become
// JSON-RPC errors, and those come from the SDK itself.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { AppError, type ErrorCode } from "../core/errors.js";
import { toAppError } from "../http/errors.js";
import type { Logger } from "../log.js";

const NEXT_STEP: Record<ErrorCode, (error: AppError) => string> = {
  INVALID_INPUT: (e) =>
    `Fix ${e.details.field ? `the argument "${e.details.field}"` : "the arguments"} and call again.`,
  UNAUTHORIZED: () => "The API key is no longer valid. Ask the user for a new Berth API key.",
  FORBIDDEN: (e) =>
    typeof e.details.scope === "string"
      ? `This key lacks the scope ${e.details.scope}. Do not retry; ask the user for a key that has it.`
      : "This key may not do this. Do not retry; tell the user what you tried.",
  NOT_FOUND: () =>
    "Check the id with the matching list_ tool; it shows what this key can see (other users' resources are never visible).",
  CONFLICT: () => "Read the current state with the matching get_ tool before trying again.",
  GONE: () => "It no longer exists; list again to find what is current.",
  QUOTA_EXCEEDED: () =>
    "Remove something this user no longer needs, or ask the operator to raise the quota. Retrying will not help.",
  RATE_LIMITED: (e) =>
    `Wait ${typeof e.details.retryAfterSeconds === "number" ? e.details.retryAfterSeconds : 60} seconds, then retry.`,
  UNAVAILABLE: () =>
    "Berth cannot reach Docker or its database right now. Retry in a minute; tell the user if it persists.",
  NOT_IMPLEMENTED: () =>
    "This Berth does not offer this yet. Tell the user; retrying will not help.",
  INTERNAL: () =>
    "Something failed inside Berth. Retry once later; if it fails again, tell the user.",
};

/** The isError result for any failure of a tool. */
export function toolError(error: unknown, log: Logger, tool: string): CallToolResult {
  const appError = toAppError(error);
  if (appError.code === "INTERNAL") log.error({ err: error, tool }, "MCP tool failed");
  const details = Object.keys(appError.details).length > 0 ? appError.details : undefined;
  const body = { error: { code: appError.code, message: appError.message, details } };
  return {
    isError: true,
    content: [
      { type: "text", text: `${appError.message}. ${NEXT_STEP[appError.code](appError)}` },
      { type: "text", text: JSON.stringify(body) },
    ],
  };
}

/** For tools whose part of Berth is not there yet: an honest refusal. */
export function notAvailable(what: string): AppError {
  return new AppError("NOT_IMPLEMENTED", `${what} is not available in this Berth yet`);
}
