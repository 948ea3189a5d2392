// What every core operation may use, built once in main.ts (and by the
// tests' helpers) and passed down. No globals, no container.
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import type { Logger } from "../log.js";
import type { DockerEngine } from "../orchestrator/docker.js";
import { KeyVerifier } from "./auth/key-verifier.js";
import { localIptables } from "../orchestrator/iptables.js";
import { BackgroundTasks } from "./background.js";
import { EgressGuard, type EgressGuardPort } from "./egress-guard.js";
import { NetguardEgressGuard } from "./netguard-egress-guard.js";
import { EventBus } from "./events.js";
import { WindowLimiter } from "./rate-limit.js";

export interface Context {
  config: Config;
  db: Db;
  engine: DockerEngine;
  log: Logger;
  keys: KeyVerifier;
  tasks: BackgroundTasks;
  egress: EgressGuardPort;
  events: EventBus;
  /** Platform rate limits shared by every door. */
  limits: { deployments: WindowLimiter; requests: WindowLimiter };
}

export function createContext(
  parts: Omit<Context, "keys" | "tasks" | "egress" | "events" | "limits">,
): Context {
  return {
    ...parts,
    events: new EventBus((error) => parts.log.error({ err: error }, "event listener failed")),
    keys: new KeyVerifier(parts.db),
    tasks: new BackgroundTasks(parts.log),
    egress:
      parts.config.EGRESS_GUARD_MODE === "netguard"
        ? new NetguardEgressGuard(parts.config)
        : new EgressGuard(localIptables, parts.config),
    limits: {
      deployments: new WindowLimiter(
        parts.config.RATE_LIMIT_DEPLOYMENTS_PER_MINUTE,
        "new deployments",
      ),
      // Per API key, over the REST and MCP doors together.
      requests: new WindowLimiter(parts.config.RATE_LIMIT_API_PER_MINUTE, "requests"),
    },
  };
}
