// Environment tools: list, create (idempotent by name), get, and a
// two-phase delete. Every rule (scopes, key limits, ownership, quotas) is
// the core's; these only shape arguments and answers for agents.
import { z } from "zod";
import { hasScope, requireScope, type Actor } from "../../core/auth/scopes.js";
import type { Context } from "../../core/context.js";
import { createEnvironment } from "../../core/environments/create-environment.js";
import { deleteEnvironment } from "../../core/environments/delete-environment.js";
import { findEnvironment } from "../../core/environments/find-environment.js";
import { getEnvironment } from "../../core/environments/get-environment.js";
import { listEnvironments } from "../../core/environments/list-environments.js";
import {
  createEnvironmentSchema,
  listEnvironmentsSchema,
  type CreateEnvironmentInput,
} from "../../core/environments/schemas.js";
import { toEnvironmentView, type EnvironmentView } from "../../core/environments/view.js";
import { AppError } from "../../core/errors.js";
import type { Environment } from "../../generated/prisma/client.js";
import { confirmationFields, requireConfirmation } from "./confirmation.js";
import { defineTool, describeFields, DESTRUCTIVE, READ_ONLY } from "./tool.js";
import { environmentDetail, environmentView, nextStep } from "./views.js";

const environmentId = z
  .string()
  .describe("the environment's id, from list_environments or create_environment");

export const listEnvironmentsTool = defineTool({
  name: "list_environments",
  title: "List environments",
  description:
    "Lists the environments this key can see, oldest first, one page at a time. " +
    "When next_cursor is not null, call again with cursor set to it for the next page.",
  scope: "environments:read",
  input: describeFields(listEnvironmentsSchema, {
    cursor: "next_cursor from the previous page; omit for the first page",
    limit: "environments per page, 1-100 (default 20)",
  }),
  output: z.object({ environments: z.array(environmentView), next_cursor: z.string().nullable() }),
  annotations: READ_ONLY,
  run: async (input, { ctx, actor }) => {
    const page = await listEnvironments(ctx, { actor, input });
    return { environments: page.environments, next_cursor: page.nextCursor };
  },
});

/**
 * Creates the environment, or returns the one of that name. A CONFLICT names
 * the existing environment, except after losing a race with a concurrent
 * create of the same name: then the loser sees either a CONFLICT without an
 * id or, at the quota's edge, QUOTA_EXCEEDED (the winner's row already
 * counts). Asking once more finds the winner, or confirms the refusal.
 */
async function createOrGet(
  ctx: Context,
  actor: Actor,
  input: CreateEnvironmentInput,
  attempts = 2,
): Promise<{ created: boolean; environment: EnvironmentView }> {
  try {
    return { created: true, environment: await createEnvironment(ctx, { actor, input }) };
  } catch (error) {
    const id = AppError.is(error, "CONFLICT") ? error.details.environmentId : undefined;
    if (typeof id !== "string") {
      const raced = AppError.is(error, "CONFLICT") || AppError.is(error, "QUOTA_EXCEEDED");
      if (raced && attempts > 1) return createOrGet(ctx, actor, input, attempts - 1);
      throw error;
    }
    const environment = toEnvironmentView(await findEnvironment(ctx, actor, id));
    if (environment.status === "DELETING") {
      throw new AppError(
        "CONFLICT",
        `your environment named ${environment.name} is being deleted; wait until ` +
          "get_environment answers not found, then create it again",
        { field: "name", environmentId: environment.id },
      );
    }
    return { created: false, environment };
  }
}

export const createEnvironmentTool = defineTool({
  name: "create_environment",
  title: "Create an environment",
  description:
    "Creates an environment: an isolated private network that deployments run in. " +
    "Idempotent: if this user already has an environment with that name, it is returned " +
    "(created: false) instead of failing, so it is safe to call again after a timeout.",
  scope: "environments:write",
  input: describeFields(createEnvironmentSchema, {
    name: "lowercase letters, digits and dashes, starting with a letter, at most 24 characters",
  }),
  output: z.object({ created: z.boolean(), environment: environmentView, next_step: nextStep }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: async (input, { ctx, actor }) => {
    const outcome = await createOrGet(ctx, actor, input);
    const next = `Pass environment_id "${outcome.environment.id}" to the other tools.`;
    return { ...outcome, next_step: next };
  },
});

export const getEnvironmentTool = defineTool({
  name: "get_environment",
  title: "Get an environment",
  description:
    "Shows one environment: its status, its current deployment per service, the Swarm " +
    "services Docker reports for it (desired and running tasks), and its public state.",
  scope: "environments:read",
  input: z.strictObject({ environment_id: environmentId }),
  output: z.object({ environment: environmentDetail }),
  annotations: READ_ONLY,
  run: async ({ environment_id }, { ctx, actor }) => ({
    environment: await getEnvironment(ctx, { actor, id: environment_id }),
  }),
});

const WATCH_DELETION =
  "Deletion runs in the background: call get_environment until it answers not found.";

async function deletionPreview(ctx: Context, actor: Actor, env: Environment) {
  requireScope(actor, "environments:write");
  // The list of what goes needs the read scope; without it, the summary stays general.
  const detail = hasScope(actor, "environments:read")
    ? await getEnvironment(ctx, { actor, id: env.id })
    : null;
  return {
    environment: toEnvironmentView(env),
    will_remove: {
      network: env.networkName,
      services: detail?.services.map((s) => s.name) ?? null,
      deployments: detail?.deployments.map((d) => d.id) ?? null,
      note: "every service, volume (its data is lost) and secret of the environment, and its network",
    },
  };
}

export const deleteEnvironmentTool = defineTool({
  name: "delete_environment",
  title: "Delete an environment",
  description:
    "Deletes an environment with everything in it: services, volumes (data is lost), " +
    "secrets and its network. Two steps: call without confirmation_token to see what " +
    "would be removed and get a token (valid 2 minutes); show that to the user; then call " +
    "again with the same environment_id and the token to delete.",
  scope: "environments:write",
  input: z.strictObject({ environment_id: environmentId, ...confirmationFields }),
  output: z.object({
    status: z.enum(["confirmation_required", "deleting"]),
    environment: environmentView,
    will_remove: z
      .object({
        network: z.string(),
        services: z.array(z.string()).nullable(),
        deployments: z.array(z.string()).nullable(),
        note: z.string(),
      })
      .optional(),
    confirmation_token: z.string().optional(),
    expires_at: z.string().optional(),
    next_step: nextStep,
  }),
  annotations: DESTRUCTIVE,
  run: async ({ environment_id, confirmation_token }, call) => {
    const { ctx, actor } = call;
    const env = await findEnvironment(ctx, actor, environment_id);
    // Already going: asking again only restarts an interrupted teardown.
    if (env.status !== "DELETING") {
      const target = { tool: "delete_environment", targetId: env.id, userId: actor.userId };
      if (confirmation_token === undefined) {
        const preview = await deletionPreview(ctx, actor, env);
        const issued = call.confirmations.issue(target);
        return {
          status: "confirmation_required" as const,
          ...preview,
          confirmation_token: issued.token,
          expires_at: issued.expiresAt,
          next_step:
            "Nothing was removed yet. Show will_remove to the user; if they agree, call " +
            "delete_environment again with this environment_id and confirmation_token.",
        };
      }
      requireConfirmation(call, target, confirmation_token);
    }
    const environment = await deleteEnvironment(ctx, { actor, id: env.id });
    return { status: "deleting" as const, environment, next_step: WATCH_DELETION };
  },
});

export const environmentTools = [
  listEnvironmentsTool,
  createEnvironmentTool,
  getEnvironmentTool,
  deleteEnvironmentTool,
];
