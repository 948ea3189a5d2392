// Deployments that cannot run must say why, in words: a missing tag or
// image, a crash loop (with the exit code and the last log lines), a health
// check that never passes. And a rolling update keeps answering.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { objectName } from "../../src/core/environments/names.js";
import {
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";
import { APP, createEnv, deploy, HEALTHCHECK, settled } from "../helpers/deploy.js";
import { probe } from "../helpers/probe.js";

let t: TestBerth;
let user: TestUser;
let envId = "";

beforeAll(async () => {
  t = await startTestBerth({ DEPLOY_WATCH_WINDOW: "2s", DEPLOY_TIMEOUT: "90s" });
  user = await createUserWithKey(t);
  envId = await createEnv(t, user.key, "broken");
});
afterAll(() => t.close());

async function failure(body: Record<string, unknown>) {
  const answer = await deploy(t, user.key, { environmentId: envId, ...body });
  expect(answer.status).toBe(202);
  const d = await settled(t, user.key, answer.body.deploymentId);
  expect(d.status).toBe("FAILED");
  return d.errorMessage ?? "";
}

describe("failures", () => {
  it("a missing tag", async () => {
    expect(await failure({ name: "notag", tag: "no-such-tag" })).toBe(
      `cannot pull ${APP}:no-such-tag: no such tag (manifest unknown)`,
    );
  });

  it("a missing image", async () => {
    const message = await failure({
      name: "noimage",
      image: "127.0.0.1:5000/berth-test/nothing-here",
      tag: "v1",
    });
    expect(message).toMatch(
      /^cannot pull 127\.0\.0\.1:5000\/berth-test\/nothing-here:v1: no such (image|tag)/,
    );
  });

  it("a crash loop, with the exit code and the last log lines", async () => {
    const message = await failure({ name: "crashy", envVars: { MODE: "crash", EXIT_CODE: "3" } });
    expect(message).toMatch(/^crash loop: the container exited with code 3/);
    expect(message).toContain("last log lines:");
    expect(message).toContain("fatal: the test app was told to crash");
  }, 120_000);

  it("a health check that never passes", async () => {
    const message = await failure({
      name: "sick",
      envVars: { HEALTHY: "false" },
      healthcheck: { ...HEALTHCHECK, retries: 2 },
    });
    expect(message).toMatch(/health check (never passed|kept failing)/);
  }, 120_000);
});

describe("a rolling update", () => {
  it("keeps answering throughout (start-first, two replicas)", async () => {
    const first = await deploy(t, user.key, {
      environmentId: envId,
      name: "steady",
      replicas: 2,
      healthcheck: HEALTHCHECK,
    });
    expect((await settled(t, user.key, first.body.deploymentId)).status).toBe("RUNNING");
    const env = await t.ctx.db.environment.findUniqueOrThrow({ where: { id: envId } });
    const url = `http://${objectName(env.slug, "steady")}:8080/`;
    const load = probe(t.ctx.engine, env.networkName, "loop.js", url, "25000", "100");
    await new Promise((r) => setTimeout(r, 2000));
    const second = await deploy(t, user.key, {
      environmentId: envId,
      name: "steady",
      tag: "v2",
      replicas: 2,
      healthcheck: HEALTHCHECK,
    });
    expect((await settled(t, user.key, second.body.deploymentId)).status).toBe("RUNNING");
    const result = await load;
    const summary = JSON.parse(result.output) as {
      ok: number;
      failed: number;
      versions: Record<string, number>;
    };
    expect(summary.failed).toBe(0);
    expect(summary.ok).toBeGreaterThan(50);
    expect(Object.keys(summary.versions).sort()).toEqual(["v1", "v2"]);
  }, 150_000);
});
