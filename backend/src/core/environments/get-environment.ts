// One environment with its current deployment per service, the Swarm
// services Docker reports for it, and its public state.
import type Docker from "dockerode";
import { dockerError } from "../../orchestrator/docker.js";
import { labelFilter } from "../../orchestrator/labels.js";
import { requireScope, type Actor } from "../auth/scopes.js";
import type { Context } from "../context.js";
import { findEnvironment } from "./find-environment.js";
import { environmentSelector } from "./names.js";
import { toEnvironmentView, type EnvironmentView } from "./view.js";

export interface ServiceState {
  name: string;
  dockerName: string;
  desiredTasks: number;
  runningTasks: number;
}

export interface DeploymentSummary {
  id: string;
  jobId: string;
  serviceName: string;
  image: string;
  tag: string;
  replicas: number;
  status: string;
  createdAt: Date;
}

export interface EnvironmentDetail extends EnvironmentView {
  deployments: DeploymentSummary[];
  services: ServiceState[];
}

async function serviceStates(ctx: Context, environmentId: string): Promise<ServiceState[]> {
  await ctx.engine.version();
  const services = (await ctx.engine.docker
    .listServices({
      filters: labelFilter(environmentSelector(ctx.config, environmentId)),
      status: true,
    } as Docker.ServiceListOptions)
    .catch((error: unknown) => {
      throw dockerError(error);
    })) as (Docker.Service & { ServiceStatus?: { DesiredTasks: number; RunningTasks: number } })[];
  return services.map((s) => ({
    name: s.Spec?.Labels?.["berth.service"] ?? s.Spec?.Name ?? "",
    dockerName: s.Spec?.Name ?? "",
    desiredTasks: s.ServiceStatus?.DesiredTasks ?? 0,
    runningTasks: s.ServiceStatus?.RunningTasks ?? 0,
  }));
}

export async function getEnvironment(
  ctx: Context,
  options: { actor: Actor; id: string },
): Promise<EnvironmentDetail> {
  requireScope(options.actor, "environments:read");
  const env = await findEnvironment(ctx, options.actor, options.id);
  const deployments = await ctx.db.deployment.findMany({
    where: { environmentId: env.id, status: { notIn: ["SUPERSEDED", "REMOVED"] } },
    distinct: ["serviceName"],
    orderBy: [{ serviceName: "asc" }, { id: "desc" }],
    select: {
      id: true,
      jobId: true,
      serviceName: true,
      image: true,
      tag: true,
      replicas: true,
      status: true,
      createdAt: true,
    },
  });
  const services = env.status === "ACTIVE" ? await serviceStates(ctx, env.id) : [];
  return { ...toEnvironmentView(env), deployments, services };
}
