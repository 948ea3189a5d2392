// What a request to make an environment public asks for, checked against
// the rules and the database before anything is written: the domain (its
// own rules, the base domain's, not the platform's host, not another
// environment's), the service (an existing one of this environment) and the
// port.
import type { Config } from "../../config.js";
import type { Environment } from "../../generated/prisma/client.js";
import type { Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { findDeployment } from "../deployments/find-deployment.js";
import { AppError } from "../errors.js";
import type { makePublicSchema } from "./schemas.js";
import { validateDomain } from "./validate-domain.js";
import type { z } from "zod";

export interface PublicRoute {
  domain: string;
  /** The service's name within the environment. */
  service: string;
  port: number;
}

type Body = z.output<typeof makePublicSchema>;

function refuse(field: string, message: string): AppError {
  return new AppError("INVALID_INPUT", `${field}: ${message}`, { field });
}

/** The domain asked for (or the default under the base domain), normalised. */
export function chooseDomain(
  config: Pick<Config, "PUBLIC_URL" | "PUBLIC_BASE_DOMAIN">,
  slug: string,
  requested: string | undefined,
): string {
  const base = config.PUBLIC_BASE_DOMAIN;
  const own = base ? `${slug}.${base}` : undefined;
  if (requested === undefined && own === undefined) {
    throw refuse("domain", "is required (this Berth has no base domain to choose one under)");
  }
  const domain = validateDomain(requested ?? own, {
    platformHosts: [new URL(config.PUBLIC_URL).hostname],
  });
  // Names under the base domain are handed out by Berth, one per environment.
  if (base && (domain === base || domain.endsWith(`.${base}`)) && domain !== own) {
    throw refuse(
      "domain",
      `names under ${base} are given out by Berth: this environment's is ${own}`,
    );
  }
  return domain;
}

/** The one TCP port a service declares, when a request names none. */
export function defaultPort(ports: unknown): number {
  const declared = (Array.isArray(ports) ? ports : []).filter(
    (p: { containerPort?: unknown; protocol?: unknown }) =>
      typeof p?.containerPort === "number" && (p.protocol ?? "tcp") === "tcp",
  ) as { containerPort: number }[];
  if (declared.length === 1) return declared[0]!.containerPort;
  throw refuse(
    "port",
    `is required: the service declares ${declared.length === 0 ? "no port" : "several ports"}`,
  );
}

/** The deployment's service, when the actor sees the deployment and it is of this environment. */
async function serviceOfDeployment(ctx: Context, actor: Actor, env: Environment, id: string) {
  const deployment = await findDeployment(ctx, actor, id).catch((error: unknown) => {
    if (AppError.is(error, "NOT_FOUND")) return null;
    throw error;
  });
  if (deployment?.environmentId !== env.id) {
    throw refuse("deploymentId", "no such deployment in this environment");
  }
  return deployment.serviceName;
}

/** The service's current deployment: it must exist and not be removed. */
async function findService(ctx: Context, actor: Actor, env: Environment, body: Body) {
  const field = body.deploymentId === undefined ? "service" : "deploymentId";
  const service =
    body.deploymentId === undefined
      ? body.service!
      : await serviceOfDeployment(ctx, actor, env, body.deploymentId);
  const current = await ctx.db.deployment.findFirst({
    where: {
      environmentId: env.id,
      serviceName: service,
      status: { notIn: ["SUPERSEDED", "REMOVING", "REMOVED"] },
    },
    orderBy: { id: "desc" },
  });
  if (!current) throw refuse(field, `this environment has no service ${service}`);
  return current;
}

async function checkUnclaimed(ctx: Context, env: Environment, domain: string) {
  const other = await ctx.db.environment.findFirst({
    where: { publicDomain: domain, id: { not: env.id } },
    select: { id: true },
  });
  if (other) {
    throw new AppError("CONFLICT", `domain: ${domain} is already used by another environment`, {
      field: "domain",
    });
  }
}

export async function resolveRoute(
  ctx: Context,
  actor: Actor,
  env: Environment,
  body: Body,
): Promise<PublicRoute> {
  const domain = chooseDomain(ctx.config, env.slug, body.domain);
  const current = await findService(ctx, actor, env, body);
  const port = body.port ?? defaultPort(current.ports);
  await checkUnclaimed(ctx, env, domain);
  return { domain, service: current.serviceName, port };
}
