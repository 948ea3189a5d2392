// A schema-valid request, checked against the operator's policy and turned
// into what the spec builder needs: defaults filled, memory in bytes, CPUs in
// NanoCPUs, durations in nanoseconds, the image split into its parts and the
// health check as a Docker exec-form argv.
import {
  parseImageReference,
  serviceNameFromImage,
  withReference,
  type ImageReference,
} from "./image-reference.js";
import {
  capabilityName,
  publishedPortRefusal,
  userRefusal,
  type DeploymentPolicy,
} from "./policy.js";
import { registryRefusal } from "./registry-address.js";
import type { DeploymentRequestBody, FieldIssue } from "./schema.js";
import { formatBytes, formatCpus, parseCpus, parseDuration, parseMemory } from "./units.js";

export interface PortRequest {
  containerPort: number;
  protocol: "tcp" | "udp";
  publishedPort?: number;
}
export interface EnvVar {
  name: string;
  value: string;
  /** Becomes a Swarm secret mounted at /run/secrets/<name>, with <name>_FILE set. */
  secret: boolean;
}
export interface VolumeRequest {
  name: string;
  path: string;
  readOnly: boolean;
}
export interface HealthcheckRequest {
  /** Always exec form: ["CMD", argv...]; never a shell. */
  test: string[];
  intervalNs: number;
  timeoutNs: number;
  startPeriodNs: number;
  retries: number;
}
export interface Resources {
  nanoCpus: number;
  memoryBytes: number;
  reservedNanoCpus: number;
  reservedMemoryBytes: number;
}

export interface DeploymentRequest {
  environmentId: string;
  name: string;
  image: ImageReference;
  replicas: number;
  ports: PortRequest[];
  env: EnvVar[];
  resources: Resources;
  volumes: VolumeRequest[];
  healthcheck?: HealthcheckRequest;
  command?: string[];
  args?: string[];
  user?: string;
  /** Capabilities added back after dropping all, without "CAP_" ("NET_BIND_SERVICE"). */
  capabilities: string[];
  /** For the X-Registry-Auth header of the pull only; never logged, never in the spec. */
  registryAuth?: { username: string; password: string; serveraddress: string };
  idempotencyKey?: string;
}

/** Docker refuses memory limits under 6 MiB. */
export const MIN_MEMORY_BYTES = 6 * 1024 ** 2;
export const DEFAULT_HTTP_PROBE = [
  "curl",
  "--fail",
  "--silent",
  "--show-error",
  "--output",
  "/dev/null",
];
const SECOND = 1e9;

type Issues = FieldIssue[];
const issue = (issues: Issues, field: string, message: string) =>
  issues.push({ field, message, refusal: false });

function imageOf(
  body: DeploymentRequestBody,
  policy: DeploymentPolicy,
  issues: Issues,
): ImageReference {
  const parsed = parseImageReference(body.image);
  if (!parsed.ok) throw new Error("unreachable: the schema checked the image");
  const { tag, digest } = parsed.value;
  if (tag && body.tag) issue(issues, "tag", "the image already names a tag; give it once");
  if (digest && body.digest)
    issue(issues, "digest", "the image already names a digest; give it once");
  const image = withReference({
    ...parsed.value,
    tag: tag ?? body.tag ?? ((digest ?? body.digest) ? undefined : "latest"),
    digest: digest ?? body.digest,
  });
  const refusal = registryRefusal(image.registry, policy.privateRegistries);
  if (refusal) issues.push({ field: "image", message: refusal, refusal: true });
  return image;
}

function portsOf(
  body: DeploymentRequestBody,
  policy: DeploymentPolicy,
  issues: Issues,
): PortRequest[] {
  const seen = new Set<string>();
  return (body.ports ?? []).map((p, i) => {
    const protocol = p.protocol ?? "tcp";
    if (seen.has(`c${p.containerPort}/${protocol}`))
      issue(issues, `ports[${i}].containerPort`, "listed twice");
    if (p.publishedPort !== undefined && seen.has(`p${p.publishedPort}/${protocol}`)) {
      issue(issues, `ports[${i}].publishedPort`, "published twice");
    }
    seen.add(`c${p.containerPort}/${protocol}`).add(`p${p.publishedPort}/${protocol}`);
    const refusal =
      p.publishedPort === undefined ? null : publishedPortRefusal(p.publishedPort, policy);
    if (refusal)
      issues.push({ field: `ports[${i}].publishedPort`, message: refusal, refusal: true });
    return p.publishedPort === undefined
      ? { containerPort: p.containerPort, protocol }
      : { containerPort: p.containerPort, protocol, publishedPort: p.publishedPort };
  });
}

function envOf(body: DeploymentRequestBody, issues: Issues): EnvVar[] {
  const env = Object.entries(body.envVars ?? {}).map(([name, v]) =>
    typeof v === "string"
      ? { name, value: v, secret: false }
      : { name, value: v.value, secret: v.secret },
  );
  const names = new Set(env.map((e) => e.name));
  for (const e of env) {
    if (e.secret && names.has(`${e.name}_FILE`)) {
      issue(
        issues,
        `envVars.${e.name}_FILE`,
        `set by Berth to the file holding the secret ${e.name}; remove it`,
      );
    }
  }
  return env;
}

function resourcesOf(
  body: DeploymentRequestBody,
  policy: DeploymentPolicy,
  issues: Issues,
): Resources {
  const raw = body.resources ?? {};
  const nanoCpus = raw.cpus === undefined ? policy.defaultNanoCpus : (parseCpus(raw.cpus) ?? 0);
  const memoryBytes =
    raw.memory === undefined ? policy.defaultMemoryBytes : (parseMemory(raw.memory) ?? 0);
  if (nanoCpus > policy.maxNanoCpus) {
    issue(issues, "resources.cpus", `at most ${formatCpus(policy.maxNanoCpus)} CPUs on this Berth`);
  }
  if (memoryBytes > policy.maxMemoryBytes) {
    issue(
      issues,
      "resources.memory",
      `at most ${formatBytes(policy.maxMemoryBytes)} on this Berth`,
    );
  }
  if (memoryBytes < MIN_MEMORY_BYTES) issue(issues, "resources.memory", "at least 6M");
  const fraction = Math.min(Math.max(policy.reservationFraction, 0), 1);
  return {
    nanoCpus,
    memoryBytes,
    reservedNanoCpus: Math.floor(nanoCpus * fraction),
    reservedMemoryBytes: Math.floor(memoryBytes * fraction),
  };
}

function volumesOf(body: DeploymentRequestBody, issues: Issues): VolumeRequest[] {
  const paths = new Set<string>();
  return (body.volumes ?? []).map((v, i) => {
    if (paths.has(v.path)) issue(issues, `volumes[${i}].path`, "another volume is mounted there");
    paths.add(v.path);
    return { name: v.name, path: v.path, readOnly: v.readOnly ?? false };
  });
}

function durationOf(
  raw: string | number | undefined,
  fallback: number,
  min: number,
  field: string,
  issues: Issues,
) {
  const ns = raw === undefined ? fallback : (parseDuration(raw) ?? 0);
  if (ns < min) issue(issues, field, `at least ${min / SECOND}s`);
  return ns;
}

function healthcheckOf(body: DeploymentRequestBody, ports: PortRequest[], issues: Issues) {
  const h = body.healthcheck;
  if (!h) return undefined;
  let test = ["CMD", ...(h.command ?? [])];
  if (h.httpPath !== undefined) {
    const port = h.port ?? ports[0]?.containerPort;
    if (port === undefined) issue(issues, "healthcheck.port", "give the port the app listens on");
    test = ["CMD", ...(h.probe ?? DEFAULT_HTTP_PROBE), `http://127.0.0.1:${port}${h.httpPath}`];
  }
  return {
    test,
    intervalNs: durationOf(h.interval, 30 * SECOND, SECOND, "healthcheck.interval", issues),
    timeoutNs: durationOf(h.timeout, 5 * SECOND, SECOND, "healthcheck.timeout", issues),
    startPeriodNs: durationOf(h.startPeriod, 10 * SECOND, 0, "healthcheck.startPeriod", issues),
    retries: h.retries ?? 3,
  };
}

function userOf(
  body: DeploymentRequestBody,
  policy: DeploymentPolicy,
  issues: Issues,
): string | undefined {
  if (body.user === undefined) return policy.requireNonRoot ? policy.defaultUser : undefined;
  const refusal = userRefusal(body.user, policy);
  if (refusal) issues.push({ field: "user", message: refusal, refusal: true });
  return body.user;
}

function capabilitiesOf(
  body: DeploymentRequestBody,
  policy: DeploymentPolicy,
  issues: Issues,
): string[] {
  const allowed = policy.allowedCapabilities.map(capabilityName);
  const names = (body.capabilities ?? []).map(capabilityName);
  names.forEach((name, i) => {
    if (!allowed.includes(name)) {
      issues.push({
        field: `capabilities[${i}]`,
        message: `${name} is not available; this Berth allows ${allowed.join(", ") || "none"}`,
        refusal: true,
      });
    }
  });
  return [...new Set(names)].sort();
}

export type Normalized =
  { ok: true; value: DeploymentRequest } | { ok: false; issues: FieldIssue[] };

/** Applies the policy and fills defaults; collects every problem. */
export function normalizeRequest(
  body: DeploymentRequestBody,
  policy: DeploymentPolicy,
): Normalized {
  const issues: Issues = [];
  const image = imageOf(body, policy, issues);
  const ports = portsOf(body, policy, issues);
  const replicas = body.replicas ?? 1;
  if (replicas > policy.maxReplicas)
    issue(issues, "replicas", `at most ${policy.maxReplicas} on this Berth`);
  const value: DeploymentRequest = {
    environmentId: body.environmentId,
    name: body.name ?? serviceNameFromImage(image),
    image,
    replicas,
    ports,
    env: envOf(body, issues),
    resources: resourcesOf(body, policy, issues),
    volumes: volumesOf(body, issues),
    capabilities: capabilitiesOf(body, policy, issues),
  };
  const healthcheck = healthcheckOf(body, ports, issues);
  const user = userOf(body, policy, issues);
  if (healthcheck) value.healthcheck = healthcheck;
  if (body.command) value.command = body.command;
  if (body.args) value.args = body.args;
  if (user !== undefined) value.user = user;
  if (body.registryAuth)
    value.registryAuth = { ...body.registryAuth, serveraddress: image.registry };
  if (body.idempotencyKey) value.idempotencyKey = body.idempotencyKey;
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}
