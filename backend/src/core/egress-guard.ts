// Keeps the egress guard in place (at start-up and on every reconcile, so
// rules lost to a Docker restart or a firewall reload come back) and
// remembers whether it is, for /health.
import type { Config } from "../config.js";
import { ensureEgressGuard, type EgressStatus, type Iptables } from "../orchestrator/egress.js";

/** What the rest of Berth needs of a guard, whoever applies the rules. */
export interface EgressGuardPort {
  readonly status: EgressStatus;
  /** Applies or re-checks the guard (every reconcile round). */
  ensure(): Promise<EgressStatus>;
}

/** The local mode: Berth runs iptables itself. */
export class EgressGuard implements EgressGuardPort {
  private current: EgressStatus;

  constructor(
    private readonly iptables: Iptables,
    private readonly config: Pick<Config, "EGRESS_GUARD" | "EGRESS_ALLOW_CIDRS">,
  ) {
    this.current = { enabled: config.EGRESS_GUARD, applied: false };
  }

  get status(): EgressStatus {
    return this.current;
  }

  async ensure(): Promise<EgressStatus> {
    if (!this.config.EGRESS_GUARD) return this.current;
    try {
      await ensureEgressGuard(this.iptables, { allow: this.config.EGRESS_ALLOW_CIDRS });
      this.current = { enabled: true, applied: true };
    } catch (error) {
      this.current = { enabled: true, applied: false, error: (error as Error).message };
    }
    return this.current;
  }
}
