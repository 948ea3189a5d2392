// A deployment's logs: its service's last lines (stdout and stderr),
// bounded in bytes, with the values of its secret env vars redacted.
import { z } from "zod";
import { serviceLogs, type LogLine } from "../../orchestrator/logs.js";
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { findDeployment } from "./find-deployment.js";
import { rowToRequest } from "./record.js";
import { redactSecrets } from "./redact.js";

export const logQuerySchema = z.object({
  tail: z.coerce.number().int().min(1).max(5000).default(100),
  since: z
    .union([z.coerce.number().int().min(0), z.iso.datetime()])
    .optional()
    .describe("Unix seconds or an ISO date"),
  until: z
    .union([z.coerce.number().int().min(0), z.iso.datetime({ offset: true })])
    .optional()
    .describe("Unix seconds or an ISO date: only lines before it (older pages)"),
  timestamps: z.stringbool().default(false),
  /** Byte budget of the answer; the oldest lines go first. */
  maxBytes: z.coerce.number().int().min(1024).max(1_048_576).default(262_144),
});

export interface DeploymentLogs {
  lines: LogLine[];
  truncated: boolean;
}

export async function getDeploymentLogs(
  ctx: Context,
  options: { actor: Actor; id: string; input?: unknown },
): Promise<DeploymentLogs> {
  requireScope(options.actor, "logs:read");
  const query = logQuerySchema.parse(options.input ?? {});
  const d = await findDeployment(ctx, options.actor, options.id);
  if (!d.serviceId) return { lines: [], truncated: false };
  const seconds = (v: string | number | undefined) =>
    typeof v === "string" ? Math.floor(Date.parse(v) / 1000) : v;
  const raw = await serviceLogs(ctx.engine, d.serviceId, {
    tail: query.tail,
    since: seconds(query.since),
    until: seconds(query.until),
    timestamps: query.timestamps,
  });
  const env = rowToRequest(ctx.config.ENCRYPTION_KEY, d).env;
  const lines: LogLine[] = [];
  let bytes = 0;
  for (let i = raw.length - 1; i >= 0; i--) {
    const line = { stream: raw[i]!.stream, text: redactSecrets(raw[i]!.text, env) };
    bytes += Buffer.byteLength(line.text) + 1;
    if (bytes > query.maxBytes) return { lines: lines.reverse(), truncated: true };
    lines.push(line);
  }
  return { lines: lines.reverse(), truncated: false };
}
