// Public environments and the state of the proxy container: switched off
// (501), on without its image (a /health warning naming the fix, 503 before
// anything is written, no container made), a container of its name that is
// not Berth's (refused, never given a tenant's network), and one the
// production stack started with the proxy's identity labels (adopted as is).
import { afterAll, describe, expect, inject, it } from "vitest";
import { reconcile } from "../../src/core/reconcile/reconcile.js";
import { DockerEngine } from "../../src/orchestrator/docker.js";
import { call, createUserWithKey, startTestBerth, type TestBerth } from "../helpers/berth.js";
import { TEST_LABEL } from "../helpers/context.js";
import { createEnv } from "../helpers/deploy.js";
import { freePort } from "../helpers/net.js";
import { proxyBed } from "../proxy/bed.js";

const runId = inject("runId");
const engine = new DockerEngine();
const started: TestBerth[] = [];
const containers: string[] = [];
afterAll(async () => {
  for (const t of started) await t.close();
  for (const name of containers) {
    // v: the image declares volumes; these containers got anonymous ones.
    await engine.docker
      .getContainer(name)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }
});

async function proxySettings(name: string, image = proxyBed().image) {
  return {
    PROXY_ENABLED: "true",
    PROXY_IMAGE: image,
    PROXY_CONTAINER: `berth-t${runId}-${name}-proxy`,
    PROXY_HTTP_PORT: String(await freePort()),
    PROXY_HTTPS_PORT: String(await freePort()),
    PROXY_BIND_ADDRESS: "127.0.0.1",
  };
}

async function berthWithEnvironment(overrides: Record<string, string>) {
  const t = await startTestBerth(overrides);
  started.push(t);
  const user = await createUserWithKey(t);
  const id = await createEnv(t, user.key, "site");
  // A service the environment has, as far as the rules are concerned.
  await t.ctx.db.deployment.create({
    data: {
      jobId: `job_${id.slice(0, 12)}`,
      serviceName: "web",
      image: "app",
      tag: "v1",
      replicas: 1,
      environmentId: id,
      status: "RUNNING",
      ports: [{ containerPort: 8080, protocol: "tcp" }],
    },
  });
  const publicUrl = `${t.url}/environments/${id}/public`;
  const row = () => t.ctx.db.environment.findUniqueOrThrow({ where: { id } });
  return { t, key: user.key, id, publicUrl, row };
}

const deploymentOf = (t: TestBerth) => t.ctx.db.deployment.findFirstOrThrow();
const proxyWarnings = async (t: TestBerth) =>
  (await call<{ warnings: string[] }>(`${t.url}/health`)).body.warnings.filter((w) =>
    w.includes("proxy"),
  );
const body = { domain: "site.berth.test", service: "web" };

describe("public environments", () => {
  it("are refused with 501 while the proxy is switched off; reading and unpublishing still work", async () => {
    const { t, key, publicUrl } = await berthWithEnvironment({});
    const answer = await call(publicUrl, { method: "POST", key, body });
    expect(answer.status).toBe(501);
    expect(answer.body).toMatchObject({ error: { code: "NOT_IMPLEMENTED" } });
    expect((await call(`${publicUrl}/retry`, { method: "POST", key })).status).toBe(501);
    expect((await call(publicUrl, { key })).body).toMatchObject({ public: { status: "NONE" } });
    expect((await call(publicUrl, { method: "DELETE", key })).status).toBe(200);
    expect(await proxyWarnings(t)).toEqual([]);
  });

  it("without the proxy image: /health says how to build it, POST is 503 and writes nothing", async () => {
    const image = "berth-test/no-such-proxy:none";
    const settings = await proxySettings("noimage", image);
    const { t, key, publicUrl, row } = await berthWithEnvironment(settings);
    expect(await proxyWarnings(t)).toEqual([
      `proxy image ${image} not found: build it (docker build -t ${image} nginx/); ` +
        "public environments are unavailable until then",
    ]);
    expect(t.logs.text).toContain("the proxy image is missing");
    const before = await row();
    expect((await call(publicUrl, { method: "POST", key, body })).status).toBe(503);
    expect(await row()).toEqual(before);
    await expect(
      t.ctx.engine.docker.getContainer(settings.PROXY_CONTAINER).inspect(),
    ).rejects.toMatchObject({ statusCode: 404 });
  });

  it("never hands a tenant's network to a container of the proxy's name that is not Berth's", async () => {
    const settings = await proxySettings("foreign");
    containers.push(settings.PROXY_CONTAINER);
    await engine.docker.createContainer({
      name: settings.PROXY_CONTAINER,
      Image: settings.PROXY_IMAGE,
      Labels: { [TEST_LABEL]: runId },
    });
    const { t, key, publicUrl, row } = await berthWithEnvironment(settings);
    expect(await proxyWarnings(t)).toEqual([
      `a container named ${settings.PROXY_CONTAINER} is not this Berth's proxy: remove it or set PROXY_CONTAINER`,
    ]);
    const before = await row();
    expect((await call(publicUrl, { method: "POST", key, body })).status).toBe(503);
    expect(await row()).toEqual(before);
    // Even with the row public, the reconciler gives the network to no one.
    await t.ctx.db.environment.update({
      where: { id: before.id },
      data: {
        publicDomain: "site.berth.test",
        publicService: "web",
        publicPort: 8080,
        publicStatus: "ACTIVE",
      },
    });
    // A foreign container does not stop the reconciler's other steps either.
    const report = await reconcile(t.ctx);
    expect(report.skipped).toBeUndefined();
    // (The stand-in deployment has no service: the deployments step saw that.)
    expect(report.actions).toEqual([`service_vanished ${(await deploymentOf(t)).id}`]);
    expect(t.logs.text).toContain("public environments not reconciled this round");
    const info = await engine.docker.getContainer(settings.PROXY_CONTAINER).inspect();
    expect(Object.keys(info.NetworkSettings.Networks ?? {})).not.toContain(before.networkName);
    expect(info.State.Running).toBe(false);
  });

  it("adopts a proxy the production stack started (same identity labels), as it is", async () => {
    const instance = `t${runId}adopt`;
    const settings = await proxySettings("adopt");
    containers.push(settings.PROXY_CONTAINER);
    const labels = {
      "berth.managed-by": "berth",
      "berth.instance": instance,
      "berth.role": "proxy",
      [TEST_LABEL]: runId,
    };
    const stack = await engine.docker.createContainer({
      name: settings.PROXY_CONTAINER,
      Image: settings.PROXY_IMAGE,
      Labels: labels,
    });
    await stack.start();
    const { t } = await berthWithEnvironment({ ...settings, BERTH_INSTANCE: instance });
    expect(await proxyWarnings(t)).toEqual([]);
    expect((await reconcile(t.ctx)).actions).not.toContain("proxy_created");
    expect((await engine.docker.getContainer(settings.PROXY_CONTAINER).inspect()).Id).toBe(
      stack.id,
    );
  });
});
