// Sites on the proxy: write a site file atomically, check the whole
// configuration with `nginx -t`, reload only then, and put the last known
// good file back when the check fails, so every other site keeps serving.
// Config changes on one proxy run one at a time (so do certbot runs).
import { AppError } from "../core/errors.js";
import { certbotReason, certonlyArgv, deleteArgv, type AcmeOptions } from "./certbot.js";
import type { ExecResult, ProxyContainer } from "./exec.js";
import {
  certificateFiles,
  GOOD_DIR,
  LETSENCRYPT_DIR,
  SITES_DIR,
  STAGING_DIR,
  WORKERS,
} from "./paths.js";
import { serialised } from "./serial.js";
import { renderSite, siteFileName, type Site } from "./site-config.js";

export const NGINX_TEST = ["nginx", "-t", "-q"] as const;
export const NGINX_RELOAD = ["nginx", "-s", "reload"] as const;

/** What failed, in nginx's words: its [emerg]/[crit] lines, or its output. */
export function nginxReason(result: ExecResult): string {
  const text = `${result.stderr}\n${result.stdout}`;
  const lines = text.split("\n").filter((line) => /\[(emerg|crit|alert)\]/.test(line));
  return (lines.length > 0 ? lines.join("\n") : text).trim();
}

async function mustRun(proxy: ProxyContainer, argv: readonly string[]): Promise<ExecResult> {
  const result = await proxy.run(argv);
  if (result.exitCode !== 0) {
    throw new AppError("INTERNAL", `proxy: ${argv.join(" ")} failed`, {
      reason: `${result.stderr}${result.stdout}`.trim(),
    });
  }
  return result;
}

/** Upload to staging, then rename: readers see the old file or the new one. */
async function writeAtomically(proxy: ProxyContainer, dir: string, name: string, text: string) {
  await proxy.put(STAGING_DIR, name, text);
  await mustRun(proxy, ["mv", "-f", `${STAGING_DIR}/${name}`, `${dir}/${name}`]);
}

async function exists(proxy: ProxyContainer, path: string): Promise<boolean> {
  return (await proxy.run(["test", "-e", path])).exitCode === 0;
}

/** Puts the last known good copy back, or removes a file that never had one. */
async function restore(proxy: ProxyContainer, name: string): Promise<void> {
  if (await exists(proxy, `${GOOD_DIR}/${name}`)) {
    await mustRun(proxy, ["cp", "-f", `${GOOD_DIR}/${name}`, `${STAGING_DIR}/${name}`]);
    await mustRun(proxy, ["mv", "-f", `${STAGING_DIR}/${name}`, `${SITES_DIR}/${name}`]);
  } else {
    await mustRun(proxy, ["rm", "-f", `${SITES_DIR}/${name}`]);
  }
}

/** The workers accepting connections; empty when the image cannot say (an older one). */
async function acceptingWorkers(proxy: ProxyContainer): Promise<Set<string>> {
  const result = await proxy.run([WORKERS]);
  return new Set(result.exitCode === 0 ? result.stdout.split("\n").filter(Boolean) : []);
}

const WORKER_POLLS = 100;
const WORKER_POLL_MS = 50;

/**
 * Reloads, then waits until the old workers stop accepting connections (they
 * do within moments of the signal), so the new configuration is what every
 * new connection gets from then on; after a few seconds it stops waiting.
 */
async function reload(proxy: ProxyContainer): Promise<void> {
  const before = await acceptingWorkers(proxy);
  const result = await proxy.run(NGINX_RELOAD);
  if (result.exitCode !== 0) {
    throw new AppError("UNAVAILABLE", "the proxy did not reload", { reason: nginxReason(result) });
  }
  for (let i = 0; i < WORKER_POLLS && before.size > 0; i++) {
    const now = await acceptingWorkers(proxy);
    if (![...before].some((pid) => now.has(pid))) return;
    await new Promise((resolve) => setTimeout(resolve, WORKER_POLL_MS));
  }
}

/**
 * Installs one site file (already rendered and checked) and reloads nginx,
 * or restores the last known good file and throws with nginx's reason.
 */
export async function applySiteText(proxy: ProxyContainer, domain: string, text: string) {
  const name = siteFileName(domain);
  await serialised(`config:${proxy.name}`, async () => {
    await writeAtomically(proxy, SITES_DIR, name, text);
    const check = await proxy.run(NGINX_TEST);
    if (check.exitCode !== 0) {
      await restore(proxy, name);
      throw new AppError(
        "INTERNAL",
        `the proxy refused the configuration for ${domain}; it keeps serving the previous one`,
        { field: "domain", reason: nginxReason(check) },
      );
    }
    await writeAtomically(proxy, GOOD_DIR, name, text);
    await reload(proxy);
  });
}

/** Renders `site` (refusing any off-pattern value) and applies it. */
export async function applySite(proxy: ProxyContainer, site: Site): Promise<void> {
  await applySiteText(proxy, site.domain, renderSite(site));
}

/** Removes a site's files and reloads; then deletes its certificate, if any. */
export async function removeSite(proxy: ProxyContainer, domain: string): Promise<void> {
  const name = siteFileName(domain);
  await serialised(`config:${proxy.name}`, async () => {
    await mustRun(proxy, [
      "rm",
      "-f",
      `${SITES_DIR}/${name}`,
      `${GOOD_DIR}/${name}`,
      `${STAGING_DIR}/${name}`,
    ]);
    const check = await proxy.run(NGINX_TEST);
    if (check.exitCode !== 0) {
      throw new AppError("INTERNAL", "the proxy's configuration is broken elsewhere", {
        reason: nginxReason(check),
      });
    }
    await reload(proxy);
  });
  // Only once nginx no longer names the certificate can it go.
  await serialised(`certbot:${proxy.name}`, async () => {
    if (await exists(proxy, `${LETSENCRYPT_DIR}/renewal/${domain}.conf`)) {
      await mustRun(proxy, deleteArgv(domain));
    }
  });
}

/** The domains that have a live site file on the proxy. */
export async function siteDomains(proxy: ProxyContainer): Promise<Set<string>> {
  const result = await mustRun(proxy, ["ls", "-1", SITES_DIR]);
  const names = result.stdout.split("\n").filter((name) => name.endsWith(".conf"));
  return new Set(names.map((name) => name.slice(0, -".conf".length)));
}

export function hasCertificate(proxy: ProxyContainer, domain: string): Promise<boolean> {
  return exists(proxy, certificateFiles(domain).fullchain);
}

/** Obtains the domain's certificate through the webroot (HTTP-01). */
export async function issueCertificate(
  proxy: ProxyContainer,
  domain: string,
  acme: AcmeOptions,
): Promise<void> {
  const argv = certonlyArgv(domain, acme);
  await serialised(`certbot:${proxy.name}`, async () => {
    const result = await proxy.run(argv);
    if (result.exitCode !== 0) {
      const reason = certbotReason(`${result.stdout}\n${result.stderr}`);
      throw new AppError(
        "UNAVAILABLE",
        `could not obtain a certificate for ${domain}: does the domain point at this server?`,
        { field: "domain", reason },
      );
    }
  });
}

/**
 * Makes a site public end to end: challenge-only site, certificate, HTTPS.
 * Safe to repeat: an existing certificate is kept until it is due.
 */
export async function publishSite(proxy: ProxyContainer, site: Site, acme: AcmeOptions) {
  renderSite({ ...site, certificate: "issued" }); // refuse bad input before any change
  if (!(await hasCertificate(proxy, site.domain))) {
    await applySite(proxy, { ...site, certificate: "none" });
    await issueCertificate(proxy, site.domain, acme);
  }
  await applySite(proxy, { ...site, certificate: "issued" });
}
