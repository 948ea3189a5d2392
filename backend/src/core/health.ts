// Whether Berth can do its job right now: the database, the Docker daemon and
// a Swarm manager role. Any part down makes the whole report unhealthy.
import { pingDb } from "../db/client.js";
import type { DockerStatus } from "../orchestrator/docker.js";
import type { Context } from "./context.js";

export interface HealthReport {
  ok: boolean;
  database: { ok: boolean };
  docker: DockerStatus;
  swarm: { ok: boolean; state?: string; manager?: boolean };
  /** Which parts are down, for a one-glance answer. */
  down: string[];
}

export async function checkHealth(ctx: Context): Promise<HealthReport> {
  const [dbOk, docker] = await Promise.all([pingDb(ctx.db), ctx.engine.status()]);
  const swarmOk = docker.ok && docker.swarm?.state === "active" && docker.swarm.manager;
  const down = [
    ...(dbOk ? [] : ["database"]),
    ...(docker.ok ? [] : ["docker"]),
    ...(swarmOk ? [] : ["swarm"]),
  ];
  return {
    ok: down.length === 0,
    database: { ok: dbOk },
    docker,
    swarm: { ok: swarmOk, state: docker.swarm?.state, manager: docker.swarm?.manager },
    down,
  };
}
