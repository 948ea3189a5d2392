// certbot command lines as argv arrays (run with `docker exec`, never through
// a shell), and the reason a failed run gives. Pure: tests assert them exactly.
import { AppError } from "../core/errors.js";
import { DOMAIN_PATTERN } from "../core/public/validate-domain.js";
import { DEPLOY_HOOK, WEBROOT } from "./paths.js";

/** Named ACME directories; any other https:// URL is used as given. */
export const ACME_DIRECTORIES = {
  letsencrypt: "https://acme-v02.api.letsencrypt.org/directory",
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export interface AcmeOptions {
  /** The ACME directory URL (see acmeDirectoryUrl). */
  directoryUrl: string;
  /** Account e-mail for expiry notices; without one the account has none. */
  email?: string;
}

/** "letsencrypt" | "letsencrypt-staging" | an https:// directory URL → URL. */
export function acmeDirectoryUrl(setting: string): string {
  if (setting in ACME_DIRECTORIES)
    return ACME_DIRECTORIES[setting as keyof typeof ACME_DIRECTORIES];
  let url: URL;
  try {
    url = new URL(setting);
  } catch {
    throw new AppError("INVALID_INPUT", `ACME directory ${setting}: not a URL`);
  }
  if (url.protocol !== "https:") {
    throw new AppError("INVALID_INPUT", `ACME directory ${setting}: must be https://`);
  }
  return url.toString();
}

const EMAIL = /^[^\s@-][^\s@]*@[^\s@]+\.[^\s@]+$/;

function checkDomain(domain: string): string {
  if (!DOMAIN_PATTERN.test(domain)) {
    throw new AppError("INVALID_INPUT", "domain: must be a normalised domain", {
      field: "domain",
    });
  }
  return domain;
}

function account(acme: AcmeOptions): string[] {
  if (acme.email === undefined) return ["--register-unsafely-without-email"];
  if (!EMAIL.test(acme.email)) throw new AppError("INVALID_INPUT", "ACME e-mail: not an address");
  return ["--email", acme.email, "--no-eff-email"];
}

/**
 * Obtains (or keeps, while it is not due for renewal) the certificate for
 * one domain through the webroot the proxy serves; its lineage is named
 * after the domain, so its files are at live/<domain>/.
 */
export function certonlyArgv(domain: string, acme: AcmeOptions): string[] {
  return [
    "certbot",
    "certonly",
    "--non-interactive",
    "--agree-tos",
    ...account(acme),
    "--server",
    acmeDirectoryUrl(acme.directoryUrl),
    "--webroot",
    "--webroot-path",
    WEBROOT,
    "--cert-name",
    checkDomain(domain),
    "--domain",
    domain,
    "--keep-until-expiring",
  ];
}

/** Renews what is due (or `domain` only; `force`: even when not due). */
export function renewArgv(options: { domain?: string; force?: boolean } = {}): string[] {
  return [
    "certbot",
    "renew",
    "--non-interactive",
    "--no-random-sleep-on-renew",
    "--deploy-hook",
    DEPLOY_HOOK,
    ...(options.domain === undefined ? [] : ["--cert-name", checkDomain(options.domain)]),
    ...(options.force ? ["--force-renewal"] : []),
  ];
}

/** Deletes a domain's certificate lineage (and its renewal settings). */
export function deleteArgv(domain: string): string[] {
  return ["certbot", "delete", "--non-interactive", "--cert-name", checkDomain(domain)];
}

const NOISE =
  /^(Saving debug log|Ask for help|See the logfile|Hint:|Some challenges have failed|- - -)/;

/**
 * The part of certbot's output that says why it failed: the CA's
 * Domain/Type/Detail lines when there are any, else the last lines that are
 * not boilerplate.
 */
export function certbotReason(output: string): string {
  const lines = output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const detail = lines.filter((line) => /^(Domain|Type|Detail):/.test(line));
  if (detail.length > 0) return detail.join("\n");
  const meaningful = lines.filter((line) => !NOISE.test(line));
  return meaningful.slice(-3).join("\n") || "certbot failed without saying why";
}
