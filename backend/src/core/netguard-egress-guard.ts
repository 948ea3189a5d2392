// The netguard mode: another process (the netguard container, which alone
// holds NET_ADMIN in the host's network namespace) applies the egress guard;
// Berth only reads its report. Berth in a container then needs no privilege
// and no host network for the guard.
import type { Config } from "../config.js";
import type { EgressStatus } from "../orchestrator/egress.js";
import type { EgressGuardPort } from "./egress-guard.js";
import { readNetguardReport, statusFromReport } from "./netguard-report.js";

/** How long a read report is reused: /health may be polled often. */
const CACHE_MS = 1000;

export class NetguardEgressGuard implements EgressGuardPort {
  private cached: { at: number; status: EgressStatus } | undefined;

  constructor(private readonly config: Pick<Config, "EGRESS_GUARD" | "EGRESS_GUARD_STATUS_FILE">) {}

  get status(): EgressStatus {
    if (!this.config.EGRESS_GUARD) return { enabled: false, applied: false };
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CACHE_MS) {
      const report = readNetguardReport(this.config.EGRESS_GUARD_STATUS_FILE);
      this.cached = { at: now, status: statusFromReport(report, now) };
    }
    return this.cached.status;
  }

  ensure(): Promise<EgressStatus> {
    this.cached = undefined;
    return Promise.resolve(this.status);
  }
}
