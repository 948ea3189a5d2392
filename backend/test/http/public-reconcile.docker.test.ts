// The reconciler's part in public environments, on the real Engine with a
// Pebble of this file's own: a proxy that was stopped is started, one that
// was lost with its volumes is recreated and its site re-issued, and an
// issuance or a removal that a crash cut short is finished; a proxy made
// from an older build of the image is replaced, its sites kept.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { reconcile } from "../../src/core/reconcile/reconcile.js";
import { proxyContainerOptions } from "../../src/proxy/settings.js";
import { call, createUserWithKey, type TestUser } from "../helpers/berth.js";
import { DockerEngine } from "../../src/orchestrator/docker.js";
import { TEST_LABEL } from "../helpers/context.js";
import { proxyBed } from "../proxy/bed.js";
import { waitFor } from "../helpers/wait.js";
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

const DOMAIN = "site.berth.test";
let b: PublicBed;
let alice: TestUser;
let env = { id: "", networkName: "" };

const row = () => b.t.ctx.db.environment.findUniqueOrThrow({ where: { id: env.id } });
const warnings = async () =>
  (await call<{ warnings: string[] }>(`${b.t.url}/health`)).body.warnings.filter((w) =>
    w.includes("proxy"),
  );

// This file's own tag for the proxy image, so that moving it touches no other file.
const image = { repo: "berth-test/proxy-pubrec", tag: inject("runId") };
const imageName = `${image.repo}:${image.tag}`;

beforeAll(async () => {
  await new DockerEngine().docker.getImage(proxyBed().image).tag(image);
  b = await startPublicBed("pubrec", { PROXY_IMAGE: imageName });
  alice = await createUserWithKey(b.t);
  env = await environmentWithApp(b, alice, "site", "v1");
  const body = { domain: DOMAIN, service: "web" };
  expect((await publicCall(b, alice.key, env.id, "POST", body)).status).toBe(202);
  expect((await settledPublic(b, alice.key, env.id)).status).toBe("ACTIVE");
}, 240_000);

afterAll(async () => {
  if (b) await closePublicBed(b, [{ id: env.id, key: alice.key }]);
  await new DockerEngine().docker
    .getImage(imageName)
    .remove({ force: true })
    .catch(() => undefined);
}, 180_000);

describe("the reconciler", () => {
  it("starts a stopped proxy; /health warns until then", async () => {
    await b.t.ctx.engine.docker.getContainer(b.proxyName).stop({ t: 5 });
    expect(await warnings()).toEqual([
      `proxy container ${b.proxyName} is stopped: public environments are not served`,
    ]);
    expect((await reconcile(b.t.ctx)).actions).toContain("proxy_started");
    expect(await warnings()).toEqual([]);
    expect(await served(b, DOMAIN)).toMatchObject({ version: "v1" });
  });

  it("recreates a proxy lost with its volumes, re-attaches it and issues its site again", async () => {
    const docker = b.t.ctx.engine.docker;
    await docker.getContainer(b.proxyName).remove({ force: true });
    for (const volume of Object.values(proxyContainerOptions(b.t.ctx.config).volumes)) {
      await docker.getVolume(volume).remove();
    }
    const { actions } = await reconcile(b.t.ctx);
    expect(actions).toEqual(expect.arrayContaining(["proxy_created", `site_restored ${env.id}`]));
    expect((await settledPublic(b, alice.key, env.id)).status).toBe("ACTIVE");
    expect(await proxyNetworks(b)).toContain(env.networkName);
    expect(await hasCertificate(b, DOMAIN)).toBe(true);
    expect(await served(b, DOMAIN)).toMatchObject({ version: "v1" });
  });

  it("finishes an issuance that a crash cut short", async () => {
    await b.t.ctx.db.environment.update({
      where: { id: env.id },
      data: { publicStatus: "PENDING_CERT" },
    });
    expect((await reconcile(b.t.ctx)).actions).toContain(`publish_resumed ${env.id}`);
    expect((await settledPublic(b, alice.key, env.id)).status).toBe("ACTIVE");
  });

  it("replaces a proxy made from an older build of the image, keeping its sites", async () => {
    const docker = b.t.ctx.engine.docker;
    const before = await docker.getContainer(b.proxyName).inspect();
    // A new build under the same tag: the running container's image, committed.
    const { Id: built } = (await docker.getContainer(b.proxyName).commit({
      ...image,
      changes: `LABEL ${TEST_LABEL}=${inject("runId")}`,
    })) as { Id: string };
    expect(built).not.toBe(before.Image);
    expect((await reconcile(b.t.ctx)).actions).toContain("proxy_recreated");
    const after = await docker.getContainer(b.proxyName).inspect();
    expect(after.Id).not.toBe(before.Id);
    expect(after.Image).toBe(built);
    expect(
      await waitFor(async () => ((await proxyNetworks(b)).includes(env.networkName) ? true : null)),
    ).toBe(true);
    expect(await served(b, DOMAIN)).toMatchObject({ version: "v1" });
    // Up to date now: the next round leaves it alone.
    expect((await reconcile(b.t.ctx)).actions).not.toContain("proxy_recreated");
  });

  it("finishes a removal that a crash cut short", async () => {
    await b.t.ctx.db.environment.update({
      where: { id: env.id },
      data: { publicStatus: "REMOVING" },
    });
    expect((await reconcile(b.t.ctx)).actions).toContain(`unpublish_resumed ${env.id}`);
    await waitFor(async () => (await row()).publicStatus === "NONE");
    expect(await row()).toMatchObject({ publicDomain: null, publicService: null, certError: null });
    expect(await siteFiles(b)).toEqual([]);
    expect(await hasCertificate(b, DOMAIN)).toBe(false);
    expect(await proxyNetworks(b)).not.toContain(env.networkName);
    await notServed(b, DOMAIN);
  });
});
