// One public site as nginx server blocks: pure data in, file text out.
// `nginx -t` executes directives, so only values matching strict patterns
// ever reach the text: the renderer re-checks what validateDomain and the
// caller already checked, and refuses anything else.
import { AppError } from "../core/errors.js";
import { DOMAIN_PATTERN, validateDomain } from "../core/public/validate-domain.js";
import { certificateFiles, SECURITY_HEADERS, WEBROOT } from "./paths.js";

export type CertificateState = "none" | "issued";

export interface Site {
  /** The public domain, as validateDomain returned it. */
  domain: string;
  /** Berth's unique Swarm service name, resolved by Docker's DNS. */
  upstreamHost: string;
  upstreamPort: number;
  /** "none": serve ACME challenges only; "issued": HTTPS with the certificate. */
  certificate: CertificateState;
}

/** A Swarm service name (optionally with its network): lowercase DNS labels. */
const UPSTREAM_LABEL = "[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?";
export const UPSTREAM_PATTERN = new RegExp(`^${UPSTREAM_LABEL}(?:\\.${UPSTREAM_LABEL})*$`);

/** HSTS for two years; no includeSubDomains: tenants may not own those. */
const HSTS = "max-age=63072000";

function refuse(field: string, message: string): never {
  throw new AppError("INVALID_INPUT", `${field}: ${message}`, { field });
}

/** Throws INVALID_INPUT unless every field matches its strict pattern. */
export function assertSite(site: Site): void {
  const domain: unknown = site.domain;
  if (
    typeof domain !== "string" ||
    !DOMAIN_PATTERN.test(domain) ||
    validateDomain(domain) !== domain
  ) {
    refuse("domain", "must be a normalised domain (validateDomain)");
  }
  const host: unknown = site.upstreamHost;
  if (typeof host !== "string" || host.length > 253 || !UPSTREAM_PATTERN.test(host)) {
    refuse("upstreamHost", "must be a service name: lowercase letters, digits, dashes, dots");
  }
  const port: unknown = site.upstreamPort;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    refuse("upstreamPort", "must be an integer from 1 to 65535");
  }
  if (site.certificate !== "none" && site.certificate !== "issued") {
    refuse("certificate", 'must be "none" or "issued"');
  }
}

/** The file a site lives in, inside the sites folder. */
export function siteFileName(domain: string): string {
  if (!DOMAIN_PATTERN.test(domain)) refuse("domain", "must be a normalised domain");
  return `${domain}.conf`;
}

function httpServer(domain: string, fallback: string): string {
  return `server {
    listen 80;
    server_name ${domain};

    location ^~ /.well-known/acme-challenge/ {
        root ${WEBROOT};
        default_type text/plain;
    }

    location / {
        ${fallback}
    }
}
`;
}

function httpsServer(site: Site): string {
  const cert = certificateFiles(site.domain);
  return `server {
    listen 443 ssl http2;
    server_name ${site.domain};

    ssl_certificate ${cert.fullchain};
    ssl_certificate_key ${cert.privkey};

    include ${SECURITY_HEADERS};
    add_header Strict-Transport-Security ${HSTS} always;

    location / {
        set $berth_upstream ${site.upstreamHost}:${site.upstreamPort};
        proxy_pass http://$berth_upstream;
    }
}
`;
}

/** The site file's text; throws INVALID_INPUT for any input off-pattern. */
export function renderSite(site: Site): string {
  assertSite(site);
  const header =
    `# Berth site ${site.domain} -> ${site.upstreamHost}:${site.upstreamPort}` +
    ` (certificate: ${site.certificate}).\n# Written by Berth: edits here are overwritten.\n`;
  if (site.certificate === "none") {
    // No certificate yet: answer the ACME challenge, nothing else.
    return `${header}${httpServer(site.domain, "return 503;")}`;
  }
  return `${header}${httpServer(site.domain, `return 301 https://${site.domain}$request_uri;`)}
${httpsServer(site)}`;
}
