// Reads a service back and says which hardening fields the daemon did not
// keep. Docker drops fields newer than the API version spoken and ignores
// misspelt ones without an error, so a spec is only trusted once it has been
// read back: every entry returned is a deployment failure, never a silent
// downgrade. Values are compared as Go sees them: a zero value (false, 0,
// "", [], {}, null) is the same as an absent field (omitempty).
import type { ServiceSpec } from "./service-spec.js";

/** How a field is compared: "exact" also refuses extra entries Docker or someone else added. */
type Mode = "exact" | "subset";

const CHECKED: [path: string, mode: Mode][] = [
  ["Labels", "subset"],
  ["TaskTemplate.ContainerSpec.Labels", "subset"],
  ["TaskTemplate.ContainerSpec.User", "exact"],
  ["TaskTemplate.ContainerSpec.Init", "exact"],
  ["TaskTemplate.ContainerSpec.ReadOnly", "exact"],
  ["TaskTemplate.ContainerSpec.CapabilityDrop", "exact"],
  ["TaskTemplate.ContainerSpec.CapabilityAdd", "exact"],
  ["TaskTemplate.ContainerSpec.Privileges", "subset"],
  ["TaskTemplate.ContainerSpec.Mounts", "exact"],
  ["TaskTemplate.ContainerSpec.Ulimits", "exact"],
  ["TaskTemplate.ContainerSpec.Healthcheck", "exact"],
  ["TaskTemplate.ContainerSpec.Secrets", "exact"],
  ["TaskTemplate.ContainerSpec.Sysctls", "exact"],
  ["TaskTemplate.ContainerSpec.Groups", "exact"],
  ["TaskTemplate.Resources", "exact"],
  ["TaskTemplate.RestartPolicy", "exact"],
  ["TaskTemplate.LogDriver", "exact"],
  ["TaskTemplate.Networks", "exact"],
  ["TaskTemplate.Placement.Constraints", "exact"],
  ["UpdateConfig", "subset"],
  ["RollbackConfig", "subset"],
  ["EndpointSpec", "exact"],
];

/** Values that undo the isolation, whatever the expected spec says. */
const FORBIDDEN: [path: string, bad: (v: unknown) => boolean][] = [
  ["TaskTemplate.ContainerSpec.Privileges.Seccomp.Mode", (v) => v === "unconfined"],
  ["TaskTemplate.ContainerSpec.Privileges.AppArmor.Mode", (v) => v === "disabled"],
  ["TaskTemplate.ContainerSpec.Privileges.SELinuxContext.Disable", (v) => v === true],
  ["TaskTemplate.ContainerSpec.Privileges.CredentialSpec", (v) => v !== undefined],
];

/** The paths checkHardening compares (for logs and docs). */
export const HARDENING_FIELDS = CHECKED.map(([path]) => path);

function get(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (isRecord(v) ? v[key] : undefined), value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Drops Go zero values, recursively; undefined when nothing is left. */
export function pruneZero(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(pruneZero);
    return items.length > 0 ? items : undefined;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, pruneZero(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value === null || value === false || value === 0 || value === "" ? undefined : value;
}

const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

/** Differences between expected and actual below `path`, one line each. */
function compare(path: string, expected: unknown, actual: unknown, mode: Mode, out: string[]) {
  if (expected === undefined) {
    if (mode === "exact" && actual !== undefined) out.push(`${path}: unexpected ${show(actual)}`);
    return;
  }
  if (actual === undefined) {
    out.push(`${path}: missing (expected ${show(expected)})`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(`${path}: expected ${show(expected)}, found ${show(actual)}`);
      return;
    }
    expected.forEach((e, i) => compare(`${path}[${i}]`, e, actual[i], mode, out));
    return;
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) {
      out.push(`${path}: expected ${show(expected)}, found ${show(actual)}`);
      return;
    }
    const keys =
      mode === "exact"
        ? new Set([...Object.keys(expected), ...Object.keys(actual)])
        : Object.keys(expected);
    for (const key of keys) compare(`${path}.${key}`, expected[key], actual[key], mode, out);
    return;
  }
  if (expected !== actual) out.push(`${path}: expected ${show(expected)}, found ${show(actual)}`);
}

/**
 * Compares the hardening fields of the spec Berth sent with the service as
 * the daemon reports it (GET /services/{id}); returns one line per missing or
 * wrong field, [] when everything is in place.
 */
export function checkHardening(
  expected: ServiceSpec,
  actual: { Spec?: unknown } | null | undefined,
): string[] {
  if (!actual?.Spec) return ["Spec: the service was not found or has no spec"];
  const out: string[] = [];
  for (const [path, mode] of CHECKED) {
    compare(path, pruneZero(get(expected, path)), pruneZero(get(actual.Spec, path)), mode, out);
  }
  for (const [path, bad] of FORBIDDEN) {
    const value = pruneZero(get(actual.Spec, path));
    if (bad(value)) out.push(`${path}: not allowed (found ${show(value)})`);
  }
  return out;
}
