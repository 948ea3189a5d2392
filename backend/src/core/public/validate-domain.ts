// The domain a public environment is served under, checked before anything
// is written: the result goes into nginx and certbot, so it must be a plain
// lowercase RFC 1123 hostname and nothing else. Whether another environment
// already claims it is a database check made by the caller.
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { AppError } from "../errors.js";

export interface DomainRules {
  /** Hosts tenants may not claim: the platform's own (from PUBLIC_URL). */
  platformHosts?: readonly string[];
}

/** One lowercase LDH label: letters, digits, inner dashes, 1-63 characters. */
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** A hostname of at least two labels; the same pattern site-config.ts asserts. */
export const DOMAIN_PATTERN = new RegExp(`^(?:${LABEL}\\.)+${LABEL}$`);

const MAX_LENGTH = 253;

function invalid(message: string): AppError {
  return new AppError("INVALID_INPUT", `domain: ${message}`, { field: "domain" });
}

/**
 * Returns the normalised domain (lowercase, IDN as punycode, no trailing
 * dot) or throws INVALID_INPUT with field "domain".
 */
export function validateDomain(input: unknown, rules: DomainRules = {}): string {
  if (typeof input !== "string") throw invalid("must be a string");
  // Only spaces are trimmed: a control character anywhere is refused below.
  const raw = input.replace(/^ +| +$/g, "").replace(/\.$/, "");
  if (raw === "") throw invalid("is required");
  if (raw.includes("*")) throw invalid("wildcard domains are not supported");
  // WHATWG host parsing (inside domainToASCII) drops or rewrites some ASCII
  // (tab, newline, "%2e", and cuts at "#", "/" or "\"): refuse every ASCII
  // character outside letters, digits, "-" and "." before it can.
  if (/[^\u0080-\uffffA-Za-z0-9.-]/.test(raw)) {
    throw invalid("may only contain letters, digits, dashes and dots");
  }
  if (raw.length > MAX_LENGTH * 4) throw invalid(`must be at most ${MAX_LENGTH} characters`);
  // A numeric last part is an IP address to URL parsers ("0x7f.1" is 127.0.0.1).
  const numericEnd = (name: string) => /^[0-9]+$/.test(name.split(".").pop() ?? "");
  if (numericEnd(raw)) throw invalid("must be a name, not an IP address");
  const domain = domainToASCII(raw);
  if (domain === "") throw invalid("is not a valid hostname");
  if (isIP(domain) !== 0 || numericEnd(domain)) throw invalid("must be a name, not an IP address");
  if (domain === "localhost" || domain.endsWith(".localhost")) {
    throw invalid("localhost cannot be public");
  }
  checkShape(domain);
  const reserved = (rules.platformHosts ?? []).map((h) => h.toLowerCase().replace(/\.$/, ""));
  if (reserved.includes(domain)) throw invalid("is the platform's own host");
  return domain;
}

function checkShape(domain: string): void {
  if (domain.length > MAX_LENGTH) throw invalid(`must be at most ${MAX_LENGTH} characters`);
  const labels = domain.split(".");
  if (labels.some((label) => label.length > 63)) {
    throw invalid("each part between dots must be at most 63 characters");
  }
  if (labels.length < 2) throw invalid("must have at least two parts, like app.example.com");
  if (!DOMAIN_PATTERN.test(domain)) {
    throw invalid(
      "each part must be letters, digits and dashes, not starting or ending with a dash",
    );
  }
}
