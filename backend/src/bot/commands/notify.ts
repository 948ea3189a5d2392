// /notify on|off: whether the bot tells you when your deployments finish
// and your certificates change.
import { Composer } from "grammy";
import { z } from "zod";
import type { Context } from "../../core/context.js";
import { setNotifications } from "../../core/users/set-notifications.js";
import { userOf, type BotContext } from "../context.js";

const switchSchema = z.enum(["on", "off"]);

export function notifyCommands(core: Context): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command("notify", async (ctx) => {
    const user = userOf(ctx);
    const parsed = switchSchema.safeParse(ctx.match.trim().toLowerCase());
    if (!parsed.success) {
      const now = user.notifications ? "on" : "off";
      await ctx.reply(`Notifications are ${now}. Send /notify on or /notify off to change that.`);
      return;
    }
    const enabled = parsed.data === "on";
    await setNotifications(core, { userId: user.id, enabled });
    await ctx.reply(
      enabled
        ? "Notifications are on: I will tell you when a deployment is running or has failed, " +
            "and when a certificate is issued or fails."
        : "Notifications are off. /notify on turns them back on.",
    );
  });

  return composer;
}
