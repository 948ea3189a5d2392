// Whether Berth can do its job right now: the database, the Docker daemon and
// a Swarm manager role. Any part down makes the whole report unhealthy.
import { pingDb } from "../db/client.js";
import type { DockerStatus } from "../orchestrator/docker.js";
import type { EgressStatus } from "../orchestrator/egress.js";
import type { Context } from "./context.js";
import { berthSiteWarnings } from "./public/berth-site.js";
import { proxyWarnings } from "./public/proxy.js";

export interface HealthReport {
  ok: boolean;
  database: { ok: boolean };
  docker: DockerStatus;
  swarm: { ok: boolean; state?: string; manager?: boolean };
  egress: EgressStatus;
  /** Which parts are down, for a one-glance answer. */
  down: string[];
  /** What works but is weaker than it should be. */
  warnings: string[];
}

export async function checkHealth(ctx: Context): Promise<HealthReport> {
  const [dbOk, docker] = await Promise.all([pingDb(ctx.db), ctx.engine.status()]);
  const swarmOk = docker.ok && docker.swarm?.state === "active" && docker.swarm.manager;
  const down = [
    ...(dbOk ? [] : ["database"]),
    ...(docker.ok ? [] : ["docker"]),
    ...(swarmOk ? [] : ["swarm"]),
  ];
  const egress = ctx.egress.status;
  const warnings = [
    ...(egress.enabled && !egress.applied
      ? [`egress guard not in place: ${egress.error ?? "not applied yet"}`]
      : []),
    ...(docker.ok ? await proxyWarnings(ctx) : []),
    ...berthSiteWarnings(ctx),
  ];
  return {
    ok: down.length === 0,
    database: { ok: dbOk },
    docker,
    swarm: { ok: swarmOk, state: docker.swarm?.state, manager: docker.swarm?.manager },
    egress,
    down,
    warnings,
  };
}
