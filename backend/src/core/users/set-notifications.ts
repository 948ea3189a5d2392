// Whether Berth pushes a user's deployment and certificate news to them,
// and where (their Telegram chat: a private chat's id is the user's id).
import type { Context } from "../context.js";

export async function setNotifications(
  ctx: Pick<Context, "db">,
  options: { userId: string; enabled: boolean },
): Promise<void> {
  await ctx.db.user.update({
    where: { id: options.userId },
    data: { notifications: options.enabled },
  });
}

/** The Telegram chat to notify for this user, or null (off, or no Telegram). */
export async function notificationChat(
  ctx: Pick<Context, "db">,
  userId: string,
): Promise<number | null> {
  const user = await ctx.db.user.findUnique({
    where: { id: userId },
    select: { telegramId: true, notifications: true },
  });
  if (!user?.notifications || user.telegramId === null) return null;
  return Number(user.telegramId);
}
