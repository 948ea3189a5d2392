// The shape of a deployment request (POST /deployments, the bot, the MCP
// tool): one strict zod schema, so every door accepts exactly the same
// thing and an unknown field is a 400. The schema holds the rules that do
// not depend on the operator; validateDeploymentRequest adds the policy and
// returns the normalised request (see normalize.ts).
import { z } from "zod";
import { AppError } from "../errors.js";
import { DIGEST_PATTERN, parseImageReference, TAG_PATTERN } from "./image-reference.js";
import { normalizeRequest, type DeploymentRequest } from "./normalize.js";
import type { DeploymentPolicy } from "./policy.js";
import { isKnownRefusal, unknownFieldMessage, volumeNameRefusal } from "./refusals.js";
import { parseCpus, parseDuration, parseMemory } from "./units.js";

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NO_NUL = (s: string) => !s.includes("\0");

const image = z
  .string()
  .describe("Image, e.g. nginx, ghcr.io/owner/app or 127.0.0.1:5000/app:v1")
  .superRefine((value, ctx) => {
    const parsed = parseImageReference(value);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
  });

const port = z.int().min(1).max(65535);

const portSchema = z.strictObject({
  containerPort: port.describe("Port the app listens on inside the container"),
  protocol: z.enum(["tcp", "udp"]).optional(),
  publishedPort: port
    .optional()
    .describe("Port on the node's address (only where the operator allows)"),
});

const envValue = z.string().max(32_768).refine(NO_NUL, "must not contain a NUL character");
const envVars = z
  .record(
    z
      .string()
      .max(128)
      .regex(ENV_NAME, "names are letters, digits and _, not starting with a digit"),
    z.union([envValue, z.strictObject({ value: envValue, secret: z.boolean() })], {
      error: 'give a string, or { "value": "...", "secret": true } for a secret',
    }),
  )
  .refine((vars) => Object.keys(vars).length <= 100, "at most 100 variables");

const cpus = z
  .union([z.string(), z.number()])
  .refine((v) => parseCpus(v) !== null, 'give CPUs as a number such as "0.5", "2" or "500m"');
const memory = z
  .union([z.string(), z.number()])
  .refine((v) => parseMemory(v) !== null, 'give memory such as "512M", "1G" or a byte count');
const duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== null, 'give a duration such as "30s", "500ms" or "2m"');

const volumeName = z
  .string()
  .max(64)
  .superRefine((name, ctx) => {
    const refusal = volumeNameRefusal(name);
    if (refusal) ctx.addIssue({ code: "custom", message: refusal });
    else if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name)) {
      ctx.addIssue({
        code: "custom",
        message: "volume names are lowercase letters, digits, _ . -",
      });
    }
  });

/** Paths a volume may not cover: the kernel's, Docker's secrets, Berth's /tmp tmpfs. */
const RESERVED_PATHS = ["/proc", "/sys", "/dev", "/run/secrets", "/tmp"];

const mountPath = z
  .string()
  .max(255)
  .superRefine((path, ctx) => {
    const message = !/^\/[A-Za-z0-9._@+=,/-]*$/.test(path)
      ? "give an absolute path of letters, digits and . _ - / @ + = ,"
      : path === "/" ||
          path.split("/").some((p, i) => i > 0 && (p === "" || p === "." || p === ".."))
        ? "give a plain absolute path (no /, //, . or .. parts, no trailing /)"
        : RESERVED_PATHS.some((r) => path === r || path.startsWith(`${r}/`))
          ? `${RESERVED_PATHS.join(", ")} cannot be covered by a volume`
          : null;
    if (message) ctx.addIssue({ code: "custom", message });
  });

const volumeSchema = z.strictObject({
  name: volumeName.describe("A named volume of the environment"),
  path: mountPath.describe("Where it is mounted in the container"),
  readOnly: z.boolean().optional(),
});

const argument = z.string().max(4096).refine(NO_NUL, "must not contain a NUL character");
const argv = z.array(argument).min(1).max(64);

const healthcheckSchema = z
  .strictObject({
    command: argv
      .optional()
      .describe('argv run in the container, e.g. ["/bin/check"]; exit 0 = healthy'),
    httpPath: z
      .string()
      .max(1024)
      .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/, "give a URL path such as /health")
      .optional(),
    port: port.optional().describe("Port for httpPath (default: the first of ports)"),
    probe: argv
      .optional()
      .describe("argv in the image that fetches a URL given last (default: curl)"),
    interval: duration.optional(),
    timeout: duration.optional(),
    startPeriod: duration.optional(),
    retries: z.int().min(1).max(10).optional(),
  })
  .refine((h) => (h.command === undefined) !== (h.httpPath === undefined), {
    message: "give either command or httpPath",
  })
  .refine((h) => h.httpPath !== undefined || (h.port === undefined && h.probe === undefined), {
    message: "port and probe go with httpPath",
  });

export const deploymentRequestSchema = z.strictObject({
  environmentId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, "not an environment id"),
  image,
  tag: z.string().regex(TAG_PATTERN, "tags are up to 128 letters, digits, _ . -").optional(),
  digest: z.string().regex(DIGEST_PATTERN, "give sha256: and 64 lowercase hex digits").optional(),
  name: z
    .string()
    .regex(
      /^[a-z](?:[a-z0-9-]{0,22}[a-z0-9])?$/,
      "names are lowercase letters, digits and -, up to 24",
    )
    .optional()
    .describe("Service name within the environment (default: from the image)"),
  replicas: z.int().min(1, "at least 1").optional(),
  ports: z.array(portSchema).max(16).optional(),
  envVars: envVars.optional(),
  resources: z.strictObject({ cpus: cpus.optional(), memory: memory.optional() }).optional(),
  volumes: z.array(volumeSchema).max(16).optional(),
  healthcheck: healthcheckSchema.optional(),
  command: argv.optional().describe("Replaces the image's entrypoint"),
  args: z.array(argument).max(64).optional().describe("Replaces the image's command"),
  user: z
    .string()
    .regex(
      /^(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10})(?::(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10}))?$/,
      "give uid[:gid]",
    )
    .optional(),
  capabilities: z
    .array(
      z
        .string()
        .regex(/^(?:CAP_)?[A-Za-z_]{1,32}$/, "give a capability name such as NET_BIND_SERVICE"),
    )
    .max(16)
    .optional(),
  registryAuth: z
    .strictObject({ username: z.string().min(1).max(256), password: z.string().min(1).max(8192) })
    .optional()
    .describe("Credentials for a private registry, used for the pull only"),
  idempotencyKey: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, "printable ASCII, no spaces")
    .optional(),
});

export type DeploymentRequestInput = z.input<typeof deploymentRequestSchema>;
export type DeploymentRequestBody = z.output<typeof deploymentRequestSchema>;
export type { DeploymentRequest } from "./normalize.js";

/** "ports", 0, "publishedPort" → "ports[0].publishedPort". */
export function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

export interface FieldIssue {
  field: string;
  message: string;
  refusal: boolean;
}

function issueList(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === "unrecognized_keys") {
      const inVolume = issue.path[0] === "volumes";
      return issue.keys.map((key) => ({
        field: fieldName([...issue.path, key]),
        message: unknownFieldMessage(key, inVolume),
        refusal: isKnownRefusal(key, inVolume),
      }));
    }
    const message =
      issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    return [{ field: fieldName(issue.path), message, refusal: false }];
  });
}

/** A 400 naming the first problem's field (refused features first), listing all. */
export function invalidInput(issues: FieldIssue[]): AppError {
  const first = issues.find((i) => i.refusal) ?? issues[0];
  const field = first?.field || "request";
  return new AppError("INVALID_INPUT", `${field}: ${first?.message ?? "invalid request"}`, {
    field,
    issues: issues.map(({ field: f, message }) => ({ field: f || "request", message })),
  });
}

/**
 * Checks a deployment request against the schema and the operator's policy.
 * Returns the normalised request; throws AppError INVALID_INPUT (400) naming
 * the field. Nothing here touches Docker, DNS or the database.
 */
export function validateDeploymentRequest(
  input: unknown,
  policy: DeploymentPolicy,
): DeploymentRequest {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw invalidInput([{ field: "request", message: "send a JSON object", refusal: false }]);
  }
  // zod drops a record's "__proto__" key without an issue: refuse it rather than lose a variable.
  const env = (input as { envVars?: unknown }).envVars;
  if (typeof env === "object" && env !== null && Object.hasOwn(env, "__proto__")) {
    throw invalidInput([
      { field: "envVars.__proto__", message: "this name is reserved", refusal: false },
    ]);
  }
  const parsed = deploymentRequestSchema.safeParse(input);
  if (!parsed.success) throw invalidInput(issueList(parsed.error));
  const result = normalizeRequest(parsed.data, policy);
  if (!result.ok) throw invalidInput(result.issues);
  return result.value;
}
