// Fields people (and agents) send because `docker run` or Compose has them,
// and that Berth never accepts. Every unknown field is refused; these get a
// message saying why and what to do instead.

const BIND =
  'bind mounts are not available: use "volumes" with a named volume of the environment, e.g. { "name": "data", "path": "/data" }';
const NETWORK =
  "the service joins its environment's network only, where other services reach it by its name; host networking, extra networks and aliases are not available";
const NAMESPACES = "sharing the host's PID, IPC, UTS or user namespaces is not available";
const SECURITY =
  "security settings are fixed by Berth (all capabilities dropped, read-only root, no new privileges where the engine allows)";

const TOP_LEVEL: Record<string, string> = {
  privileged: "privileged mode is not available: every container runs unprivileged",
  network: NETWORK,
  networks: NETWORK,
  networkMode: NETWORK,
  network_mode: NETWORK,
  hostNetwork: NETWORK,
  net: NETWORK,
  aliases: NETWORK,
  networkAliases: NETWORK,
  pid: NAMESPACES,
  pidMode: NAMESPACES,
  ipc: NAMESPACES,
  ipcMode: NAMESPACES,
  uts: NAMESPACES,
  userns: NAMESPACES,
  usernsMode: NAMESPACES,
  devices: "devices are not available to containers on Berth",
  sysctls: "sysctls are not available on Berth",
  capAdd: 'use "capabilities" with names from the operator\'s list',
  cap_add: 'use "capabilities" with names from the operator\'s list',
  capabilityAdd: 'use "capabilities" with names from the operator\'s list',
  capDrop: 'every capability is already dropped; add back what you need with "capabilities"',
  cap_drop: 'every capability is already dropped; add back what you need with "capabilities"',
  logDriver: "logging is fixed by Berth (json-file, rotated); read logs through Berth",
  log_driver: "logging is fixed by Berth (json-file, rotated); read logs through Berth",
  logging: "logging is fixed by Berth (json-file, rotated); read logs through Berth",
  logOpts: "logging is fixed by Berth (json-file, rotated); read logs through Berth",
  binds: BIND,
  bind: BIND,
  mounts: BIND,
  tmpfs: "a tmpfs is always mounted at /tmp; the rest of the root filesystem is read-only",
  readOnly: "the root filesystem is always read-only; write to /tmp or a volume",
  read_only: "the root filesystem is always read-only; write to /tmp or a volume",
  securityOpt: SECURITY,
  security_opt: SECURITY,
  seccomp: SECURITY,
  apparmor: SECURITY,
  noNewPrivileges: SECURITY,
  labels: "labels are set by Berth",
  placement: "placement is decided by Berth",
  constraints: "placement is decided by Berth",
  ulimits: "limits are set by the operator",
  pidsLimit: "limits are set by the operator",
  cgroupParent: SECURITY,
  runtime: SECURITY,
  env: 'use "envVars": { "NAME": "value" }',
  environment: 'use "envVars": { "NAME": "value" }',
};

const VOLUME: Record<string, string> = {
  type: BIND,
  source: 'give the volume\'s name in "name"; host paths are not available',
  target: 'give the mount path in "path"',
  driver:
    "volumes use the local driver without options; driver options (o=bind, device) are not available",
  driverOpts:
    "volumes use the local driver without options; driver options (o=bind, device) are not available",
  driver_opts:
    "volumes use the local driver without options; driver options (o=bind, device) are not available",
  options:
    "volumes use the local driver without options; driver options (o=bind, device) are not available",
  bindOptions: BIND,
  propagation: BIND,
};

/** The message for an unknown field, by where it is. */
export function unknownFieldMessage(key: string, inVolume: boolean): string {
  const table = inVolume ? VOLUME : TOP_LEVEL;
  // hasOwn: "__proto__" or "constructor" must not find Object.prototype's.
  return Object.hasOwn(table, key) ? table[key]! : `unknown field "${key}"; remove it`;
}

/** True when the message explains a refused feature (reported before plain mistakes). */
export function isKnownRefusal(key: string, inVolume: boolean): boolean {
  return Object.hasOwn(inVolume ? VOLUME : TOP_LEVEL, key);
}

/** Why a volume name is refused, when it looks like a host path or the Docker socket. */
export function volumeNameRefusal(name: string): string | null {
  if (name.includes("docker.sock")) return "the Docker socket is never mounted into a container";
  if (/^[/.~]/.test(name) || name.includes("/")) return BIND;
  return null;
}
