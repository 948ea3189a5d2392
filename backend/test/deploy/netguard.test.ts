// The netguard (egress guard applied by its own process) and Berth's side of
// it (reading the report for /health), without touching the host's iptables.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNetguardConfig } from "../../src/config.js";
import { NetguardEgressGuard } from "../../src/core/netguard-egress-guard.js";
import {
  readNetguardReport,
  statusFromReport,
  writeNetguardReport,
  type NetguardReport,
} from "../../src/core/netguard-report.js";
import { createLogger } from "../../src/log.js";
import type { Iptables } from "../../src/orchestrator/egress.js";
import { guardRound, startNetguard, type NetguardDeps } from "../../src/netguard.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-netguard-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** iptables that has nothing in place and records what it is asked. */
function fakeDeps(failRestore = false) {
  const used: string[] = [];
  const restored: string[] = [];
  const iptables = (variant: string): Iptables => ({
    run: (args) => {
      used.push(variant);
      return args[0] === "-C" ? Promise.reject(new Error("no rule")) : Promise.resolve("");
    },
    restore: (script) => {
      restored.push(script);
      return failRestore
        ? Promise.reject(new Error("iptables-nft-restore failed: Permission denied"))
        : Promise.resolve();
    },
  });
  const deps: NetguardDeps = { iptables, detect: () => Promise.resolve("legacy") };
  return { deps, used, restored };
}

const config = (env: Record<string, string> = {}) =>
  loadNetguardConfig({ EGRESS_GUARD_STATUS_FILE: join(dir, "status.json"), ...env });

describe("the netguard's settings", () => {
  it("need no database, secret or Docker", () => {
    expect(config()).toMatchObject({
      EGRESS_GUARD: true,
      NETGUARD_INTERVAL_SECONDS: 30,
      NETGUARD_IPTABLES: "auto",
    });
  });
});

describe("a netguard round", () => {
  it("applies the guard with the detected iptables flavour and says so", async () => {
    const { deps, used, restored } = fakeDeps();
    const report = await guardRound(config({ EGRESS_ALLOW_CIDRS: "10.9.0.0/16" }), deps);
    expect(report).toMatchObject({ enabled: true, applied: true, iptables: "legacy" });
    expect(report.intervalSeconds).toBe(30);
    expect(new Set(used)).toEqual(new Set(["legacy"]));
    expect(restored[0]).toContain("-d 10.9.0.0/16");
  });

  it("uses the flavour it is told to", async () => {
    const { deps, used } = fakeDeps();
    await guardRound(config({ NETGUARD_IPTABLES: "nft" }), deps);
    expect(new Set(used)).toEqual(new Set(["nft"]));
  });

  it("reports a failure with the reason", async () => {
    const { deps } = fakeDeps(true);
    const report = await guardRound(config(), deps);
    expect(report).toMatchObject({ enabled: true, applied: false });
    expect(report.error).toMatch(/Permission denied/);
  });

  it("touches nothing when the guard is switched off", async () => {
    const { deps, used } = fakeDeps();
    const report = await guardRound(config({ EGRESS_GUARD: "false" }), deps);
    expect(report).toMatchObject({ enabled: false, applied: false });
    expect(used).toEqual([]);
  });

  it("runs at start and writes its report file", async () => {
    const file = join(dir, "loop", "status.json");
    const { deps } = fakeDeps();
    const netguard = startNetguard(
      config({ EGRESS_GUARD_STATUS_FILE: file }),
      createLogger("silent"),
      deps,
    );
    await expect.poll(() => readFile(file, "utf8").catch(() => "")).toMatch(/"applied":true/);
    await netguard.stop();
  });
});

describe("Berth reading the report", () => {
  const report = (over: Partial<NetguardReport> = {}): NetguardReport => ({
    enabled: true,
    applied: true,
    checkedAt: new Date().toISOString(),
    intervalSeconds: 30,
    ...over,
  });

  it("counts only a fresh report of rules in place", () => {
    const now = Date.now();
    expect(statusFromReport(report(), now)).toEqual({ enabled: true, applied: true });
    const old = new Date(now - 96_000).toISOString();
    expect(statusFromReport(report({ checkedAt: old }), now)).toEqual({
      enabled: true,
      applied: false,
      error: "netguard's last report is 96s old: is the netguard running?",
    });
    expect(statusFromReport(report({ applied: false, error: "no NET_ADMIN" }), now)).toEqual({
      enabled: true,
      applied: false,
      error: "no NET_ADMIN",
    });
    expect(statusFromReport(report({ enabled: false, applied: false }), now)).toEqual({
      enabled: false,
      applied: false,
    });
  });

  it("says when there is no report yet, or a broken one", async () => {
    const missing = join(dir, "missing.json");
    expect(statusFromReport(readNetguardReport(missing))).toEqual({
      enabled: true,
      applied: false,
      error: "netguard has not reported yet",
    });
    const broken = join(dir, "broken.json");
    await writeFile(broken, "{not json");
    expect(readNetguardReport(broken)).toMatch(/is not valid/);
  });

  it("follows the file the netguard writes (re-read on every reconcile)", async () => {
    const file = join(dir, "guard.json");
    const guard = new NetguardEgressGuard({ EGRESS_GUARD: true, EGRESS_GUARD_STATUS_FILE: file });
    expect(guard.status.applied).toBe(false);
    await writeNetguardReport(file, report());
    expect(await guard.ensure()).toEqual({ enabled: true, applied: true });
    expect(guard.status).toEqual({ enabled: true, applied: true });
    const off = new NetguardEgressGuard({ EGRESS_GUARD: false, EGRESS_GUARD_STATUS_FILE: file });
    expect(off.status).toEqual({ enabled: false, applied: false });
  });
});
