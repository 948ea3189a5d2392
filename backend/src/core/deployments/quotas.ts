// Per-environment quotas, checked before any Docker call: services,
// replicas, CPUs and memory of what runs (or is on its way) after this
// deployment replaces its service's current one.
import type { Config } from "../../config.js";
import type { Context } from "../context.js";
import { AppError } from "../errors.js";
import type { Resources } from "./normalize.js";
import { formatBytes, formatCpus } from "./units.js";

const ACTIVE = [
  "PENDING",
  "PULLING_IMAGE",
  "CREATING_VOLUMES",
  "STARTING_CONTAINERS",
  "RUNNING",
] as const;

export interface Usage {
  services: number;
  replicas: number;
  nanoCpus: number;
  memoryBytes: number;
}

interface Planned {
  serviceName: string;
  replicas: number;
  resources: Pick<Resources, "nanoCpus" | "memoryBytes">;
}

/** What the environment would use with `planned` in place of its service. */
export async function usageWith(
  ctx: Pick<Context, "db">,
  environmentId: string,
  planned: Planned,
): Promise<Usage> {
  const current = await ctx.db.deployment.findMany({
    where: {
      environmentId,
      status: { in: [...ACTIVE] },
      serviceName: { not: planned.serviceName },
    },
    distinct: ["serviceName"],
    orderBy: [{ serviceName: "asc" }, { id: "desc" }],
    select: { replicas: true, resources: true },
  });
  const all = [
    ...current.map((d) => ({
      replicas: d.replicas,
      resources: d.resources as unknown as Resources,
    })),
    planned,
  ];
  return {
    services: all.length,
    replicas: all.reduce((n, d) => n + d.replicas, 0),
    nanoCpus: all.reduce((n, d) => n + d.replicas * d.resources.nanoCpus, 0),
    memoryBytes: all.reduce((n, d) => n + d.replicas * d.resources.memoryBytes, 0),
  };
}

function exceeded(quota: string, what: string, limit: number | string, current: number | string) {
  return new AppError("QUOTA_EXCEEDED", `quota reached: at most ${what} per environment`, {
    quota,
    limit,
    current,
  });
}

/** Throws QUOTA_EXCEEDED naming the first quota the usage breaks. */
export function checkQuotas(config: Config, usage: Usage): void {
  const cpuLimit = Math.round(config.QUOTA_CPUS_PER_ENVIRONMENT * 1e9);
  const memLimit = config.QUOTA_MEMORY_MB_PER_ENVIRONMENT * 1024 ** 2;
  if (usage.services > config.QUOTA_SERVICES_PER_ENVIRONMENT) {
    const limit = config.QUOTA_SERVICES_PER_ENVIRONMENT;
    throw exceeded("services_per_environment", `${limit} services`, limit, usage.services);
  }
  if (usage.replicas > config.QUOTA_REPLICAS_PER_ENVIRONMENT) {
    const limit = config.QUOTA_REPLICAS_PER_ENVIRONMENT;
    throw exceeded("replicas_per_environment", `${limit} replicas`, limit, usage.replicas);
  }
  if (usage.nanoCpus > cpuLimit) {
    throw exceeded(
      "cpus_per_environment",
      `${formatCpus(cpuLimit)} CPUs`,
      formatCpus(cpuLimit),
      formatCpus(usage.nanoCpus),
    );
  }
  if (usage.memoryBytes > memLimit) {
    throw exceeded(
      "memory_per_environment",
      `${formatBytes(memLimit)} of memory`,
      formatBytes(memLimit),
      formatBytes(usage.memoryBytes),
    );
  }
}
