import { describe, expect, it } from "vitest";
import {
  egressRestoreScript,
  ensureEgressGuard,
  rulesVersion,
  type Iptables,
} from "../../src/orchestrator/egress.js";

describe("egress rules", () => {
  it("are exactly these, for the filter table", () => {
    const tag = rulesVersion({ allow: ["10.20.0.0/16"] });
    expect(egressRestoreScript({ allow: ["10.20.0.0/16"] })).toBe(
      [
        "*filter",
        ":BERTH-EGRESS - [0:0]",
        ":BERTH-EGRESS-INPUT - [0:0]",
        `-A BERTH-EGRESS -i docker_gwbridge -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "berth: replies (egress guard ${tag})" -j RETURN`,
        '-A BERTH-EGRESS -i docker_gwbridge -m conntrack --ctstate DNAT -m comment --comment "berth: published ports" -j RETURN',
        '-A BERTH-EGRESS -i docker_gwbridge -d 10.20.0.0/16 -m comment --comment "berth: allowed range" -j RETURN',
        '-A BERTH-EGRESS -i docker_gwbridge -d 169.254.0.0/16 -m comment --comment "berth: blocked range" -j DROP',
        '-A BERTH-EGRESS -i docker_gwbridge -d 10.0.0.0/8 -m comment --comment "berth: blocked range" -j DROP',
        '-A BERTH-EGRESS -i docker_gwbridge -d 172.16.0.0/12 -m comment --comment "berth: blocked range" -j DROP',
        '-A BERTH-EGRESS -i docker_gwbridge -d 192.168.0.0/16 -m comment --comment "berth: blocked range" -j DROP',
        '-A BERTH-EGRESS -i docker_gwbridge -d 100.64.0.0/10 -m comment --comment "berth: blocked range" -j DROP',
        '-A BERTH-EGRESS-INPUT -i docker_gwbridge -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "berth: replies" -j RETURN',
        '-A BERTH-EGRESS-INPUT -i docker_gwbridge -m comment --comment "berth: host services" -j DROP',
        "COMMIT",
        "",
      ].join("\n"),
    );
  });

  it("change version when the allowed ranges change", () => {
    expect(rulesVersion({ allow: [] })).not.toBe(rulesVersion({ allow: ["10.1.0.0/16"] }));
    expect(rulesVersion({ allow: [] })).toMatch(/^[0-9a-f]{12}$/);
  });

  it("are left alone when in place, restored and moved first when not", async () => {
    const tag = rulesVersion({ allow: [] });
    const chains: Record<string, string[]> = {
      "BERTH-EGRESS": [
        `-A BERTH-EGRESS -i docker_gwbridge -m comment --comment "berth: replies (egress guard ${tag})" -j RETURN`,
      ],
      "BERTH-EGRESS-INPUT": ["-A BERTH-EGRESS-INPUT a", "-A BERTH-EGRESS-INPUT b"],
      "DOCKER-USER": ["-A DOCKER-USER -j BERTH-EGRESS", "-A DOCKER-USER -j RETURN"],
      INPUT: ["-A INPUT -i docker_gwbridge -j BERTH-EGRESS-INPUT"],
    };
    const calls: string[] = [];
    const fake: Iptables = {
      run: ([op, chain = "", ...rule]) => {
        const line = ["-A", chain, ...rule].join(" ");
        const lines = (chains[chain] ??= []);
        if (op !== "-S") calls.push([op, chain, ...rule].join(" "));
        if (op === "-S") return Promise.resolve(`-N ${chain}\n${lines.join("\n")}\n`);
        if (op === "-C")
          return lines.includes(line) ? Promise.resolve("") : Promise.reject(new Error("no"));
        if (op === "-D") lines.splice(lines.indexOf(line), 1);
        if (op === "-I") lines.unshift(["-A", chain, ...rule.slice(1)].join(" "));
        return Promise.resolve("");
      },
      restore: () => {
        calls.push("restore");
        return Promise.resolve();
      },
    };
    await ensureEgressGuard(fake, { allow: [] });
    expect(calls).toEqual([]);

    chains["DOCKER-USER"] = ["-A DOCKER-USER -j OTHER", "-A DOCKER-USER -j BERTH-EGRESS"];
    chains["BERTH-EGRESS"] = [];
    await ensureEgressGuard(fake, { allow: [] });
    expect(calls).toEqual([
      "restore",
      "-C DOCKER-USER -j BERTH-EGRESS",
      "-D DOCKER-USER -j BERTH-EGRESS",
      "-C DOCKER-USER -j BERTH-EGRESS",
      "-I DOCKER-USER 1 -j BERTH-EGRESS",
    ]);
    expect(chains["DOCKER-USER"]).toEqual([
      "-A DOCKER-USER -j BERTH-EGRESS",
      "-A DOCKER-USER -j OTHER",
    ]);
  });
});
