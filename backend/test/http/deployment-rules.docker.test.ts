// The rules around deployments, through the REST door: refusals come before
// any Docker call, quotas and the rate limit name themselves, another
// user's deployments do not exist, events stream in order, an idempotency
// key gives back the first deployment, and delete removes the service.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentSelector, objectName } from "../../src/core/environments/names.js";
import { listSecrets } from "../../src/orchestrator/secrets.js";
import { inspectService, listServices } from "../../src/orchestrator/swarm.js";
import {
  call,
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";
import { createEnv, deploy, settled } from "../helpers/deploy.js";
import { waitFor } from "../helpers/wait.js";

let t: TestBerth;
let alice: TestUser;
let mallory: TestUser;
let envId = "";

beforeAll(async () => {
  t = await startTestBerth({
    DEPLOY_WATCH_WINDOW: "1s",
    QUOTA_SERVICES_PER_ENVIRONMENT: "2",
    QUOTA_REPLICAS_PER_ENVIRONMENT: "3",
  });
  alice = await createUserWithKey(t);
  mallory = await createUserWithKey(t);
  envId = await createEnv(t, alice.key, "rules");
});
afterAll(() => t.close());

const services = async () =>
  (await listServices(t.ctx.engine, environmentSelector(t.ctx.config, envId))).length;
const rows = () => t.ctx.db.deployment.count({ where: { environmentId: envId } });

describe("refused before any Docker call", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["privileged mode", { privileged: true }, "privileged"],
    ["host network", { networkMode: "host" }, "networkMode"],
    ["host PID", { pid: "host" }, "pid"],
    [
      "a bind mount",
      { volumes: [{ name: "data", path: "/data", source: "/etc" }] },
      "volumes[0].source",
    ],
    [
      "the Docker socket",
      { volumes: [{ name: "/var/run/docker.sock", path: "/var/run/docker.sock" }] },
      "volumes[0].name",
    ],
    ["devices", { devices: ["/dev/sda"] }, "devices"],
    ["a capability beyond the allowlist", { capabilities: ["SYS_ADMIN"] }, "capabilities[0]"],
    ["sysctls", { sysctls: { "net.ipv4.ip_forward": "1" } }, "sysctls"],
    ["a log driver", { logDriver: "syslog" }, "logDriver"],
    ["network aliases", { aliases: ["db"] }, "aliases"],
    ["an unknown field", { colour: "blue" }, "colour"],
    ["shell metacharacters in the image", { image: "app;rm -rf /" }, "image"],
    ["a leading dash in the image", { image: "-app" }, "image"],
    ["a registry on a private address", { image: "10.0.0.5:5000/app" }, "image"],
    ["a bad env var name", { envVars: { "1BAD": "x" } }, "envVars.1BAD"],
    ["root", { user: "root" }, "user"],
  ];
  it.each(cases)("%s", async (_what, extra, field) => {
    const before = { services: await services(), rows: await rows() };
    const answer = await deploy(t, alice.key, { environmentId: envId, name: "nope", ...extra });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: "INVALID_INPUT", details: { field } });
    expect({ services: await services(), rows: await rows() }).toEqual(before);
  });
});

describe("deployments", () => {
  let web = "";

  it("stream their events in order over SSE, from the first to RUNNING", async () => {
    const answer = await deploy(t, alice.key, {
      environmentId: envId,
      name: "web",
      envVars: { TOKEN: { value: "sse-secret-value", secret: true } },
    });
    web = answer.body.deploymentId;
    const res = await fetch(`${t.url}/deployments/${web}/events`, {
      headers: { "x-api-key": alice.key },
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text(); // the stream ends at a final state
    const events = text
      .split("\n\n")
      .filter((block) => block.includes("data: "))
      .map(
        (block) =>
          JSON.parse(block.slice(block.indexOf("data: ") + 6)) as {
            id: string;
            type: string;
            status: string | null;
          },
      );
    const statuses = events.filter((e) => e.type === "status").map((e) => e.status);
    expect(statuses).toEqual([
      "PENDING",
      "PULLING_IMAGE",
      "CREATING_VOLUMES",
      "STARTING_CONTAINERS",
      "RUNNING",
    ]);
    const ids = events.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    expect(text).not.toContain("sse-secret-value");
    // Resuming after the last id gives nothing new and ends at once.
    const again = await fetch(`${t.url}/deployments/${web}/events`, {
      headers: { "x-api-key": alice.key, "last-event-id": events.at(-1)!.id },
    });
    expect(await again.text()).toBe("");
  });

  it("give back the first deployment for a repeated idempotency key", async () => {
    const body = { environmentId: envId, name: "web", tag: "v2", idempotencyKey: "release-42" };
    const [a, b] = await Promise.all([deploy(t, alice.key, body), deploy(t, alice.key, body)]);
    expect(a.body.deploymentId).toBe(b.body.deploymentId);
    expect([a.status, b.status].sort()).toEqual([200, 202]);
    const c = await deploy(t, alice.key, body);
    expect(c.status).toBe(200);
    expect(c.body.deploymentId).toBe(a.body.deploymentId);
    expect(await t.ctx.db.deployment.count({ where: { idempotencyKey: "release-42" } })).toBe(1);
    expect((await settled(t, alice.key, a.body.deploymentId)).status).toBe("RUNNING");
    web = a.body.deploymentId;
  });

  it("refuse to go over a quota, naming it, with nothing written", async () => {
    const replicas = await deploy(t, alice.key, { environmentId: envId, name: "api", replicas: 3 });
    expect(replicas.status).toBe(403);
    expect(replicas.body.error).toMatchObject({
      code: "QUOTA_EXCEEDED",
      details: { quota: "replicas_per_environment", limit: 3, current: 4 },
    });
    const second = await deploy(t, alice.key, { environmentId: envId, name: "api" });
    expect(second.status).toBe(202);
    const third = await deploy(t, alice.key, { environmentId: envId, name: "cron" });
    expect(third.status).toBe(403);
    expect(third.body.error).toMatchObject({
      details: { quota: "services_per_environment", limit: 2 },
    });
    expect(
      await t.ctx.db.deployment.count({ where: { environmentId: envId, serviceName: "cron" } }),
    ).toBe(0);
    await settled(t, alice.key, second.body.deploymentId);
  });

  it("do not exist for another user, on any route", async () => {
    const notFound = {
      error: {
        code: "NOT_FOUND",
        message: "no such deployment",
        details: { field: "deploymentId" },
      },
    };
    for (const [method, path, body] of [
      ["GET", `/deployments/${web}`, undefined],
      ["GET", `/deployments/${web}/logs`, undefined],
      ["GET", `/deployments/${web}/events`, undefined],
      ["POST", `/deployments/${web}/scale`, { replicas: 2 }],
      ["POST", `/deployments/${web}/rollback`, undefined],
      ["POST", `/deployments/${web}/restart`, undefined],
      ["DELETE", `/deployments/${web}`, undefined],
    ] as const) {
      const answer = await call(`${t.url}${path}`, { method, key: mallory.key, body });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body).toEqual(notFound);
    }
    expect(
      (await call(`${t.url}/deployments/environment/${envId}`, { key: mallory.key })).status,
    ).toBe(404);
    const theirs = await deploy(t, mallory.key, { environmentId: envId, name: "sneaky" });
    expect(theirs.status).toBe(404);
  });

  it("need deployments:write to change, deployments:read to look", async () => {
    const reader = await createUserWithKey(t, {
      userId: alice.userId,
      scopes: ["deployments:read"],
    });
    expect((await call(`${t.url}/deployments/${web}`, { key: reader.key })).status).toBe(200);
    const change = await deploy(t, reader.key, { environmentId: envId, name: "web" });
    expect(change.status).toBe(403);
    expect(change.body.error).toMatchObject({ details: { scope: "deployments:write" } });
    const logs = await call(`${t.url}/deployments/${web}/logs`, { key: reader.key });
    expect(logs.body).toMatchObject({ error: { details: { scope: "logs:read" } } });
  });

  it("lists an environment's deployments, newest first, a page at a time", async () => {
    const first = await call<{ deployments: { id: string }[]; nextCursor: string }>(
      `${t.url}/deployments/environment/${envId}?limit=2`,
      { key: alice.key },
    );
    expect(first.body.deployments).toHaveLength(2);
    const rest = await call<{ deployments: { id: string }[] }>(
      `${t.url}/deployments/environment/${envId}?limit=50&cursor=${first.body.nextCursor}`,
      { key: alice.key },
    );
    const all = [...first.body.deployments, ...rest.body.deployments].map((d) => d.id);
    expect(all).toEqual([...all].sort().reverse());
    expect(new Set(all).size).toBe(await rows());
  });

  it("delete removes the service and its secrets", async () => {
    const answer = await call<{ deployment: { status: string } }>(`${t.url}/deployments/${web}`, {
      method: "DELETE",
      key: alice.key,
    });
    expect(answer.status).toBe(202);
    const removed = await settled(t, alice.key, web);
    expect(removed.status).toBe("REMOVED");
    const env = await t.ctx.db.environment.findUniqueOrThrow({ where: { id: envId } });
    expect(await inspectService(t.ctx.engine, objectName(env.slug, "web"))).toBeNull();
    await waitFor(
      async () =>
        (
          await listSecrets(t.ctx.engine, {
            ...environmentSelector(t.ctx.config, envId),
            "berth.service": "web",
          })
        ).length === 0,
    );
    expect(
      (await call(`${t.url}/deployments/${web}`, { method: "DELETE", key: alice.key })).status,
    ).toBe(202);
  });
});

describe("the deployment rate limit", () => {
  it("allows 5 a minute per user, then answers 429 with Retry-After", async () => {
    const strict = await startTestBerth({ RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: "5" });
    try {
      const user = await createUserWithKey(strict);
      const other = await createUserWithKey(strict, { userId: user.userId });
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await deploy(strict, i % 2 ? other.key : user.key, { environmentId: "x" })).status,
        );
      expect(statuses).toEqual([404, 404, 404, 404, 404]); // no such environment: still counted
      const limited = await deploy(strict, other.key, { environmentId: "x" });
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBeTruthy();
    } finally {
      await strict.close();
    }
  });
});
