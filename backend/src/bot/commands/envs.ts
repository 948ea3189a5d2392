// /envs: the sender's environments with the state of their deployments.
import { Composer } from "grammy";
import type { Actor } from "../../core/auth/scopes.js";
import type { Context } from "../../core/context.js";
import { getEnvironment, type EnvironmentDetail } from "../../core/environments/get-environment.js";
import { listEnvironments } from "../../core/environments/list-environments.js";
import type { EnvironmentView } from "../../core/environments/view.js";
import { actorOf, type BotContext } from "../context.js";
import { escapeHtml, HTML, MAX_MESSAGE, shorten } from "../format.js";

const PAGE = 20;

function publicLine(env: EnvironmentView): string {
  const p = env.public;
  if (!p.domain || p.status === "NONE") return "";
  const error = p.error ? `: ${escapeHtml(shorten(p.error, 200))}` : "";
  return `\n  🌐 https://${escapeHtml(p.domain)} · certificate ${p.status}${error}`;
}

function deploymentLines(detail: EnvironmentDetail): string {
  if (detail.deployments.length === 0) return "\n  no deployments";
  return detail.deployments
    .map((d) => {
      const service = detail.services.find((s) => s.name === d.serviceName);
      const tasks = service ? ` (${service.runningTasks}/${service.desiredTasks} running)` : "";
      const image = escapeHtml(shorten(`${d.image}:${d.tag}`, 80));
      return `\n  • <b>${escapeHtml(d.serviceName)}</b> ${image}: ${d.status}${tasks}`;
    })
    .join("");
}

/** One environment's entry; its deployments when the core can tell them. */
async function entry(core: Context, actor: Actor, env: EnvironmentView): Promise<string> {
  const head = `<b>${escapeHtml(env.name)}</b> · ${env.status}${publicLine(env)}`;
  try {
    return head + deploymentLines(await getEnvironment(core, { actor, id: env.id }));
  } catch (error) {
    // Docker away, or the environment went away meanwhile: still list it.
    core.log.warn({ err: error, environmentId: env.id }, "environment detail unavailable");
    return `${head}\n  (deployments unavailable right now)`;
  }
}

export function envCommands(core: Context): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command("envs", async (ctx) => {
    const actor = actorOf(ctx);
    const page = await listEnvironments(core, { actor, input: { limit: PAGE } });
    if (page.environments.length === 0) {
      await ctx.reply(
        "You have no environments yet. Create one with the API: " +
          `POST ${escapeHtml(core.config.PUBLIC_URL.replace(/\/$/, ""))}/environments`,
        HTML,
      );
      return;
    }
    const entries = await Promise.all(page.environments.map((env) => entry(core, actor, env)));
    let html = "Your environments:";
    let shown = 0;
    for (const text of entries) {
      if (html.length + text.length > MAX_MESSAGE - 100) break;
      html += `\n\n${text}`;
      shown++;
    }
    if (page.nextCursor || shown < entries.length) {
      html += "\n\n…and more (GET /environments lists them all).";
    }
    await ctx.reply(html, HTML);
  });

  return composer;
}
