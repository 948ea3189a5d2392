// /status and /logs: read-only views of one deployment, through the
// deployments core (deployments-port.ts until it is merged).
import { Composer } from "grammy";
import type { Context } from "../../core/context.js";
import { actorOf, type BotContext } from "../context.js";
import {
  deploymentRefSchema,
  getDeploymentLogs,
  getDeploymentStatus,
  type DeploymentStatusView,
} from "../deployments-port.js";
import { escapeHtml, formatDate, HTML, lastLines, MAX_MESSAGE, shorten } from "../format.js";

const TAIL = 100;
// Terminal colour codes and other control characters (not \t or \n) are noise in a chat.
// eslint-disable-next-line no-control-regex
const CONTROL = /\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]/g;

export function statusText(d: DeploymentStatusView): string {
  const tasks =
    d.desiredTasks === undefined ? "" : ` (${d.runningTasks ?? 0}/${d.desiredTasks} tasks running)`;
  const lines = [
    `<b>${escapeHtml(d.serviceName)}</b> in <b>${escapeHtml(d.environmentName)}</b>: ` +
      `<b>${escapeHtml(d.status)}</b>${tasks}`,
    `image ${escapeHtml(shorten(`${d.image}:${d.tag}`, 200))} · ${d.replicas} replica(s)`,
    `deployment <code>${escapeHtml(d.id)}</code> · job <code>${escapeHtml(d.jobId)}</code>`,
    `created ${formatDate(d.createdAt)}` +
      (d.finishedAt ? ` · finished ${formatDate(d.finishedAt)}` : ""),
  ];
  if (d.errorMessage) lines.push(`reason: ${escapeHtml(shorten(d.errorMessage, 1000))}`);
  return lines.join("\n");
}

export function logsText(id: string, lines: string[]): string {
  if (lines.length === 0) return `No log lines yet for <code>${escapeHtml(id)}</code>.`;
  const header = `Last log lines of <code>${escapeHtml(id)}</code>:`;
  // The limit counts characters after parsing, so trim before escaping.
  const clean = lines.join("\n").replace(CONTROL, "");
  const { text, trimmed } = lastLines(clean, MAX_MESSAGE - header.length - 100);
  const note = trimmed ? "\n(older lines trimmed to fit a message)" : "";
  return `${header}\n<pre>${escapeHtml(text)}</pre>${note}`;
}

export function deploymentCommands(core: Context): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command("status", async (ctx) => {
    if (!ctx.match.trim()) {
      await ctx.reply("Usage: /status &lt;deployment or job id&gt;", HTML);
      return;
    }
    const idOrJobId = deploymentRefSchema.parse(ctx.match);
    const deployment = await getDeploymentStatus(core, { actor: actorOf(ctx), idOrJobId });
    await ctx.reply(statusText(deployment), HTML);
  });

  composer.command("logs", async (ctx) => {
    if (!ctx.match.trim()) {
      await ctx.reply("Usage: /logs &lt;deployment id&gt;", HTML);
      return;
    }
    const id = deploymentRefSchema.parse(ctx.match);
    const logs = await getDeploymentLogs(core, { actor: actorOf(ctx), id, tail: TAIL });
    await ctx.reply(logsText(id, logs.lines), HTML);
  });

  return composer;
}
