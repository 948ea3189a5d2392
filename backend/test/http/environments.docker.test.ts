// Environments through the REST door against the real Docker Engine: what
// Berth says is checked through the Docker API itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentSelector, objectName } from "../../src/core/environments/names.js";
import { countContainers } from "../../src/orchestrator/containers.js";
import { listServices, removeService } from "../../src/orchestrator/swarm.js";
import { ensureVolume, listVolumes } from "../../src/orchestrator/volumes.js";
import { environmentLabels } from "../../src/core/environments/names.js";
import {
  call,
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";
import { runTestService } from "../helpers/probe.js";
import { waitFor } from "../helpers/wait.js";

let t: TestBerth;
let alice: TestUser;
let bob: TestUser;

interface Env {
  id: string;
  name: string;
  status: string;
  overlayNetworkId: string;
  networkName: string;
  slug: string;
}

beforeAll(async () => {
  t = await startTestBerth({ QUOTA_ENVIRONMENTS_PER_USER: "3" });
  alice = await createUserWithKey(t);
  bob = await createUserWithKey(t);
});
afterAll(() => t.close());

const create = (key: string, name: string) =>
  call<{ environment: Env }>(`${t.url}/environments`, { method: "POST", key, body: { name } });
const get = (key: string, id: string) =>
  call<{ environment: Env & Record<string, unknown> }>(`${t.url}/environments/${id}`, { key });
const remove = (key: string, id: string) =>
  call<{ environment: Env }>(`${t.url}/environments/${id}`, { method: "DELETE", key });
const network = (name: string) =>
  t.ctx.engine.docker
    .getNetwork(name)
    .inspect()
    .then(
      (n) => n,
      () => null,
    );

async function gone(key: string, id: string) {
  await waitFor(async () => (await get(key, id)).status === 404, { timeoutMs: 90_000 });
}

describe("environments", () => {
  let web: Env;

  it("creates an environment and its labelled, attachable overlay network", async () => {
    const answer = await create(alice.key, "web");
    expect(answer.status).toBe(201);
    web = answer.body.environment;
    expect(web).toMatchObject({
      name: "web",
      status: "ACTIVE",
      overlayNetworkId: expect.any(String),
    });
    const net = await t.ctx.engine.docker.getNetwork(web.networkName).inspect();
    expect(net.Id).toBe(web.overlayNetworkId);
    expect(net).toMatchObject({ Attachable: true, Scope: "swarm" });
    expect(net.Labels).toMatchObject({
      "berth.managed-by": "berth",
      "berth.instance": t.ctx.config.BERTH_INSTANCE,
      "berth.environment": web.id,
      "berth.owner": alice.userId,
    });
  });

  it("refuses bad names (400) and a second environment of the same name (409)", async () => {
    for (const name of ["Web", "-web", "web-", "w_b", "a".repeat(25), "", "web;rm"]) {
      const answer = await create(alice.key, name);
      expect(answer.status, name).toBe(400);
      expect(answer.body).toMatchObject({
        error: { code: "INVALID_INPUT", details: { field: "name" } },
      });
    }
    const extra = await call(`${t.url}/environments`, {
      method: "POST",
      key: alice.key,
      body: { name: "x", network: "host" },
    });
    expect(extra.status).toBe(400);
    const again = await create(alice.key, "web");
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: "CONFLICT", details: { field: "name" } } });
    // Another user may use the same name.
    const bobs = await create(bob.key, "web");
    expect(bobs.status).toBe(201);
  });

  it("lists only the caller's environments, a page at a time", async () => {
    await create(alice.key, "api");
    await create(alice.key, "db");
    const first = await call<{ environments: Env[]; nextCursor: string }>(
      `${t.url}/environments?limit=2`,
      { key: alice.key },
    );
    expect(first.body.environments.map((e) => e.name)).toEqual(["web", "api"]);
    const second = await call<{ environments: Env[]; nextCursor: string | null }>(
      `${t.url}/environments?limit=2&cursor=${first.body.nextCursor}`,
      { key: alice.key },
    );
    expect(second.body.environments.map((e) => e.name)).toEqual(["db"]);
    expect(second.body.nextCursor).toBeNull();
    const bobs = await call<{ environments: Env[] }>(`${t.url}/environments`, { key: bob.key });
    expect(bobs.body.environments.map((e) => e.name)).toEqual(["web"]);
  });

  it("refuses an environment over quota with 403 naming it, and creates nothing in Docker", async () => {
    const before = (await t.ctx.engine.docker.listNetworks()).length;
    const answer = await create(alice.key, "fourth");
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: {
        code: "QUOTA_EXCEEDED",
        message: "quota reached: at most 3 environments per user",
        details: { quota: "environments_per_user", limit: 3, current: 3 },
      },
    });
    expect((await t.ctx.engine.docker.listNetworks()).length).toBe(before);
    expect(await t.ctx.db.environment.count({ where: { name: "fourth" } })).toBe(0);
  });

  it("answers another user's environment with 404 on every route", async () => {
    for (const answer of [await get(bob.key, web.id), await remove(bob.key, web.id)]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({
        error: {
          code: "NOT_FOUND",
          message: "no such environment",
          details: { field: "environmentId" },
        },
      });
    }
    expect((await get(bob.key, "not-a-uuid")).status).toBe(404);
    expect(await network(web.networkName)).not.toBeNull();
  });

  it("shows an environment with its services and public state", async () => {
    await runTestService(t.ctx.engine, {
      name: objectName(web.slug, "app"),
      networkId: web.overlayNetworkId,
      labels: {
        ...environmentLabels(t.ctx.config, { id: web.id, ownerId: alice.userId }),
        "berth.service": "app",
      },
    });
    const answer = await get(alice.key, web.id);
    expect(answer.status).toBe(200);
    expect(answer.body.environment).toMatchObject({
      id: web.id,
      deployments: [],
      services: [{ name: "app", dockerName: objectName(web.slug, "app"), desiredTasks: 1 }],
      public: { domain: null, status: "NONE" },
    });
  });

  it("limits a key to its environments", async () => {
    const limited = await createUserWithKey(t, { userId: alice.userId, environmentIds: [web.id] });
    const list = await call<{ environments: Env[] }>(`${t.url}/environments`, { key: limited.key });
    expect(list.body.environments.map((e) => e.id)).toEqual([web.id]);
    const others = await t.ctx.db.environment.findFirstOrThrow({
      where: { ownerId: alice.userId, name: "api" },
    });
    expect((await get(limited.key, others.id)).status).toBe(404);
    expect((await create(limited.key, "new")).status).toBe(403);
  });

  it("deletes services, volumes and network, then the row; DELETE again is harmless", async () => {
    const labels = environmentLabels(t.ctx.config, { id: web.id, ownerId: alice.userId });
    await ensureVolume(t.ctx.engine, objectName(web.slug, "data"), labels);
    const answer = await remove(alice.key, web.id);
    expect(answer.status).toBe(202);
    expect(answer.body.environment.status).toBe("DELETING");
    const again = await remove(alice.key, web.id);
    expect([202, 404]).toContain(again.status);
    await gone(alice.key, web.id);
    const selector = environmentSelector(t.ctx.config, web.id);
    expect(await listServices(t.ctx.engine, selector)).toEqual([]);
    expect(await listVolumes(t.ctx.engine, selector)).toEqual([]);
    expect(await countContainers(t.ctx.engine, selector)).toBe(0);
    expect(await network(web.networkName)).toBeNull();
    expect((await remove(alice.key, web.id)).status).toBe(404);
  });

  it("finishes a deletion that a crash interrupted between steps", async () => {
    const env = (await create(bob.key, "crashy")).body.environment;
    const labels = {
      ...environmentLabels(t.ctx.config, { id: env.id, ownerId: bob.userId }),
      "berth.service": "app",
    };
    await runTestService(t.ctx.engine, {
      name: objectName(env.slug, "app"),
      networkId: env.overlayNetworkId,
      labels,
    });
    await ensureVolume(t.ctx.engine, objectName(env.slug, "data"), labels);
    // The crash: the row says DELETING and the services are gone, nothing else happened.
    await t.ctx.db.environment.update({ where: { id: env.id }, data: { status: "DELETING" } });
    await removeService(t.ctx.engine, objectName(env.slug, "app"), labels);
    expect((await get(bob.key, env.id)).body.environment.status).toBe("DELETING");
    expect((await remove(bob.key, env.id)).status).toBe(202);
    await gone(bob.key, env.id);
    expect(await network(env.networkName)).toBeNull();
    expect(await listVolumes(t.ctx.engine, environmentSelector(t.ctx.config, env.id))).toEqual([]);
  });

  it("records creation and deletion as events", async () => {
    const rows = await t.ctx.db.auditEvent.findMany({
      where: { environmentId: web.id },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => r.action)).toEqual([
      "environment.created",
      "environment.deleting",
      "environment.deleted",
    ]);
  });
});
