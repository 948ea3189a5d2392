// The append-only audit log: who did what, when, from where. Never a secret:
// callers pass key ids and names, not keys or tokens.
import type { Prisma } from "../generated/prisma/client.js";
import type { Context } from "./context.js";

export interface AuditEntry {
  action: string;
  userId?: string | null;
  keyId?: string | null;
  environmentId?: string | null;
  ip?: string | null;
  detail?: Prisma.InputJsonValue;
}

export async function recordAudit(ctx: Pick<Context, "db">, entry: AuditEntry): Promise<void> {
  await ctx.db.auditEvent.create({ data: entry });
}
