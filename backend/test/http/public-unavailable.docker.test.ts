// Public environments where the proxy cannot serve: switched off (501), or
// switched on without its image (a /health warning naming the fix, 503
// before anything is written, and no container made).
import { afterAll, describe, expect, inject, it } from "vitest";
import { call, createUserWithKey, startTestBerth, type TestBerth } from "../helpers/berth.js";
import { createEnv } from "../helpers/deploy.js";
import { freePort } from "../helpers/net.js";

const started: TestBerth[] = [];
afterAll(async () => {
  for (const t of started) await t.close();
});

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
  return { t, key: user.key, id, publicUrl };
}

describe("public environments", () => {
  it("are refused with 501 while the proxy is switched off; reading and unpublishing still work", async () => {
    const { t, key, publicUrl } = await berthWithEnvironment({});
    const body = { domain: "site.berth.test", service: "web" };
    const answer = await call(publicUrl, { method: "POST", key, body });
    expect(answer.status).toBe(501);
    expect(answer.body).toMatchObject({ error: { code: "NOT_IMPLEMENTED" } });
    expect((await call(`${publicUrl}/retry`, { method: "POST", key })).status).toBe(501);
    expect((await call(publicUrl, { key })).body).toMatchObject({ public: { status: "NONE" } });
    expect((await call(publicUrl, { method: "DELETE", key })).status).toBe(200);
    const health = await call<{ warnings: string[] }>(`${t.url}/health`);
    expect(health.body.warnings.filter((w) => w.includes("proxy"))).toEqual([]);
  });

  it("without the proxy image: /health says how to build it, POST is 503 and writes nothing", async () => {
    const image = "berth-test/no-such-proxy:none";
    const name = `berth-t${inject("runId")}-noimage-proxy`;
    const { t, key, id, publicUrl } = await berthWithEnvironment({
      PROXY_ENABLED: "true",
      PROXY_IMAGE: image,
      PROXY_CONTAINER: name,
      PROXY_HTTP_PORT: String(await freePort()),
      PROXY_HTTPS_PORT: String(await freePort()),
      PROXY_BIND_ADDRESS: "127.0.0.1",
    });
    const health = await call<{ ok: boolean; warnings: string[] }>(`${t.url}/health`);
    expect(health.body.warnings).toContain(
      `proxy image ${image} not found: build it (docker build -t ${image} nginx/); ` +
        "public environments are unavailable until then",
    );
    expect(t.logs.text).toContain("the proxy image is missing");
    const before = await t.ctx.db.environment.findUniqueOrThrow({ where: { id } });
    const body = { domain: "site.berth.test", service: "web" };
    const answer = await call(publicUrl, { method: "POST", key, body });
    expect(answer.status).toBe(503);
    expect(await t.ctx.db.environment.findUniqueOrThrow({ where: { id } })).toEqual(before);
    await expect(t.ctx.engine.docker.getContainer(name).inspect()).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});
