// Glue for the public-environments test: a Berth with the proxy switched on
// (the bed's proxy image, a Pebble of the file's own, ports on 127.0.0.1),
// and what the test reads back from the proxy container itself.
import { inject } from "vitest";
import type { PublicView } from "../../src/core/public/view.js";
import { proxyContainer } from "../../src/proxy/exec.js";
import { SITES_DIR } from "../../src/proxy/paths.js";
import { call, startTestBerth, type TestBerth, type TestUser } from "../helpers/berth.js";
import { TEST_LABEL } from "../helpers/context.js";
import { createEnv, deploy, settled } from "../helpers/deploy.js";
import { waitFor } from "../helpers/wait.js";
import { DockerEngine } from "../../src/orchestrator/docker.js";
import {
  freePort,
  httpsGet,
  proxyBed,
  removeLabelled,
  startPebble,
  type Pebble,
} from "../proxy/bed.js";

export interface PublicBed {
  t: TestBerth;
  /** Label on every Docker object of this test file (removeLabelled at the end). */
  fileLabel: string;
  pebble: Pebble;
  httpsPort: number;
  proxyName: string;
  proxy: ReturnType<typeof proxyContainer>;
}

/** A Berth with its own proxy container (`berth-t<run>-<file>-proxy`) and Pebble. */
export async function startPublicBed(
  file: string,
  overrides: Record<string, string> = {},
): Promise<PublicBed> {
  const bed = proxyBed();
  const pebble = await startPebble(bed);
  const httpsPort = await freePort();
  const proxyName = `berth-t${inject("runId")}-${file}-proxy`;
  const fileLabel = `berth.test.file=${file}`;
  const t = await startTestBerth({
    PUBLIC_URL: "https://berth.berth.test",
    PROXY_ENABLED: "true",
    PROXY_IMAGE: bed.image,
    PROXY_CONTAINER: proxyName,
    PROXY_HTTP_PORT: String(pebble.httpPort),
    PROXY_HTTPS_PORT: String(httpsPort),
    PROXY_BIND_ADDRESS: "127.0.0.1",
    ACME_DIRECTORY: pebble.directory,
    ACME_CA_BUNDLE: bed.pebbleCa,
    PUBLIC_BASE_DOMAIN: "apps.berth.test",
    // The proxy container and its volumes carry these too: removed by label at the end.
    BERTH_DOCKER_LABELS: `${TEST_LABEL}=${inject("runId")},${fileLabel}`,
    DEPLOY_WATCH_WINDOW: "2s",
    ...overrides,
  });
  const proxy = proxyContainer(t.ctx.engine, proxyName);
  return { t, fileLabel, pebble, httpsPort, proxyName, proxy };
}

/** An environment with the test app deployed through REST as service "web", RUNNING. */
export async function environmentWithApp(b: PublicBed, user: TestUser, name: string, tag: string) {
  const id = await createEnv(b.t, user.key, name);
  const env = await b.t.ctx.db.environment.findUniqueOrThrow({ where: { id } });
  const accepted = await deploy(b.t, user.key, { environmentId: id, name: "web", tag });
  const deployment = await settled(b.t, user.key, accepted.body.deploymentId);
  if (deployment.status !== "RUNNING") throw new Error(`deployment: ${deployment.errorMessage}`);
  return { id, slug: env.slug, networkName: env.networkName, deploymentId: deployment.id };
}

/**
 * Deletes the environments through Berth (their teardown unpublishes them
 * first), stops Berth and Pebble, then removes the proxy container and its
 * volumes (Berth leaves them for its next start).
 */
export async function closePublicBed(b: PublicBed, environments: { id: string; key: string }[]) {
  for (const { id, key } of environments) {
    if (id) await call(`${b.t.url}/environments/${id}`, { method: "DELETE", key });
  }
  await waitFor(async () => (await b.t.ctx.db.environment.count()) === 0, { timeoutMs: 90_000 });
  await b.t.close();
  await b.pebble.stop();
  await removeLabelled(new DockerEngine().docker, b.fileLabel);
}

export function publicCall(
  b: PublicBed,
  key: string,
  envId: string,
  method = "GET",
  body?: unknown,
  suffix = "",
) {
  return call<{ public: PublicView; error?: { code: string; details?: { field?: string } } }>(
    `${b.t.url}/environments/${envId}/public${suffix}`,
    { method, key, body },
  );
}

/** Waits until the environment's public status leaves PENDING_CERT. */
export function settledPublic(b: PublicBed, key: string, envId: string): Promise<PublicView> {
  return waitFor(
    async () => {
      const answer = await publicCall(b, key, envId);
      return answer.body.public.status === "PENDING_CERT" ? null : answer.body.public;
    },
    { timeoutMs: 90_000, intervalMs: 300 },
  );
}

/** Polls until HTTPS for `domain` answers 200 through the proxy; returns the app's JSON. */
export async function served(b: PublicBed, domain: string) {
  const answer = await waitFor(
    async () => {
      const reply = await httpsGet(b.httpsPort, domain, b.pebble.root);
      return reply.status === 200 ? reply : null;
    },
    { timeoutMs: 60_000 },
  );
  return JSON.parse(answer.body) as { version: string };
}

/** Resolves once HTTPS for `domain` is refused (no site: no TLS handshake). */
export function notServed(b: PublicBed, domain: string) {
  return waitFor(() =>
    httpsGet(b.httpsPort, domain, b.pebble.root).then(
      () => false,
      () => true,
    ),
  );
}

export async function siteFiles(b: PublicBed): Promise<string[]> {
  const result = await b.proxy.run(["ls", "-1", SITES_DIR]);
  return result.stdout.split("\n").filter(Boolean).sort();
}

export async function proxyNetworks(b: PublicBed): Promise<string[]> {
  const info = await b.t.ctx.engine.docker.getContainer(b.proxyName).inspect();
  return Object.keys(info.NetworkSettings.Networks ?? {}).sort();
}

export async function hasCertificate(b: PublicBed, domain: string): Promise<boolean> {
  return (await b.proxy.run(["test", "-e", `/etc/letsencrypt/live/${domain}`])).exitCode === 0;
}
