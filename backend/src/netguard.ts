// The netguard: keeps the egress guard (orchestrator/egress.ts) in place on
// the host and reports whether it is, for Berth's /health. In production it
// runs as its own container with the host's network namespace and only
// NET_ADMIN: no Docker socket, no database, no secret, no open port, so the
// internet-facing containers gain no privilege from the guard.
//   node dist/netguard.js          keep the guard in place
//   node dist/netguard.js check    exit 0 when the last report is fresh and
//                                  the guard in place (the health check)
import { fileURLToPath } from "node:url";
import { ConfigError, loadNetguardConfig, type NetguardConfig } from "./config.js";
import {
  readNetguardReport,
  statusFromReport,
  writeNetguardReport,
  type NetguardReport,
} from "./core/netguard-report.js";
import { createLogger, type Logger } from "./log.js";
import { ensureEgressGuard, type Iptables } from "./orchestrator/egress.js";
import {
  detectVariant,
  variantIptables,
  type IptablesVariant,
} from "./orchestrator/iptables-variant.js";

export interface NetguardDeps {
  /** The iptables to use for a flavour (tests pass a fake). */
  iptables(variant: IptablesVariant): Iptables;
  detect(): Promise<IptablesVariant>;
}

const hostDeps: NetguardDeps = { iptables: variantIptables, detect: detectVariant };

/** One round: apply or repair the guard, and say how it went. */
export async function guardRound(
  config: NetguardConfig,
  deps: NetguardDeps = hostDeps,
): Promise<NetguardReport> {
  const base = {
    checkedAt: new Date().toISOString(),
    intervalSeconds: config.NETGUARD_INTERVAL_SECONDS,
  };
  if (!config.EGRESS_GUARD) return { ...base, enabled: false, applied: false };
  const variant =
    config.NETGUARD_IPTABLES === "auto" ? await deps.detect() : config.NETGUARD_IPTABLES;
  try {
    await ensureEgressGuard(deps.iptables(variant), { allow: config.EGRESS_ALLOW_CIDRS });
    return { ...base, enabled: true, applied: true, iptables: variant };
  } catch (error) {
    const message = (error as Error).message.trim();
    return { ...base, enabled: true, applied: false, iptables: variant, error: message };
  }
}

/** Runs a round now and then every NETGUARD_INTERVAL_SECONDS until stopped. */
export function startNetguard(config: NetguardConfig, log: Logger, deps: NetguardDeps = hostDeps) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let last: boolean | undefined;
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    const report = await guardRound(config, deps);
    await writeNetguardReport(config.EGRESS_GUARD_STATUS_FILE, report);
    // Log changes only: one line per state, not one per round.
    if (report.applied !== last) {
      if (report.applied || !report.enabled) log.info({ report }, "egress guard report");
      else log.error({ report }, "egress guard not in place");
      last = report.applied;
    }
  };
  const tick = () => {
    running = round()
      .catch((error: unknown) => log.error({ err: error }, "netguard round failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, config.NETGUARD_INTERVAL_SECONDS * 1000);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The health check: the guard is in place (or switched off) by a fresh report. */
function check(config: NetguardConfig): number {
  if (!config.EGRESS_GUARD) return 0;
  const status = statusFromReport(readNetguardReport(config.EGRESS_GUARD_STATUS_FILE));
  process.stdout.write(`${JSON.stringify(status)}\n`);
  return status.applied ? 0 : 1;
}

function main(command: string | undefined): void {
  let config: NetguardConfig;
  try {
    config = loadNetguardConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`netguard cannot start: ${error.message}\n`);
    process.exit(1);
  }
  if (command === "check") process.exit(check(config));
  const log = createLogger(config.LOG_LEVEL).child({ service: "berth-netguard" });
  log.info(
    { interval: config.NETGUARD_INTERVAL_SECONDS, file: config.EGRESS_GUARD_STATUS_FILE },
    "netguard started",
  );
  const netguard = startNetguard(config, log);
  const stop = () => void netguard.stop().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv[2]);
