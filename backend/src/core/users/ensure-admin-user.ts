// The operator's own account, for bootstrapping without a Telegram bot.
import type { Context } from "../context.js";

export async function ensureAdminUser(ctx: Pick<Context, "db">, name = "admin") {
  const existing = await ctx.db.user.findFirst({
    where: { role: "ADMIN" },
    orderBy: { createdAt: "asc" },
  });
  return existing ?? ctx.db.user.create({ data: { name, role: "ADMIN" } });
}
