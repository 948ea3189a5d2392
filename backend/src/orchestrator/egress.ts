// The egress guard: iptables rules that keep tenant containers away from the
// cloud metadata address, private ranges outside their own network, and the
// host's own services. Swarm tasks leave their overlay network only through
// docker_gwbridge, so the rules match traffic coming in from that bridge:
//   - forwarded traffic (DOCKER-USER → BERTH-EGRESS): replies and traffic to
//     published ports pass; link-local and private destinations are dropped,
//     except ranges the operator allows;
//   - traffic to the host itself (INPUT → BERTH-EGRESS-INPUT): only replies.
// Traffic between the tasks of one overlay network never crosses the host's
// chains, so a network's own traffic is untouched.
// The rules are built as data (exact unit tests) and sent with
// iptables-restore, which replaces the two chains atomically; a version tag
// in the first rule's comment lets Berth leave up-to-date rules (and their
// packet counters) alone.
import { createHash } from "node:crypto";

export const FORWARD_CHAIN = "BERTH-EGRESS";
export const INPUT_CHAIN = "BERTH-EGRESS-INPUT";
export const BRIDGE = "docker_gwbridge";

export const BLOCKED_RANGES = [
  "169.254.0.0/16", // link-local: the cloud metadata address 169.254.169.254
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10", // carrier-grade NAT, used by some clouds for internal services
] as const;

export interface EgressOptions {
  /** Private ranges tenants may still reach (EGRESS_ALLOW_CIDRS). */
  allow: string[];
}

const comment = (text: string) => ["-m", "comment", "--comment", `"berth: ${text}"`];
const REPLIES = ["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED"];

function rules(options: EgressOptions, tag: string): string[][] {
  const forward = ["-A", FORWARD_CHAIN, "-i", BRIDGE];
  const input = ["-A", INPUT_CHAIN, "-i", BRIDGE];
  return [
    [...forward, ...REPLIES, ...comment(`replies (egress guard ${tag})`), "-j", "RETURN"],
    [
      ...forward,
      "-m",
      "conntrack",
      "--ctstate",
      "DNAT",
      ...comment("published ports"),
      "-j",
      "RETURN",
    ],
    ...options.allow.map((cidr) => [
      ...forward,
      "-d",
      cidr,
      ...comment("allowed range"),
      "-j",
      "RETURN",
    ]),
    ...BLOCKED_RANGES.map((cidr) => [
      ...forward,
      "-d",
      cidr,
      ...comment("blocked range"),
      "-j",
      "DROP",
    ]),
    [...input, ...REPLIES, ...comment("replies"), "-j", "RETURN"],
    [...input, ...comment("host services"), "-j", "DROP"],
  ];
}

/** A short tag naming this exact rule set. */
export function rulesVersion(options: EgressOptions): string {
  return createHash("sha256")
    .update(JSON.stringify(rules(options, "")))
    .digest("hex")
    .slice(0, 12);
}

/** The iptables-restore input (for --noflush) that defines both chains. */
export function egressRestoreScript(options: EgressOptions): string {
  const tag = rulesVersion(options);
  return [
    "*filter",
    `:${FORWARD_CHAIN} - [0:0]`,
    `:${INPUT_CHAIN} - [0:0]`,
    ...rules(options, tag).map((rule) => rule.join(" ")),
    "COMMIT",
    "",
  ].join("\n");
}

/** The jumps into the chains, each the first rule of its parent chain. */
export const JUMPS: { chain: string; rule: string[] }[] = [
  { chain: "DOCKER-USER", rule: ["-j", FORWARD_CHAIN] },
  { chain: "INPUT", rule: ["-i", BRIDGE, "-j", INPUT_CHAIN] },
];

/** How Berth runs iptables: argv only, never a shell. */
export interface Iptables {
  run(args: string[]): Promise<string>;
  restore(script: string): Promise<void>;
}

export interface EgressStatus {
  enabled: boolean;
  applied: boolean;
  error?: string;
}

/** `iptables -S CHAIN` lines after the chain's own `-N`/`-P` line. */
async function ruleLines(iptables: Iptables, chain: string): Promise<string[]> {
  const out = await iptables.run(["-S", chain]).catch(() => "");
  return out.split("\n").filter((line) => line.startsWith("-A "));
}

async function ensureFirst(iptables: Iptables, chain: string, rule: string[]) {
  const first = (await ruleLines(iptables, chain))[0];
  if (first === ["-A", chain, ...rule].join(" ")) return;
  // Remove every copy, then put one at the top.
  while (
    await iptables.run(["-C", chain, ...rule]).then(
      () => true,
      () => false,
    )
  ) {
    await iptables.run(["-D", chain, ...rule]);
  }
  await iptables.run(["-I", chain, "1", ...rule]);
}

/** Installs or repairs the guard; leaves it alone when already in place. */
export async function ensureEgressGuard(iptables: Iptables, options: EgressOptions): Promise<void> {
  const tag = `egress guard ${rulesVersion(options)}`;
  const forward = await ruleLines(iptables, FORWARD_CHAIN);
  const input = await ruleLines(iptables, INPUT_CHAIN);
  if (!forward[0]?.includes(tag) || input.length !== 2) {
    await iptables.restore(egressRestoreScript(options));
  }
  for (const { chain, rule } of JUMPS) await ensureFirst(iptables, chain, rule);
}

/** Whether the guard is fully in place, without changing anything. */
export async function egressInPlace(iptables: Iptables, options: EgressOptions): Promise<boolean> {
  const tag = `egress guard ${rulesVersion(options)}`;
  const forward = await ruleLines(iptables, FORWARD_CHAIN);
  if (!forward[0]?.includes(tag)) return false;
  for (const { chain, rule } of JUMPS) {
    if ((await ruleLines(iptables, chain))[0] !== ["-A", chain, ...rule].join(" ")) return false;
  }
  return true;
}
