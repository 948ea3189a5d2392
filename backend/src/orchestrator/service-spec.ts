// The one place a Swarm service spec is made: pure data, from Berth's own
// allowlist of fields; nothing from the request is merged in as JSON. The
// daemon silently drops fields newer than the API version spoken, so each
// hardening field is set only where that version has it, a missing one is
// a warning here (or a refusal below the minimum), and spec-check.ts reads
// the service back after every create or update.
import type Docker from "dockerode";
import type { DeploymentRequest } from "../core/deployments/normalize.js";
import { AppError } from "../core/errors.js";
import { compareApiVersions } from "./docker.js";
import type { Labels } from "./labels.js";

/** CapabilityAdd/Drop, Resources.Limits.Pids and Ulimits arrived in 1.41 (Docker 20.10). */
export const MIN_API_VERSION = "1.41";
/** ContainerSpec.Privileges.NoNewPrivileges arrived in 1.44 (Docker 25). */
export const NO_NEW_PRIVILEGES_API = "1.44";

/** dockerode's types lack NoNewPrivileges and call the health check HealthCheck. */
export type ContainerSpec = Omit<Docker.ContainerSpec, "Privileges" | "HealthCheck" | "Mounts"> & {
  Privileges?: Docker.Privileges & { NoNewPrivileges?: boolean };
  Healthcheck?: Docker.HealthConfig;
  Mounts?: Mount[];
};
export interface Mount {
  Type: "volume" | "tmpfs";
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  TmpfsOptions?: { SizeBytes: number; Mode: number };
}
export type TaskTemplate = Omit<Docker.ContainerTaskSpec, "ContainerSpec"> & {
  ContainerSpec: ContainerSpec;
};
export type ServiceSpec = Omit<Docker.ServiceSpec, "TaskTemplate"> & {
  Name: string;
  TaskTemplate: TaskTemplate;
};

/** Platform settings for every service (config.ts); not the tenant's to choose. */
export interface SpecOptions {
  /** "vip" needs IPVS in the kernel; "dnsrr" works everywhere. */
  endpointMode: "vip" | "dnsrr";
  /** "ingress" needs IPVS (and vip); "host" publishes on the task's node only. */
  publishMode: "host" | "ingress";
  pidsLimit: number;
  nofileLimit: number;
  tmpSizeBytes: number;
  logMaxSize: string;
  logMaxFiles: number;
  restartMaxAttempts: number;
  restartDelayNs: number;
  restartWindowNs: number;
  updateMonitorNs: number;
  stopGracePeriodNs: number;
  /** Extra constraints on every service, e.g. "node.role==worker". */
  placementConstraints: string[];
}

const SECOND = 1e9;

export const defaultSpecOptions: SpecOptions = {
  endpointMode: "vip",
  publishMode: "ingress",
  pidsLimit: 512,
  nofileLimit: 8192,
  tmpSizeBytes: 64 * 1024 ** 2,
  logMaxSize: "10m",
  logMaxFiles: 3,
  restartMaxAttempts: 5,
  restartDelayNs: 5 * SECOND,
  restartWindowNs: 120 * SECOND,
  updateMonitorNs: 15 * SECOND,
  stopGracePeriodNs: 10 * SECOND,
  placementConstraints: [],
};

export interface SecretRef {
  secretId: string;
  secretName: string;
}

export interface ServiceSpecInput {
  /** The daemon's Engine API version (DockerEngine.version()). */
  apiVersion: string;
  serviceName: string;
  /** Berth's labels (managed-by, instance, environment, deployment, owner, service). */
  labels: Labels;
  /** The environment's overlay network, by id (read-back shows ids, not names). */
  networkId: string;
  deployment: DeploymentRequest;
  /** The reference to run, e.g. pinned to a digest; default deployment.image.reference. */
  image?: string;
  /** Request volume name → Docker volume name. */
  volumeSources?: Record<string, string>;
  /** The node holding the volumes; required when there are volumes. */
  nodeId?: string;
  /** Secret env var name → the Swarm secret holding its value. */
  secrets?: Record<string, SecretRef>;
  options: SpecOptions;
}

export interface BuiltSpec {
  spec: ServiceSpec;
  warnings: string[];
}

const internal = (message: string) => new AppError("INTERNAL", `service spec: ${message}`);
const secretPath = (name: string) => `/run/secrets/${name}`;

function env(input: ServiceSpecInput): string[] {
  return input.deployment.env.map((e) => {
    if (!e.secret) return `${e.name}=${e.value}`;
    if (!input.secrets?.[e.name]) throw internal(`no secret given for ${e.name}`);
    return `${e.name}_FILE=${secretPath(e.name)}`;
  });
}

/** Secret files readable by the container's user only when it is numeric. */
function secretRefs(input: ServiceSpecInput): Docker.SecretReference[] {
  const wanted = new Set(input.deployment.env.filter((e) => e.secret).map((e) => e.name));
  const [uid, gid = "0"] = (input.deployment.user ?? "").split(":");
  const numeric = uid !== undefined && /^[0-9]+$/.test(uid) && /^[0-9]+$/.test(gid);
  return Object.entries(input.secrets ?? {}).map(([name, ref]) => {
    if (!wanted.has(name)) throw internal(`secret ${name} is not a secret env var of the request`);
    const file = numeric
      ? { Name: name, UID: uid, GID: gid, Mode: 0o400 }
      : { Name: name, UID: "0", GID: "0", Mode: 0o444 };
    return { SecretID: ref.secretId, SecretName: ref.secretName, File: file };
  });
}

function mounts(input: ServiceSpecInput): Mount[] {
  const tmp: Mount = {
    Type: "tmpfs",
    Target: "/tmp",
    TmpfsOptions: { SizeBytes: input.options.tmpSizeBytes, Mode: 0o1777 },
  };
  const volumes = input.deployment.volumes.map((v): Mount => {
    const source = input.volumeSources?.[v.name];
    if (!source) throw internal(`no Docker volume given for ${v.name}`);
    return {
      Type: "volume",
      Source: source,
      Target: v.path,
      ...(v.readOnly ? { ReadOnly: true } : {}),
    };
  });
  return [tmp, ...volumes];
}

function healthcheck(input: ServiceSpecInput): Docker.HealthConfig | undefined {
  const h = input.deployment.healthcheck;
  if (!h) return undefined;
  // Exec form only: a tenant's words never reach a shell ("CMD-SHELL").
  if (h.test[0] !== "CMD" || h.test.length < 2) throw internal("health check must be exec form");
  return {
    Test: h.test,
    Interval: h.intervalNs,
    Timeout: h.timeoutNs,
    StartPeriod: h.startPeriodNs,
    Retries: h.retries,
  };
}

function containerSpec(input: ServiceSpecInput, noNewPrivileges: boolean): ContainerSpec {
  const d = input.deployment;
  const spec: ContainerSpec = {
    Image: input.image ?? d.image.reference,
    Labels: { ...input.labels },
    ...(d.command ? { Command: [...d.command] } : {}),
    ...(d.args ? { Args: [...d.args] } : {}),
    Env: env(input),
    ...(d.user !== undefined ? { User: d.user } : {}),
    ...(noNewPrivileges ? { Privileges: { NoNewPrivileges: true } } : {}),
    Init: true,
    ReadOnly: true,
    Mounts: mounts(input),
    StopGracePeriod: input.options.stopGracePeriodNs,
    CapabilityDrop: ["ALL"],
    ...(d.capabilities.length > 0 ? { CapabilityAdd: d.capabilities.map((c) => `CAP_${c}`) } : {}),
    Ulimits: [{ Name: "nofile", Soft: input.options.nofileLimit, Hard: input.options.nofileLimit }],
  };
  const check = healthcheck(input);
  if (check) spec.Healthcheck = check;
  const secrets = secretRefs(input);
  if (secrets.length > 0) spec.Secrets = secrets;
  if (spec.Env?.length === 0) delete spec.Env;
  return spec;
}

function taskTemplate(input: ServiceSpecInput, noNewPrivileges: boolean): TaskTemplate {
  const { resources, volumes } = input.deployment;
  const o = input.options;
  if (volumes.length > 0 && !input.nodeId) throw internal("volumes need the node that holds them");
  // Named volumes are local to a node: pin the service to it.
  const constraints = [
    ...o.placementConstraints,
    ...(volumes.length > 0 ? [`node.id==${input.nodeId}`] : []),
  ];
  return {
    ContainerSpec: containerSpec(input, noNewPrivileges),
    Resources: {
      Limits: {
        NanoCPUs: resources.nanoCpus,
        MemoryBytes: resources.memoryBytes,
        Pids: o.pidsLimit,
      },
      Reservations: {
        NanoCPUs: resources.reservedNanoCpus,
        MemoryBytes: resources.reservedMemoryBytes,
      },
    },
    RestartPolicy: {
      Condition: "on-failure",
      Delay: o.restartDelayNs,
      MaxAttempts: o.restartMaxAttempts,
      Window: o.restartWindowNs,
    },
    ...(constraints.length > 0 ? { Placement: { Constraints: constraints } } : {}),
    Networks: [{ Target: input.networkId }],
    LogDriver: {
      Name: "json-file",
      Options: { "max-size": o.logMaxSize, "max-file": String(o.logMaxFiles) },
    },
  };
}

/**
 * Start-first keeps the old task serving until the new one is up, except
 * where two tasks cannot coexist: a host-published port is held by the old
 * task, and a volume would get two writers (two databases on one data dir).
 */
function updateOrder(d: DeploymentRequest): "start-first" | "stop-first" {
  return d.volumes.length > 0 || d.ports.some((p) => p.publishedPort !== undefined)
    ? "stop-first"
    : "start-first";
}

function endpointSpec(input: ServiceSpecInput): Docker.EndpointSpec {
  const published = input.deployment.ports.filter((p) => p.publishedPort !== undefined);
  if (
    published.length > 0 &&
    input.options.endpointMode === "dnsrr" &&
    input.options.publishMode === "ingress"
  ) {
    throw internal('ports published in "ingress" mode need endpoint mode "vip"');
  }
  const ports = published.map((p) => ({
    Protocol: p.protocol,
    TargetPort: p.containerPort,
    PublishedPort: p.publishedPort,
    PublishMode: input.options.publishMode,
  }));
  return { Mode: input.options.endpointMode, ...(ports.length > 0 ? { Ports: ports } : {}) };
}

/** Builds the service spec for a validated deployment at the daemon's API version. */
export function buildServiceSpec(input: ServiceSpecInput): BuiltSpec {
  if (compareApiVersions(input.apiVersion, MIN_API_VERSION) < 0) {
    throw new AppError(
      "UNAVAILABLE",
      `Docker Engine API ${input.apiVersion} is older than ${MIN_API_VERSION} (Docker 20.10): it cannot drop capabilities or limit PIDs per service; upgrade Docker`,
    );
  }
  const noNewPrivileges = compareApiVersions(input.apiVersion, NO_NEW_PRIVILEGES_API) >= 0;
  const warnings = noNewPrivileges
    ? []
    : [
        `no-new-privileges is not set: Docker Engine API ${input.apiVersion} < ${NO_NEW_PRIVILEGES_API}; set "no-new-privileges": true in daemon.json`,
      ];
  const order = updateOrder(input.deployment);
  const update = {
    Parallelism: 1,
    Delay: 0,
    Monitor: input.options.updateMonitorNs,
    MaxFailureRatio: 0,
    Order: order,
  };
  const spec: ServiceSpec = {
    Name: input.serviceName,
    Labels: { ...input.labels },
    TaskTemplate: taskTemplate(input, noNewPrivileges),
    Mode: { Replicated: { Replicas: input.deployment.replicas } },
    UpdateConfig: { ...update, FailureAction: "rollback" },
    RollbackConfig: { ...update, FailureAction: "pause" },
    EndpointSpec: endpointSpec(input),
  };
  return { spec, warnings };
}
