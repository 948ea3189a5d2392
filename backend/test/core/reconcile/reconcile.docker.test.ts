// The reconciler against the real Docker Engine: it repairs a network
// removed behind Berth's back, finishes interrupted creates and deletes,
// removes Berth-labelled orphans after the grace period (and only those),
// and waits out a daemon that is away.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorForUser } from "../../../src/core/auth/scopes.js";
import { createEnvironment } from "../../../src/core/environments/create-environment.js";
import { environmentLabels, networkName } from "../../../src/core/environments/names.js";
import { reconcile } from "../../../src/core/reconcile/reconcile.js";
import { ensureNetwork } from "../../../src/orchestrator/swarm.js";
import { ensureVolume } from "../../../src/orchestrator/volumes.js";
import { call, createUserWithKey, startTestBerth, type TestBerth } from "../../helpers/berth.js";
import { DockerSocketProxy } from "../../helpers/docker-proxy.js";
import { waitFor } from "../../helpers/wait.js";

let t: TestBerth;
let lenient: TestBerth;
let actor: ReturnType<typeof actorForUser>;

beforeAll(async () => {
  t = await startTestBerth({ ORPHAN_GRACE_SECONDS: "0" });
  lenient = await startTestBerth({ ORPHAN_GRACE_SECONDS: "3600" });
  const user = await t.ctx.db.user.create({ data: { name: "ops" } });
  actor = actorForUser(user);
});
afterAll(async () => {
  await t.close();
  await lenient.close();
});

const exists = (kind: "network" | "volume", name: string) =>
  (kind === "network" ? t.ctx.engine.docker.getNetwork(name) : t.ctx.engine.docker.getVolume(name))
    .inspect()
    .then(
      () => true,
      () => false,
    );

describe("reconciler", () => {
  it("recreates the network of an active environment removed behind Berth's back", async () => {
    const env = await createEnvironment(t.ctx, { actor, input: { name: "fixme" } });
    await t.ctx.engine.docker.getNetwork(env.networkName).remove();
    expect(await exists("network", env.networkName)).toBe(false);
    const report = await reconcile(t.ctx);
    expect(report.actions).toContain(`network_recreated ${env.id}`);
    const net = await t.ctx.engine.docker.getNetwork(env.networkName).inspect();
    const row = await t.ctx.db.environment.findUniqueOrThrow({ where: { id: env.id } });
    expect(row.networkId).toBe(net.Id);
    expect(net.Labels).toMatchObject({ "berth.environment": env.id });
    const events = await t.ctx.db.auditEvent.findMany({
      where: { environmentId: env.id, action: "reconciler.network_recreated" },
    });
    expect(events).toHaveLength(1);
  });

  it("finishes a create that a crash interrupted", async () => {
    const slug = `crashed-${Date.now().toString(36)}`;
    const env = await t.ctx.db.environment.create({
      data: {
        name: "crashed",
        slug,
        networkName: networkName(slug),
        ownerId: actor.userId,
        createdAt: new Date(Date.now() - 5 * 60_000),
      },
    });
    const report = await reconcile(t.ctx);
    expect(report.actions).toContain(`creation_finished ${env.id}`);
    const row = await t.ctx.db.environment.findUniqueOrThrow({ where: { id: env.id } });
    expect(row.status).toBe("ACTIVE");
    expect(await exists("network", env.networkName)).toBe(true);
  });

  it("finishes a deletion left in DELETING", async () => {
    const env = await createEnvironment(t.ctx, { actor, input: { name: "leftover" } });
    await t.ctx.db.environment.update({ where: { id: env.id }, data: { status: "DELETING" } });
    await reconcile(t.ctx);
    await t.ctx.tasks.drain();
    expect(await t.ctx.db.environment.findUnique({ where: { id: env.id } })).toBeNull();
    expect(await exists("network", env.networkName)).toBe(false);
  });

  it("removes Berth-labelled objects whose environment has no row, after the grace period", async () => {
    const ghost = { id: randomUUID(), ownerId: actor.userId };
    const name = `berth-ghost-${ghost.id.slice(0, 8)}`;
    // Orphans of the lenient Berth (1 h grace) and of the strict one (no grace).
    const lenientName = `${name}-l`;
    await ensureNetwork(lenient.ctx.engine, {
      name: lenientName,
      labels: environmentLabels(lenient.ctx.config, ghost),
      encrypted: false,
    });
    await ensureNetwork(t.ctx.engine, {
      name,
      labels: environmentLabels(t.ctx.config, ghost),
      encrypted: false,
    });
    await ensureVolume(t.ctx.engine, name, environmentLabels(t.ctx.config, ghost));

    expect((await reconcile(lenient.ctx)).actions).toEqual([]);
    expect(await exists("network", lenientName)).toBe(true);

    const report = await reconcile(t.ctx);
    expect(report.actions).toEqual(
      expect.arrayContaining([`orphan_removed network ${name}`, `orphan_removed volume ${name}`]),
    );
    expect(await exists("network", name)).toBe(false);
    expect(await exists("volume", name)).toBe(false);
    // The other instance's object is not this Berth's to remove.
    expect(await exists("network", lenientName)).toBe(true);
    await t.ctx.engine.docker.getNetwork(lenientName).remove();
    const events = await t.ctx.db.auditEvent.findMany({
      where: { action: "reconciler.orphan_removed", environmentId: ghost.id },
    });
    expect(events).toHaveLength(2);
  });
});

describe("a Docker daemon that goes away", () => {
  it("answers Docker-backed requests with 503 and recovers by itself", async () => {
    const proxy = new DockerSocketProxy();
    await proxy.up();
    const b = await startTestBerth({ DOCKER_HOST: proxy.dockerHost });
    try {
      const user = await createUserWithKey(b);
      await proxy.down();
      const refused = await call(`${b.url}/environments`, {
        method: "POST",
        key: user.key,
        body: { name: "later" },
      });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({
        error: {
          code: "UNAVAILABLE",
          message: "the Docker daemon is not reachable; try again shortly",
        },
      });
      expect(await b.ctx.db.environment.count()).toBe(0);
      expect((await call(`${b.url}/health`)).status).toBe(503);
      expect((await reconcile(b.ctx)).skipped).toBeTruthy();

      await proxy.up();
      await waitFor(async () => (await call(`${b.url}/health`)).status === 200);
      const created = await call<{ environment: { id: string } }>(`${b.url}/environments`, {
        method: "POST",
        key: user.key,
        body: { name: "later" },
      });
      expect(created.status).toBe(201);
      await call(`${b.url}/environments/${created.body.environment.id}`, {
        method: "DELETE",
        key: user.key,
      });
      await b.ctx.tasks.drain();
    } finally {
      await b.close();
      await proxy.dispose();
    }
  });
});
