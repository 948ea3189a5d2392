// Isolation between environments and the egress guard, on the real engine.
// Network safety (TESTBED.md): isolation is probed by service *name*; the
// one probe by IP (B → A's task) is sent only after this test's own safety
// net (DROP everything from docker_gwbridge, placed after Berth's rules in
// DOCKER-USER and INPUT) is installed and checked, and the assertion is that
// Berth's rule counted the packets. Nothing outside the machine is probed.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { actorForUser } from "../../src/core/auth/scopes.js";
import { createEnvironment } from "../../src/core/environments/create-environment.js";
import { environmentLabels, objectName } from "../../src/core/environments/names.js";
import type { EnvironmentView } from "../../src/core/environments/view.js";
import { reconcile } from "../../src/core/reconcile/reconcile.js";
import {
  BRIDGE,
  egressInPlace,
  FORWARD_CHAIN,
  INPUT_CHAIN,
} from "../../src/orchestrator/egress.js";
import { localIptables } from "../../src/orchestrator/iptables.js";
import { listTasks } from "../../src/orchestrator/swarm.js";
import { startTestBerth, type TestBerth } from "../helpers/berth.js";
import { probe, runTestService } from "../helpers/probe.js";

const run = promisify(execFile);
const iptables = async (...args: string[]) => (await run("iptables", ["-w", "5", ...args])).stdout;
const NET = `BERTH-TEST-NET-${inject("runId")}`.slice(0, 28);

let t: TestBerth;
let a: EnvironmentView;
let b: EnvironmentView;
let aTaskIp = "";

/** Packets counted so far by the rule of `chain` whose line matches `pattern`. */
async function counter(chain: string, pattern: RegExp): Promise<number> {
  const line = (await iptables("-L", chain, "-v", "-x", "-n"))
    .split("\n")
    .find((l) => pattern.test(l));
  if (!line) throw new Error(`no rule matching ${pattern} in ${chain}`);
  return Number(line.trim().split(/\s+/)[0]);
}

async function installSafetyNet() {
  await iptables("-N", NET).catch(() => "");
  await iptables("-F", NET);
  await iptables(
    "-A",
    NET,
    "-i",
    BRIDGE,
    "-m",
    "conntrack",
    "--ctstate",
    "RELATED,ESTABLISHED",
    "-j",
    "RETURN",
  );
  await iptables("-A", NET, "-i", BRIDGE, "-j", "DROP");
  // Second in each parent chain: after Berth's jump, before anything else.
  await iptables("-I", "DOCKER-USER", "2", "-j", NET);
  await iptables("-I", "INPUT", "2", "-i", BRIDGE, "-j", NET);
}

async function removeSafetyNet() {
  await iptables("-D", "DOCKER-USER", "-j", NET).catch(() => "");
  await iptables("-D", "INPUT", "-i", BRIDGE, "-j", NET).catch(() => "");
  await iptables("-F", NET).catch(() => "");
  await iptables("-X", NET).catch(() => "");
}

async function serviceIn(env: EnvironmentView, ownerId: string) {
  const labels = {
    ...environmentLabels(t.ctx.config, { id: env.id, ownerId }),
    "berth.service": "app",
  };
  return runTestService(t.ctx.engine, {
    name: objectName(env.slug, "app"),
    networkId: env.overlayNetworkId!,
    labels,
    aliases: ["app"],
  });
}

beforeAll(async () => {
  t = await startTestBerth();
  const user = await t.ctx.db.user.create({ data: { name: "tenant" } });
  const actor = actorForUser(user);
  a = await createEnvironment(t.ctx, { actor, input: { name: "alpha" } });
  b = await createEnvironment(t.ctx, { actor, input: { name: "bravo" } });
  const aService = await serviceIn(a, user.id);
  await serviceIn(b, user.id);
  const task = (await listTasks(t.ctx.engine, aService)).find((x) => x.Status?.State === "running");
  const attachment = (
    task as { NetworksAttachments?: { Network: { ID: string }; Addresses: string[] }[] }
  ).NetworksAttachments?.find((n) => n.Network.ID === a.overlayNetworkId);
  aTaskIp = attachment!.Addresses[0]!.split("/")[0]!;
});

afterAll(async () => {
  await removeSafetyNet();
  await t.close();
});

describe("isolation between environments", () => {
  it("resolves a service of its own environment, by Berth's name and by its alias", async () => {
    const own = await probe(t.ctx.engine, b.networkName, "resolve.js", objectName(b.slug, "app"));
    expect(own.exitCode, own.output).toBe(0);
    const alias = await probe(t.ctx.engine, b.networkName, "resolve.js", "app");
    expect(alias.exitCode).toBe(0);
    expect(alias.output).not.toContain(aTaskIp);
    const reach = await probe(t.ctx.engine, b.networkName, "probe.js", "http://app:8080/", "5000");
    expect(reach.exitCode, reach.output).toBe(0);
  });

  it("cannot resolve a service of another environment", async () => {
    const other = await probe(t.ctx.engine, b.networkName, "resolve.js", objectName(a.slug, "app"));
    expect(other.exitCode).toBe(1);
    expect(other.output).toMatch(/unresolved/);
  });
});

describe("egress guard", () => {
  it("is in place and reported by /health", async () => {
    const status = await t.ctx.egress.ensure();
    expect(status).toEqual({ enabled: true, applied: true });
    const rules = await iptables("-S", "DOCKER-USER");
    expect(rules.split("\n")[1]).toBe(`-A DOCKER-USER -j ${FORWARD_CHAIN}`);
    const health = (await (await fetch(`${t.url}/health`)).json()) as {
      egress: unknown;
      warnings: string[];
    };
    expect(health.egress).toEqual({ enabled: true, applied: true });
    expect(health.warnings).toEqual([]);
  });

  it("stops a probe from environment B to A's task address (Berth's rule counts it)", async () => {
    expect(aTaskIp).toMatch(/^10\./);
    await installSafetyNet();
    await iptables("-C", "DOCKER-USER", "-j", NET); // the net is in place
    await iptables("-C", "INPUT", "-i", BRIDGE, "-j", NET);
    const blocked = /DROP .* 10\.0\.0\.0\/8/;
    const before = await counter(FORWARD_CHAIN, blocked);
    const netBefore = await counter(NET, /DROP/);
    const result = await probe(
      t.ctx.engine,
      b.networkName,
      "probe.js",
      `http://${aTaskIp}:8080/`,
      "2000",
    );
    expect(result.exitCode).not.toBe(0);
    expect(await counter(FORWARD_CHAIN, blocked)).toBeGreaterThan(before);
    // Berth stopped it, not the safety net behind it.
    expect(await counter(NET, /DROP/)).toBe(netBefore);
  });

  it("stops a tenant from reaching the host's own services (Berth's INPUT rule counts it)", async () => {
    const gateway = (await t.ctx.engine.docker.getNetwork(BRIDGE).inspect()).IPAM?.Config?.[0]
      ?.Gateway;
    expect(gateway).toBeTruthy();
    const before = await counter(INPUT_CHAIN, /DROP/);
    const result = await probe(
      t.ctx.engine,
      b.networkName,
      "probe.js",
      `http://${gateway}:${new URL(t.url).port}/health`,
      "2000",
    );
    expect(result.exitCode).not.toBe(0);
    expect(await counter(INPUT_CHAIN, /DROP/)).toBeGreaterThan(before);
  });

  it("comes back on the next reconcile after the rules are lost", async () => {
    await iptables("-D", "DOCKER-USER", "-j", FORWARD_CHAIN);
    await iptables("-F", FORWARD_CHAIN);
    expect(await egressInPlace(localIptables, { allow: [] })).toBe(false);
    await reconcile(t.ctx);
    expect(await egressInPlace(localIptables, { allow: [] })).toBe(true);
  });
});
