// Whether a registry host points inside the operator's network. The daemon
// pulls from wherever a reference says, from the host's own network, so a
// tenant could make it talk to loopback, the LAN or the cloud metadata
// service. Only literal addresses and names that can only be local are
// judged here: DNS is never resolved (a public name that resolves to a
// private address is the egress firewall's to stop).

/** Why `registry` ("host[:port]") is not a public registry, or null. */
export function nonPublicRegistry(registry: string): string | null {
  const host = registry.startsWith("[")
    ? registry.slice(1, registry.indexOf("]"))
    : (registry.split(":")[0] ?? "").toLowerCase();
  if (registry.startsWith("[")) return ipv6Problem(host);
  if (host === "localhost" || host.endsWith(".localhost")) return "a loopback name";
  if (/^[0-9]+(?:\.[0-9]+){3}$/.test(host)) return ipv4Problem(host);
  // inet_aton accepts "127.1", "0x7f000001" and "017700000001" as addresses.
  if (/^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$/.test(host)) {
    return "an address not written as four decimal numbers";
  }
  if (!host.includes(".")) return "a single-label host name, which only a local resolver knows";
  return null;
}

// [first address, prefix length, what it is]
const IPV4_BLOCKED: [number, number, string][] = [
  [0x00000000, 8, "a 'this network' address (0.0.0.0 reaches the host itself)"],
  [0x0a000000, 8, "a private address"],
  [0x64400000, 10, "a carrier-grade NAT address"],
  [0x7f000000, 8, "a loopback address"],
  [0xa9fe0000, 16, "a link-local address"],
  [0xac100000, 12, "a private address"],
  [0xc0000000, 24, "an IETF protocol address"],
  [0xc0a80000, 16, "a private address"],
  [0xc6120000, 15, "a benchmarking address"],
  [0xe0000000, 4, "a multicast address"],
  [0xf0000000, 4, "a reserved address"],
];

function ipv4Problem(host: string): string | null {
  const parts = host.split(".");
  if (parts.some((p) => p.length > 1 && p.startsWith("0"))) {
    return "an address with leading zeros (read as octal by some resolvers)";
  }
  const octets = parts.map(Number);
  if (octets.some((o) => o > 255)) return "not a valid IPv4 address";
  return ipv4Blocked(octets.reduce((n, o) => n * 256 + o, 0));
}

function ipv4Blocked(address: number): string | null {
  for (const [first, prefix, what] of IPV4_BLOCKED) {
    const size = 2 ** (32 - prefix);
    if (address >= first && address < first + size) return what;
  }
  return null;
}

/** "fe80::1" → eight 16-bit groups, or null if it is not an IPv6 address. */
export function parseIpv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

function ipv6Problem(text: string): string | null {
  const g = parseIpv6(text);
  if (!g) return "not a valid IPv6 address";
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  const embedded = g6 * 65536 + g7;
  if (upperZero && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1))
    return "a loopback or unspecified address";
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d).
  if (upperZero && (g5 === 0xffff || g5 === 0)) return ipv4Blocked(embedded);
  if (g0 === 0x64 && g1 === 0xff9b && !(g2 | g3 | g4 | g5)) return ipv4Blocked(embedded);
  if ((g0 & 0xfe00) === 0xfc00) return "a unique local (private) address";
  if ((g0 & 0xffc0) === 0xfe80) return "a link-local address";
  if ((g0 & 0xffc0) === 0xfec0) return "a site-local address";
  if ((g0 & 0xff00) === 0xff00) return "a multicast address";
  return null;
}

/** The refusal message for a registry, or null when it may be used. */
export function registryRefusal(registry: string, allowlist: readonly string[]): string | null {
  if (allowlist.some((allowed) => allowed.toLowerCase() === registry.toLowerCase())) return null;
  const problem = nonPublicRegistry(registry);
  if (!problem) return null;
  return (
    `registry ${registry} is ${problem}; Berth pulls only from public registries ` +
    "unless the operator allowlists this one"
  );
}
