// Makes an environment public: everything is checked first (scope, owner,
// the route, the proxy running), then the row claims the domain (the unique
// column settles a race) and issuance starts in the background. Asking again
// with the same route is harmless; after CERT_FAILED it retries; changing the
// service or port keeps the domain and its certificate; a new domain is
// issued and served first, and the old one's site and certificate go after.
import type { Environment } from "../../generated/prisma/client.js";
import { recordAudit } from "../audit.js";
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import { findEnvironment } from "../environments/find-environment.js";
import { requireProxyEnabled, requireProxyRunning } from "./proxy.js";
import { publishTaskKey, routeOf, startPublish } from "./publish.js";
import { resolveRoute, type PublicRoute } from "./resolve-route.js";
import { makePublicSchema, type MakePublicInput } from "./schemas.js";
import { toPublicView, type PublicView } from "./view.js";

function conflict(message: string, field?: string): AppError {
  return new AppError("CONFLICT", message, field ? { field } : {});
}

function checkState(env: Environment): void {
  if (env.status !== "ACTIVE") {
    throw conflict(`the environment is ${env.status.toLowerCase()}, not active`);
  }
  if (env.publicStatus === "REMOVING") {
    throw conflict("the environment is being unpublished; try again in a moment");
  }
}

const sameRoute = (a: PublicRoute | null, b: PublicRoute) =>
  a?.domain === b.domain && a.service === b.service && a.port === b.port;

/** Writes the route and PENDING_CERT, only if the row is still as it was read. */
async function claim(ctx: Context, env: Environment, route: PublicRoute): Promise<Environment> {
  const { count } = await ctx.db.environment
    .updateMany({
      where: { id: env.id, status: "ACTIVE", publicStatus: env.publicStatus },
      data: {
        publicDomain: route.domain,
        publicService: route.service,
        publicPort: route.port,
        publicStatus: "PENDING_CERT",
        certError: null,
        // A new domain is a new certificate: its issue date is yet to come.
        ...(env.publicDomain !== route.domain ? { certIssuedAt: null } : {}),
      },
    })
    .catch((error: unknown) => {
      // Another environment claimed the domain between the check and now.
      if ((error as { code?: string }).code === "P2002") {
        throw conflict(`domain: ${route.domain} is already used by another environment`, "domain");
      }
      throw error;
    });
  if (count === 0) throw conflict("the environment changed meanwhile; try again");
  return ctx.db.environment.findUniqueOrThrow({ where: { id: env.id } });
}

export async function makeEnvironmentPublic(
  ctx: Context,
  options: { actor: Actor; id: string; input: MakePublicInput | undefined },
): Promise<PublicView> {
  const { actor } = options;
  requireScope(actor, "environments:write");
  const env = await findEnvironment(ctx, actor, options.id);
  requireProxyEnabled(ctx);
  const body = makePublicSchema.parse(options.input ?? {});
  const route = await resolveRoute(ctx, actor, env, body);
  checkState(env);
  const settled = env.publicStatus === "ACTIVE" || env.publicStatus === "PENDING_CERT";
  if (settled && sameRoute(routeOf(env), route)) {
    if (!ctx.tasks.isRunning(publishTaskKey(env.id)) && env.publicStatus === "PENDING_CERT") {
      void startPublish(ctx, env.id);
    }
    return toPublicView(env);
  }
  await requireProxyRunning(ctx);
  const claimed = await claim(ctx, env, route);
  await recordAudit(ctx, {
    action: "environment.public",
    userId: actor.userId,
    keyId: actor.key?.keyId,
    environmentId: env.id,
    detail: { ...route },
  });
  void startPublish(ctx, env.id);
  return toPublicView(claimed);
}
