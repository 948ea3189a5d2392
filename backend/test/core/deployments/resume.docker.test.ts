// Durable jobs: Berth killed with SIGKILL while a deployment is pulling its
// image, and again while its containers are starting. The next Berth takes
// both up once the dead one's lease runs out, and both end in a final state
// that agrees with Swarm.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApiKey, daysFromNow } from "../../../src/core/auth/create-api-key.js";
import { USER_SCOPES } from "../../../src/core/auth/scopes.js";
import { objectName } from "../../../src/core/environments/names.js";
import { inspectService, listTasks } from "../../../src/orchestrator/swarm.js";
import { DockerEngine } from "../../../src/orchestrator/docker.js";
import { call } from "../../helpers/berth.js";
import { BerthProcess } from "../../helpers/berth-process.js";
import { TEST_ENCRYPTION_KEY, TEST_LABEL } from "../../helpers/context.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { freePort } from "../../helpers/net.js";
import { RegistryGate } from "../../helpers/registry-gate.js";
import { waitFor } from "../../helpers/wait.js";

const engine = new DockerEngine();
let database: TestDatabase;
let gate: RegistryGate;
let berth: BerthProcess;
let key = "";
let envId = "";
let slug = "";

const status = async (id: string) =>
  (await database.db.deployment.findUniqueOrThrow({ where: { id } })).status;

async function deploy(body: Record<string, unknown>) {
  const answer = await call<{ deploymentId: string }>(`${berth.url}/deployments`, {
    method: "POST",
    key,
    body: { environmentId: envId, tag: "v1", ...body },
  });
  expect(answer.status).toBe(202);
  return answer.body.deploymentId;
}

/** The deployment is RUNNING and Swarm agrees: its service, its label, its task. */
async function consistent(id: string, service: string) {
  await waitFor(async () => (await status(id)) === "RUNNING", { timeoutMs: 120_000 });
  const svc = await inspectService(engine, objectName(slug, service));
  expect(svc?.Spec?.Labels?.["berth.deployment"]).toBe(id);
  const running = (await listTasks(engine, svc!.ID)).filter((t) => t.Status?.State === "running");
  expect(running).toHaveLength(1);
  const row = await database.db.deployment.findUniqueOrThrow({ where: { id } });
  expect(row).toMatchObject({ serviceId: svc!.ID, lockedBy: null });
}

beforeAll(async () => {
  database = await createTestDatabase();
  gate = new RegistryGate();
  await gate.start();
  const port = await freePort();
  berth = new BerthProcess(
    {
      DATABASE_URL: database.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      BERTH_INSTANCE: `t${inject("runId")}${randomBytes(2).toString("hex")}`,
      BERTH_DOCKER_LABELS: `${TEST_LABEL}=${inject("runId")}`,
      MIGRATE_ON_START: "false",
      RECONCILE_INTERVAL_SECONDS: "0",
      DEPLOY_PRIVATE_REGISTRIES: `127.0.0.1:5000,${gate.address}`,
      DEPLOY_JOB_LEASE: "3s",
      DEPLOY_WATCH_WINDOW: "8s",
      LOG_LEVEL: "info",
    },
    `http://127.0.0.1:${port}`,
  );
  const user = await database.db.user.create({ data: { name: "resumer" } });
  key = (
    await createApiKey(
      { db: database.db, config: { BCRYPT_ROUNDS: 4 } },
      {
        userId: user.id,
        name: "k",
        scopes: USER_SCOPES,
        environmentIds: [],
        expiresAt: daysFromNow(1),
      },
    )
  ).key;
  await berth.start();
  const env = await call<{ environment: { id: string; slug: string } }>(
    `${berth.url}/environments`,
    {
      method: "POST",
      key,
      body: { name: "durable" },
    },
  );
  envId = env.body.environment.id;
  slug = env.body.environment.slug;
});

afterAll(async () => {
  await berth.stop();
  await gate.stop();
  await database.drop();
});

describe("a deployment job", () => {
  it("is finished by the next Berth after a kill -9 during PULLING_IMAGE", async () => {
    const id = await deploy({ name: "pulled", image: `${gate.address}/berth-test/app` });
    await waitFor(async () => (await status(id)) === "PULLING_IMAGE" && gate.held > 0);
    await berth.kill();
    const left = await database.db.deployment.findUniqueOrThrow({ where: { id } });
    expect(left).toMatchObject({ status: "PULLING_IMAGE", lockedBy: expect.any(String) });
    gate.open();
    await berth.start();
    await consistent(id, "pulled");
  }, 180_000);

  it("is finished by the next Berth after a kill -9 during STARTING_CONTAINERS", async () => {
    const id = await deploy({ name: "started", image: "127.0.0.1:5000/berth-test/app" });
    await waitFor(
      async () =>
        (await status(id)) === "STARTING_CONTAINERS" &&
        (await inspectService(engine, objectName(slug, "started"))) !== null,
    );
    await berth.kill();
    expect(await status(id)).toBe("STARTING_CONTAINERS");
    await berth.start();
    await consistent(id, "started");
    const events = await database.db.deploymentEvent.findMany({
      where: { deploymentId: id, type: "status" },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => e.status)).toEqual([
      "PENDING",
      "PULLING_IMAGE",
      "CREATING_VOLUMES",
      "STARTING_CONTAINERS",
      "RUNNING",
    ]);
  }, 180_000);
});
