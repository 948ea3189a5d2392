// Pushes deployment and certificate news to their owner's Telegram chat.
// The event bus never lets a listener's failure reach the emitter; here a
// message that cannot be delivered is logged and dropped as well, so
// Telegram being away never affects a deployment.
import type { Api } from "grammy";
import type { Context } from "../core/context.js";
import type { BerthEvents } from "../core/events.js";
import { notificationChat } from "../core/users/set-notifications.js";
import { loggable } from "./errors.js";
import { escapeHtml, HTML, shorten } from "./format.js";

export function deploymentText(e: BerthEvents["deployment.finished"]): string {
  const what = `<b>${escapeHtml(e.serviceName)}</b> in <b>${escapeHtml(e.environmentName)}</b>`;
  const head =
    e.status === "RUNNING"
      ? `✅ ${what} is running.`
      : `❌ ${what} failed: ${escapeHtml(shorten(e.errorMessage ?? "no reason given", 1000))}`;
  return `${head}\n/status ${escapeHtml(e.jobId)}`;
}

export function certificateText(e: BerthEvents["certificate.changed"]): string {
  const where = `<b>${escapeHtml(e.domain)}</b> (environment <b>${escapeHtml(e.environmentName)}</b>)`;
  return e.status === "ACTIVE"
    ? `🔒 Certificate issued for ${where}: https://${escapeHtml(e.domain)} is live.`
    : `⚠️ The certificate for ${where} failed: ` +
        escapeHtml(shorten(e.error ?? "no reason given", 1000));
}

export interface Notifier {
  /** Waits for the messages on their way (for shutdown, and for tests). */
  settle(): Promise<void>;
  /** Stops listening, then settles. */
  close(): Promise<void>;
}

export function startNotifier(core: Context, api: Api): Notifier {
  const pending = new Set<Promise<void>>();

  const deliver = async (userId: string, html: string, event: string) => {
    try {
      const chat = await notificationChat(core, userId);
      if (chat === null) return;
      await api.sendMessage(chat, html, HTML);
    } catch (error) {
      core.log.warn({ err: loggable(error), userId, event }, "notification not delivered");
    }
  };
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
    return work;
  };

  const off = [
    core.events.on("deployment.finished", (e) =>
      track(deliver(e.ownerId, deploymentText(e), "deployment.finished")),
    ),
    core.events.on("certificate.changed", (e) =>
      track(deliver(e.ownerId, certificateText(e), "certificate.changed")),
    ),
  ];

  const settle = async () => {
    await Promise.all(pending);
  };
  return {
    settle,
    async close() {
      for (const unsubscribe of off) unsubscribe();
      await settle();
    },
  };
}
