// What the operator allows tenants to ask for in a deployment. config.ts
// builds one DeploymentPolicy from the settings; validateDeploymentRequest
// applies it. The defaults are the safe choice for a machine handed to
// strangers.

export interface DeploymentPolicy {
  /** Registries ("host[:port]") allowed even on private or loopback addresses. */
  privateRegistries: readonly string[];
  /** Whether tenants may publish ports on the nodes' own addresses at all. */
  allowPublishedPorts: boolean;
  /** Whether published ports below 1024 are allowed. */
  allowPrivilegedPorts: boolean;
  /** Host ports tenants never get (Berth's own, the proxy's, the database's, SSH). */
  reservedPorts: readonly number[];
  defaultNanoCpus: number;
  maxNanoCpus: number;
  defaultMemoryBytes: number;
  maxMemoryBytes: number;
  /** Share of the limits reserved for scheduling (0..1); 1 guarantees the limits. */
  reservationFraction: number;
  maxReplicas: number;
  /** Capabilities a tenant may add back ("NET_BIND_SERVICE"...); all others stay dropped. */
  allowedCapabilities: readonly string[];
  /** Refuse root; run images that name no user as `defaultUser`. */
  requireNonRoot: boolean;
  /** The uid:gid used when requireNonRoot and the request names no user. */
  defaultUser: string;
}

/**
 * A small set that covers the usual entrypoints: binding port 80 in the
 * container, and official images that chown their data folder and then
 * step down from root to their own user (gosu, su-exec). Nothing here
 * reaches beyond the container: no NET_ADMIN, SYS_ADMIN, SYS_PTRACE or
 * NET_RAW (ARP and DNS spoofing on the overlay).
 */
export const DEFAULT_CAPABILITIES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "NET_BIND_SERVICE",
  "SETGID",
  "SETUID",
] as const;

/** Swarm's and the Docker API's own ports: never published for a tenant. */
export const DOCKER_PORTS = [2375, 2376, 2377, 4789, 7946] as const;

export const NOBODY = "65534:65534";

export const defaultDeploymentPolicy: DeploymentPolicy = {
  privateRegistries: [],
  allowPublishedPorts: false,
  allowPrivilegedPorts: false,
  reservedPorts: [22, 80, 443, 3000, 5432],
  defaultNanoCpus: 500_000_000,
  maxNanoCpus: 2_000_000_000,
  defaultMemoryBytes: 256 * 1024 ** 2,
  maxMemoryBytes: 2 * 1024 ** 3,
  reservationFraction: 0.25,
  maxReplicas: 10,
  allowedCapabilities: DEFAULT_CAPABILITIES,
  requireNonRoot: true,
  defaultUser: NOBODY,
};

/** Why publishing `port` on the host is refused under `policy`, or null. */
export function publishedPortRefusal(port: number, policy: DeploymentPolicy): string | null {
  if (!policy.allowPublishedPorts) {
    return "publishing ports on the host is not enabled on this Berth; leave publishedPort out and reach the service by name on its environment's network";
  }
  if ((DOCKER_PORTS as readonly number[]).includes(port) || policy.reservedPorts.includes(port)) {
    return `port ${port} is reserved for the platform; choose another`;
  }
  if (port < 1024 && !policy.allowPrivilegedPorts) {
    return `port ${port} is below 1024, which this Berth does not publish; choose a port from 1024 to 65535`;
  }
  return null;
}

/** "net_bind_service" or "CAP_NET_BIND_SERVICE" → "NET_BIND_SERVICE". */
export function capabilityName(raw: string): string {
  return raw.toUpperCase().replace(/^CAP_/, "");
}

/** Why `user` is refused under `policy`, or null. */
export function userRefusal(user: string, policy: DeploymentPolicy): string | null {
  if (!policy.requireNonRoot) return null;
  const [uid = "", gid] = user.split(":");
  if (uid === "root" || uid === "0") {
    return "running as root is not allowed on this Berth; give a numeric non-root uid such as 1000";
  }
  if (!/^[0-9]+$/.test(uid) || (gid !== undefined && !/^[0-9]+$/.test(gid))) {
    return "give the user as a numeric uid or uid:gid (a user name can map to root inside the image)";
  }
  if (gid === "0") return "group 0 (root) is not allowed; give a non-root gid";
  return null;
}
