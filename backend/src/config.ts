// Every setting Berth reads, parsed once from the environment at start-up.
// .env.example lists them all with a comment each; keep the two in step.
import { z } from "zod";
import { parseCpus, parseDuration, parseMemory } from "./core/deployments/units.js";
import { validateDomain } from "./core/public/validate-domain.js";
import { acmeDirectoryUrl } from "./proxy/certbot.js";

const bool = z.stringbool({
  truthy: ["1", "true", "yes", "on"],
  falsy: ["0", "false", "no", "off"],
});

/** "a=b,c=d" → { a: "b", c: "d" } (extra labels put on every Docker object). */
const labelList = z
  .string()
  .default("")
  .transform((raw, ctx) => {
    const labels: Record<string, string> = {};
    for (const pair of raw.split(",").filter((p) => p.trim() !== "")) {
      const [key, value = ""] = pair.split("=", 2).map((s) => s.trim());
      if (!key || !/^[a-z0-9][a-z0-9._-]*$/.test(key)) {
        ctx.addIssue({ code: "custom", message: `bad label "${pair}"` });
        return z.NEVER;
      }
      labels[key] = value;
    }
    return labels;
  });

/** "a, b,c" → ["a", "b", "c"]. */
const list = z.string().transform((raw) =>
  raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);
const cpus = z
  .string()
  .transform(
    (raw, ctx) =>
      parseCpus(raw) ??
      (ctx.addIssue({ code: "custom", message: 'CPUs like "0.5" or "2"' }), z.NEVER),
  );
const memory = z
  .string()
  .transform(
    (raw, ctx) =>
      parseMemory(raw) ??
      (ctx.addIssue({ code: "custom", message: 'memory like "512M" or "2G"' }), z.NEVER),
  );
const duration = z
  .string()
  .transform(
    (raw, ctx) =>
      parseDuration(raw) ??
      (ctx.addIssue({ code: "custom", message: 'a duration like "10s" or "5m"' }), z.NEVER),
  );

/** A value a function checks (and normalises), its message kept. */
function checkedBy(check: (raw: string) => string) {
  return z.string().transform((raw, ctx) => {
    try {
      return check(raw);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });
}

const hostPort = z.coerce.number().int().min(1).max(65535);
const dockerName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, "a Docker container name: letters, digits, _ . -");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .describe("PostgreSQL connection URL"),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]+$/, "must look like 123456:ABC-...")
    .optional(),
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }).default("https://api.telegram.org"),
  TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Telegram allows 1-256 characters A-Z a-z 0-9 _ - in the secret token.
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[\w-]{16,256}$/, "16 to 256 letters, digits, _ or -")
    .optional(),
  TELEGRAM_ALLOWED_USER_IDS: z
    .string()
    .default("")
    .transform((raw) =>
      raw
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.string().regex(/^[1-9]\d{0,15}$/, "must be Telegram user ids, comma-separated")),
    ),
  TELEGRAM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  DOCKER_HOST: z
    .string()
    .regex(/^(unix|tcp):\/\/\S+$/, "must be unix:///path or tcp://host:port")
    .optional(),
  BERTH_INSTANCE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, "lowercase letters, digits and dashes, at most 31")
    .default("berth"),
  BERTH_DOCKER_LABELS: labelList,
  MIGRATE_ON_START: bool.default(true),
  API_KEY_DEFAULT_TTL_DAYS: z.coerce.number().int().min(1).default(90),
  API_KEY_MAX_TTL_DAYS: z.coerce.number().int().min(1).default(365),
  BCRYPT_ROUNDS: z.coerce.number().int().min(4).max(15).default(10),
  MAGIC_LINK_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  RATE_LIMIT_API_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: z.coerce.number().int().min(1).default(5),
  RATE_LIMIT_VERIFY_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
  QUOTA_ENVIRONMENTS_PER_USER: z.coerce.number().int().min(0).default(10),
  QUOTA_SERVICES_PER_ENVIRONMENT: z.coerce.number().int().min(0).default(10),
  QUOTA_REPLICAS_PER_ENVIRONMENT: z.coerce.number().int().min(0).default(20),
  QUOTA_CPUS_PER_ENVIRONMENT: z.coerce.number().min(0).default(4),
  QUOTA_MEMORY_MB_PER_ENVIRONMENT: z.coerce.number().int().min(0).default(8192),
  NETWORK_ENCRYPTED: bool.default(false),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  ORPHAN_GRACE_SECONDS: z.coerce.number().int().min(0).default(300),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, "must be 64 hex characters (32 bytes): openssl rand -hex 32"),
  DEPLOY_PRIVATE_REGISTRIES: list.prefault(""),
  DEPLOY_PUBLISH_PORTS: bool.default(false),
  DEPLOY_PUBLISH_PRIVILEGED_PORTS: bool.default(false),
  DEPLOY_RESERVED_PORTS: list.prefault("22,80,443,5432").pipe(
    z.array(
      z
        .string()
        .regex(/^[0-9]{1,5}$/, "ports as numbers")
        .transform(Number),
    ),
  ),
  DEPLOY_DEFAULT_CPUS: cpus.prefault("0.5"),
  DEPLOY_MAX_CPUS: cpus.prefault("2"),
  DEPLOY_DEFAULT_MEMORY: memory.prefault("256M"),
  DEPLOY_MAX_MEMORY: memory.prefault("2G"),
  DEPLOY_RESERVATION_FRACTION: z.coerce.number().min(0).max(1).default(0.25),
  DEPLOY_MAX_REPLICAS: z.coerce.number().int().min(1).default(10),
  DEPLOY_CAPABILITIES: list.prefault("CHOWN,DAC_OVERRIDE,FOWNER,NET_BIND_SERVICE,SETGID,SETUID"),
  DEPLOY_REQUIRE_NON_ROOT: bool.default(true),
  DEPLOY_DEFAULT_USER: z
    .string()
    .regex(/^[1-9][0-9]*:[1-9][0-9]*$/, "a non-root uid:gid")
    .default("65534:65534"),
  SWARM_ENDPOINT_MODE: z.enum(["dnsrr", "vip"]).default("dnsrr"),
  SWARM_PUBLISH_MODE: z.enum(["host", "ingress"]).default("host"),
  DEPLOY_PIDS_LIMIT: z.coerce.number().int().min(16).default(512),
  DEPLOY_NOFILE_LIMIT: z.coerce.number().int().min(64).default(8192),
  DEPLOY_TMP_SIZE: memory.prefault("64M"),
  DEPLOY_LOG_MAX_SIZE: z
    .string()
    .regex(/^[0-9]+[kmg]$/, 'like "10m"')
    .default("10m"),
  DEPLOY_LOG_MAX_FILES: z.coerce.number().int().min(1).max(20).default(3),
  DEPLOY_RESTART_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  DEPLOY_UPDATE_MONITOR: duration.prefault("15s"),
  DEPLOY_PLACEMENT_CONSTRAINTS: list.prefault(""),
  DEPLOY_WATCH_WINDOW: duration.prefault("10s"),
  DEPLOY_TIMEOUT: duration.prefault("5m"),
  DEPLOY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  DEPLOY_JOB_LEASE: duration.prefault("30s"),
  EGRESS_GUARD: bool.default(true),
  EGRESS_ALLOW_CIDRS: z
    .string()
    .default("")
    .transform((raw) =>
      raw
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.cidrv4("must be IPv4 CIDRs, comma-separated"))),
  // local: Berth runs iptables itself; netguard: the netguard process does
  // (in production, a host-network container) and Berth reads its reports.
  EGRESS_GUARD_MODE: z.enum(["local", "netguard"]).default("local"),
  EGRESS_GUARD_STATUS_FILE: z.string().min(1).default("/var/lib/berth-netguard/status.json"),
  NETGUARD_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  NETGUARD_IPTABLES: z.enum(["auto", "nft", "legacy"]).default("auto"),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  MCP_ALLOWED_ORIGINS: list
    .prefault("")
    .pipe(
      z.array(z.url({ protocol: /^https?$/, error: "must be http(s) origins, comma-separated" })),
    ),
  MCP_ALLOWED_HOSTS: list
    .prefault("")
    .pipe(
      z.array(
        z.string().regex(/^([a-z0-9.-]+|\[[0-9a-f:.]+\])$/i, "must be host names, comma-separated"),
      ),
    ),
  MCP_CONFIRM_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  PROXY_ENABLED: bool.default(false),
  PROXY_IMAGE: z.string().min(1).default("berth-proxy:latest"),
  PROXY_CONTAINER: dockerName.default("berth-proxy"),
  PROXY_HTTP_PORT: hostPort.default(80),
  PROXY_HTTPS_PORT: hostPort.default(443),
  PROXY_BIND_ADDRESS: z.ipv4().or(z.ipv6()).default("0.0.0.0"),
  ACME_DIRECTORY: checkedBy(acmeDirectoryUrl).prefault("letsencrypt"),
  ACME_EMAIL: z.email().optional(),
  ACME_CA_BUNDLE: z
    .string()
    .regex(/^\/[A-Za-z0-9._/@+=,-]+$/, "an absolute path on the Docker host")
    .optional(),
  PUBLIC_BASE_DOMAIN: checkedBy((raw) => validateDomain(raw)).optional(),
  // Berth's own API through the proxy: PUBLIC_URL's host, with a certificate.
  PROXY_SERVE_BERTH: bool.default(false),
  PROXY_BERTH_UPSTREAM: z
    .string()
    .regex(/^[a-z0-9.-]+:[0-9]{1,5}$/, "must be host:port, where the proxy reaches Berth")
    .default("backend:3000"),
});

/** Every setting's name (.env.example must list each one). */
export const SETTING_NAMES = Object.keys(schema.shape);

export type Env = z.input<typeof schema>;
export type Config = z.output<typeof schema> & { PUBLIC_URL: string };

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

function parse<T extends z.ZodType>(
  shape: T,
  env: Record<string, string | undefined>,
): z.output<T> {
  // An empty variable means "not set", as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ""));
  const parsed = shape.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.join(".");
        return present[key] === undefined && issue.code === "invalid_type"
          ? `${key}: is required`
          : `${key}: ${issue.message}`;
      }),
    );
  }
  return parsed.data;
}

/** Settings that are only wrong together. */
function crossChecks(config: z.output<typeof schema>): string[] {
  const issues: string[] = [];
  if (config.TELEGRAM_WEBHOOK_URL && !config.TELEGRAM_WEBHOOK_SECRET) {
    // Without the secret anyone who finds the URL could post fake updates.
    issues.push("TELEGRAM_WEBHOOK_SECRET: is required with TELEGRAM_WEBHOOK_URL");
  }
  if (config.PROXY_SERVE_BERTH) {
    if (!config.PROXY_ENABLED) issues.push("PROXY_SERVE_BERTH: needs PROXY_ENABLED=true");
    const url = config.PUBLIC_URL ? new URL(config.PUBLIC_URL) : null;
    if (url?.protocol !== "https:" || url.port !== "") {
      issues.push("PUBLIC_URL: must be https://<host> (no port) with PROXY_SERVE_BERTH=true");
    } else {
      try {
        validateDomain(url.hostname);
      } catch (error) {
        issues.push(`PUBLIC_URL: ${(error as Error).message} (PROXY_SERVE_BERTH=true)`);
      }
    }
  }
  return issues;
}

/** Parse settings; throws ConfigError naming every bad or missing variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config = parse(schema, env);
  const issues = crossChecks(config);
  if (issues.length > 0) throw new ConfigError(issues);
  return { ...config, PUBLIC_URL: config.PUBLIC_URL ?? `http://localhost:${config.PORT}` };
}

const cliSchema = schema.pick({
  DATABASE_URL: true,
  BCRYPT_ROUNDS: true,
  API_KEY_DEFAULT_TTL_DAYS: true,
  API_KEY_MAX_TTL_DAYS: true,
});
export type CliConfig = z.output<typeof cliSchema>;

const netguardSchema = schema.pick({
  LOG_LEVEL: true,
  EGRESS_GUARD: true,
  EGRESS_ALLOW_CIDRS: true,
  EGRESS_GUARD_STATUS_FILE: true,
  NETGUARD_INTERVAL_SECONDS: true,
  NETGUARD_IPTABLES: true,
});
export type NetguardConfig = z.output<typeof netguardSchema>;

/** What the netguard process needs: no database, no secrets, no Docker. */
export function loadNetguardConfig(
  env: Record<string, string | undefined> = process.env,
): NetguardConfig {
  return parse(netguardSchema, env);
}

/** The few settings the operator commands need (no ENCRYPTION_KEY, no Docker). */
export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  return parse(cliSchema, env);
}
