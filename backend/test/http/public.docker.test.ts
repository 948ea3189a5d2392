// Public environments end to end, through Berth's REST door: the proxy image
// built from the local Debian base, Pebble as the ACME server (this file's
// own, so no other proxy test contends for its HTTP-01 port), apps deployed
// from the local registry, HTTPS through the proxy pinned to 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BerthEvents } from "../../src/core/events.js";
import { publishTaskKey } from "../../src/core/public/publish.js";
import { reconcile } from "../../src/core/reconcile/reconcile.js";
import { ensureProxyContainer } from "../../src/proxy/container.js";
import { SITES_DIR, STAGING_DIR } from "../../src/proxy/paths.js";
import { proxyContainerOptions } from "../../src/proxy/settings.js";
import { call, createUserWithKey, type TestUser } from "../helpers/berth.js";
import { waitFor } from "../helpers/wait.js";
import { httpGet } from "../proxy/bed.js";
import {
  closePublicBed,
  environmentWithApp,
  hasCertificate,
  notServed,
  proxyNetworks,
  publicCall,
  served,
  settledPublic,
  siteFiles,
  startPublicBed,
  type PublicBed,
} from "./public-bed.js";

let b: PublicBed;
let alice: TestUser;
let bob: TestUser;
const envs = { shop: "", docs: "", blog: "" };
const nets = { shop: "", docs: "", blog: "" };
let blogDeployment = "";
let shopDeployment = "";
let blogDomain = "";
const certificates: BerthEvents["certificate.changed"][] = [];

beforeAll(async () => {
  b = await startPublicBed("pub");
  b.t.ctx.events.on("certificate.changed", (e) => void certificates.push(e));
  alice = await createUserWithKey(b.t);
  bob = await createUserWithKey(b.t);
  const [shop, docs, blog] = await Promise.all([
    environmentWithApp(b, alice, "shop", "v1"),
    environmentWithApp(b, alice, "docs", "v1"),
    environmentWithApp(b, bob, "blog", "v2"),
  ]);
  for (const [name, env] of Object.entries({ shop, docs, blog })) {
    envs[name as keyof typeof envs] = env.id;
    nets[name as keyof typeof nets] = env.networkName;
  }
  shopDeployment = shop.deploymentId;
  blogDeployment = blog.deploymentId;
  blogDomain = `${blog.slug}.apps.berth.test`;
}, 240_000);

afterAll(async () => {
  if (!b) return;
  const owners = { shop: alice, docs: alice, blog: bob };
  await closePublicBed(
    b,
    Object.entries(envs).map(([name, id]) => ({ id, key: owners[name as keyof typeof envs].key })),
  );
}, 180_000);

describe("the proxy at start-up", () => {
  it("is created by Berth, holds no Docker socket, and closes unknown hosts (444)", async () => {
    const info = await b.t.ctx.engine.docker.getContainer(b.proxyName).inspect();
    expect(info.State.Running).toBe(true);
    expect(JSON.stringify(info.Mounts)).not.toContain("docker.sock");
    expect(info.Config.Labels).toMatchObject({ "berth.role": "proxy" });
    const health = await call<{ warnings: string[] }>(`${b.t.url}/health`);
    expect(health.body.warnings.filter((w) => w.includes("proxy"))).toEqual([]);
    await waitFor(() => b.proxy.run(["nginx", "-t", "-q"]).then((r) => r.exitCode === 0));
    await expect(httpGet(b.pebble.httpPort, "unknown.berth.test")).rejects.toMatchObject({
      code: "ECONNRESET",
    });
  });
});

describe("making an environment public", () => {
  it("answers 202 PENDING_CERT, then ACTIVE with Pebble's certificate; HTTPS reaches the app", async () => {
    const body = { domain: "Shop.Berth.Test.", service: "web", port: 8080 };
    const answer = await publicCall(b, alice.key, envs.shop, "POST", body);
    expect(answer.status).toBe(202);
    expect(answer.body.public).toMatchObject({
      domain: "shop.berth.test",
      status: "PENDING_CERT",
      service: "web",
      port: 8080,
    });
    expect(await settledPublic(b, alice.key, envs.shop)).toMatchObject({
      status: "ACTIVE",
      error: null,
      url: "https://shop.berth.test",
    });
    expect(await served(b, "shop.berth.test")).toMatchObject({ version: "v1" });
    expect(await proxyNetworks(b)).toContain(nets.shop);
    expect(certificates).toContainEqual(
      expect.objectContaining({
        domain: "shop.berth.test",
        status: "ACTIVE",
        ownerId: alice.userId,
      }),
    );
    const env = await call<{ environment: { public: unknown } }>(
      `${b.t.url}/environments/${envs.shop}`,
      { key: alice.key },
    );
    expect(env.body.environment.public).toEqual({
      domain: "shop.berth.test",
      status: "ACTIVE",
      service: "web",
      port: 8080,
      error: null,
    });
  });

  it("redirects HTTP to HTTPS", async () => {
    const answer = await waitFor(async () => {
      const reply = await httpGet(b.pebble.httpPort, "shop.berth.test", "/a/b?c=1");
      return reply.status === 301 ? reply : null;
    });
    expect(answer.headers.location).toBe("https://shop.berth.test/a/b?c=1");
  });

  it("routes a second environment (another user's; base-domain default, by deployment) to its own app", async () => {
    const answer = await publicCall(b, bob.key, envs.blog, "POST", {
      deploymentId: blogDeployment,
    });
    expect(answer.status).toBe(202);
    expect(answer.body.public).toMatchObject({ domain: blogDomain, service: "web", port: 8080 });
    expect((await settledPublic(b, bob.key, envs.blog)).status).toBe("ACTIVE");
    expect(await served(b, blogDomain)).toMatchObject({ version: "v2" });
    expect(await served(b, "shop.berth.test")).toMatchObject({ version: "v1" });
  });
});

describe("refusals", () => {
  it("refuses bad, reserved and claimed domains and foreign services, with nothing written", async () => {
    const before = {
      docs: await b.t.ctx.db.environment.findUniqueOrThrow({ where: { id: envs.docs } }),
      blog: await b.t.ctx.db.environment.findUniqueOrThrow({ where: { id: envs.blog } }),
      sites: await siteFiles(b),
      networks: await proxyNetworks(b),
    };
    const web = { service: "web" };
    const cases: [TestUser, string, Record<string, unknown>, number, string][] = [
      [alice, envs.docs, { ...web, domain: "bad domain!" }, 400, "domain"],
      [alice, envs.docs, { ...web, domain: "*.docs.berth.test" }, 400, "domain"],
      [alice, envs.docs, { ...web, domain: "10.0.0.1" }, 400, "domain"],
      [alice, envs.docs, { ...web, domain: "docs.localhost" }, 400, "domain"],
      [alice, envs.docs, { ...web, domain: "BERTH.berth.test" }, 400, "domain"],
      [alice, envs.docs, { ...web, domain: "other.apps.berth.test" }, 400, "domain"],
      [alice, envs.docs, { ...web, domain: "shop.berth.test" }, 409, "domain"],
      [bob, envs.blog, { ...web, domain: "shop.berth.test" }, 409, "domain"],
      [alice, envs.docs, { domain: "docs.berth.test", service: "nope" }, 400, "service"],
      [
        alice,
        envs.docs,
        { domain: "docs.berth.test", deploymentId: shopDeployment },
        400,
        "deploymentId",
      ],
      [alice, envs.docs, { ...web, domain: "docs.berth.test", port: 70000 }, 400, "port"],
      [alice, envs.docs, { domain: "docs.berth.test" }, 400, "service"],
      [alice, envs.docs, { ...web, domain: "docs.berth.test", network: "host" }, 400, ""],
    ];
    for (const [user, envId, body, status, field] of cases) {
      const answer = await publicCall(b, user.key, envId, "POST", body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      if (field) expect(answer.body.error?.details?.field, JSON.stringify(body)).toBe(field);
    }
    expect((await publicCall(b, bob.key, envs.docs, "POST", web)).status).toBe(404);
    expect((await publicCall(b, bob.key, envs.docs)).status).toBe(404);
    const reader = await createUserWithKey(b.t, {
      userId: alice.userId,
      scopes: ["environments:read"],
    });
    expect((await publicCall(b, reader.key, envs.docs, "POST", web)).status).toBe(403);
    expect((await publicCall(b, reader.key, envs.shop, "DELETE")).status).toBe(403);
    expect((await publicCall(b, reader.key, envs.shop)).status).toBe(200);
    expect(await b.t.ctx.db.environment.findUniqueOrThrow({ where: { id: envs.docs } })).toEqual(
      before.docs,
    );
    expect(await b.t.ctx.db.environment.findUniqueOrThrow({ where: { id: envs.blog } })).toEqual(
      before.blog,
    );
    expect(await siteFiles(b)).toEqual(before.sites);
    expect(await proxyNetworks(b)).toEqual(before.networks);
  });
});

describe("when nginx refuses the configuration", () => {
  it("keeps serving the other sites, says why (CERT_FAILED), and a retry after the fix succeeds", async () => {
    // Break the proxy's configuration from outside Berth: every `nginx -t` fails now.
    await b.proxy.put(STAGING_DIR, "zz-broken.conf", "server { this is not nginx }\n");
    await b.proxy.run(["mv", `${STAGING_DIR}/zz-broken.conf`, `${SITES_DIR}/zz-broken.conf`]);
    const body = { domain: "docs.berth.test", service: "web", port: 8080 };
    expect((await publicCall(b, alice.key, envs.docs, "POST", body)).status).toBe(202);
    const failed = await settledPublic(b, alice.key, envs.docs);
    expect(failed.status).toBe("CERT_FAILED");
    expect(failed.error).toMatch(/refused the configuration for docs\.berth\.test/);
    expect(failed.error).toMatch(/\[emerg\]/);
    expect(certificates).toContainEqual(
      expect.objectContaining({ domain: "docs.berth.test", status: "CERT_FAILED" }),
    );
    expect(await siteFiles(b)).not.toContain("docs.berth.test.conf");
    expect(await served(b, "shop.berth.test")).toMatchObject({ version: "v1" });
    expect(await served(b, blogDomain)).toMatchObject({ version: "v2" });

    await b.proxy.run(["rm", "-f", `${SITES_DIR}/zz-broken.conf`]);
    const retry = await publicCall(b, alice.key, envs.docs, "POST", undefined, "/retry");
    expect(retry.status).toBe(202);
    expect(retry.body.public.status).toBe("PENDING_CERT");
    expect((await settledPublic(b, alice.key, envs.docs)).status).toBe("ACTIVE");
    expect(await served(b, "docs.berth.test")).toMatchObject({ version: "v1" });
    const again = await publicCall(b, alice.key, envs.docs, "POST", undefined, "/retry");
    expect(again.status).toBe(409);
  });
});

describe("the proxy container", () => {
  it("serves every domain after a restart, with no call to Berth", async () => {
    await b.t.ctx.engine.docker.getContainer(b.proxyName).restart({ t: 5 });
    expect(await served(b, "shop.berth.test")).toMatchObject({ version: "v1" });
    expect(await served(b, blogDomain)).toMatchObject({ version: "v2" });
  });

  it("is re-attached to every public network by Berth's event loop when recreated", async () => {
    const docker = b.t.ctx.engine.docker;
    // An operator replaces the container; sites and certificates live in its volumes.
    await docker.getContainer(b.proxyName).remove({ force: true });
    await ensureProxyContainer(b.t.ctx.engine, proxyContainerOptions(b.t.ctx.config));
    const wanted = [nets.shop, nets.blog, nets.docs];
    await waitFor(async () => {
      const attached = await proxyNetworks(b);
      return wanted.every((n) => attached.includes(n));
    });
    await waitFor(() => b.t.logs.text.includes(`"actions":["proxy_attached`));
    expect(await served(b, "shop.berth.test")).toMatchObject({ version: "v1" });
    expect(await served(b, blogDomain)).toMatchObject({ version: "v2" });
  });
});

describe("unpublishing", () => {
  it("removes the site, its certificate and the network attachment; the others stay", async () => {
    const answer = await publicCall(b, bob.key, envs.blog, "DELETE");
    expect(answer.status).toBe(200);
    expect(answer.body.public).toMatchObject({ status: "NONE", domain: null, service: null });
    expect(await siteFiles(b)).not.toContain(`${blogDomain}.conf`);
    expect(await hasCertificate(b, blogDomain)).toBe(false);
    expect(await proxyNetworks(b)).not.toContain(nets.blog);
    await notServed(b, blogDomain);
    expect(await served(b, "shop.berth.test")).toMatchObject({ version: "v1" });
    expect((await publicCall(b, bob.key, envs.blog, "DELETE")).status).toBe(200);
    const row = await b.t.ctx.db.environment.findUniqueOrThrow({ where: { id: envs.blog } });
    expect(row).toMatchObject({ publicDomain: null, publicStatus: "NONE", certIssuedAt: null });
  });

  it("happens first when an environment is deleted", async () => {
    const answer = await call(`${b.t.url}/environments/${envs.shop}`, {
      method: "DELETE",
      key: alice.key,
    });
    expect(answer.status).toBe(202);
    await waitFor(
      async () => (await b.t.ctx.db.environment.count({ where: { id: envs.shop } })) === 0,
      { timeoutMs: 90_000 },
    );
    envs.shop = "";
    expect(await siteFiles(b)).not.toContain("shop.berth.test.conf");
    expect(await hasCertificate(b, "shop.berth.test")).toBe(false);
    expect(await proxyNetworks(b)).not.toContain(nets.shop);
    await notServed(b, "shop.berth.test");
    expect(await served(b, "docs.berth.test")).toMatchObject({ version: "v1" });
  });
});

describe("moving to another domain", () => {
  it("serves the new domain first, then the old one's site and certificate go", async () => {
    const body = { domain: "docs-new.berth.test", service: "web" };
    const answer = await publicCall(b, alice.key, envs.docs, "POST", body);
    expect(answer.status).toBe(202);
    expect(answer.body.public).toMatchObject({ domain: "docs-new.berth.test" });
    expect((await settledPublic(b, alice.key, envs.docs)).status).toBe("ACTIVE");
    expect(await served(b, "docs-new.berth.test")).toMatchObject({ version: "v1" });
    await notServed(b, "docs.berth.test");
    expect(await siteFiles(b)).toEqual(["docs-new.berth.test.conf"]);
    // The certificate goes once nginx no longer names it, just after the site.
    await waitFor(async () => !(await hasCertificate(b, "docs.berth.test")));
    expect(await proxyNetworks(b)).toContain(nets.docs);
  });

  it("removes sites nothing claims: after an issuance, and each reconcile round", async () => {
    const stray = async () => {
      await b.proxy.put(STAGING_DIR, "stray.berth.test.conf", "# left by a crash\n");
      await b.proxy.run([
        "mv",
        `${STAGING_DIR}/stray.berth.test.conf`,
        `${SITES_DIR}/stray.berth.test.conf`,
      ]);
    };
    await stray();
    // While an issuance runs the round leaves sites alone; the issuance sweeps.
    // (The last issuance's own sweep must be over, or the round would not resume one.)
    await waitFor(() => !b.t.ctx.tasks.isRunning(publishTaskKey(envs.docs)));
    await b.t.ctx.db.environment.update({
      where: { id: envs.docs },
      data: { publicStatus: "PENDING_CERT" },
    });
    const round = await reconcile(b.t.ctx);
    expect(round.actions).toContain(`publish_resumed ${envs.docs}`);
    expect(round.actions).not.toContain("site_removed stray.berth.test");
    expect((await settledPublic(b, alice.key, envs.docs)).status).toBe("ACTIVE");
    await waitFor(async () => !(await siteFiles(b)).includes("stray.berth.test.conf"));
    await stray();
    expect((await reconcile(b.t.ctx)).actions).toContain("site_removed stray.berth.test");
    expect(await siteFiles(b)).toEqual(["docs-new.berth.test.conf"]);
    expect(await served(b, "docs-new.berth.test")).toMatchObject({ version: "v1" });
  });
});
