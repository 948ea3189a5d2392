// Deployments through the REST door on the real Docker Engine, images from
// the local registry: RUNNING means answering, the spec Swarm keeps carries
// every hardening field, updates, rollback, scale, logs without secrets,
// events in order, idempotency, refusals before any Docker call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { objectName } from "../../src/core/environments/names.js";
import { checkHardening } from "../../src/orchestrator/spec-check.js";
import { inspectService } from "../../src/orchestrator/swarm.js";
import {
  call,
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";
import {
  createEnv,
  deploy,
  getDeployment,
  HEALTHCHECK,
  settled,
  type DeploymentBody,
} from "../helpers/deploy.js";
import { probe } from "../helpers/probe.js";

let t: TestBerth;
let alice: TestUser;
let envId = "";
let slug = "";
let networkName = "";
let web: DeploymentBody;
const SECRET = "hunter2-is-not-a-password";

beforeAll(async () => {
  t = await startTestBerth({ DEPLOY_WATCH_WINDOW: "2s", QUOTA_SERVICES_PER_ENVIRONMENT: "3" });
  alice = await createUserWithKey(t);
  envId = await createEnv(t, alice.key, "shop");
  const env = await t.ctx.db.environment.findUniqueOrThrow({ where: { id: envId } });
  slug = env.slug;
  networkName = env.networkName;
});
afterAll(() => t.close());

const appUrl = (service: string) => `http://${objectName(slug, service)}:8080/`;

describe("a deployment", () => {
  it("answers 202 with a job id and becomes RUNNING only once the app is up", async () => {
    const answer = await deploy(t, alice.key, {
      environmentId: envId,
      name: "web",
      envVars: { PORT: "8080", ECHO_ENV: "API_TOKEN", API_TOKEN: { value: SECRET, secret: true } },
      healthcheck: HEALTHCHECK,
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      jobId: expect.stringMatching(/^job_/),
      deploymentId: expect.any(String),
      status: "PENDING",
    });
    web = await settled(t, alice.key, answer.body.deploymentId);
    expect(web).toMatchObject({
      status: "RUNNING",
      errorMessage: null,
      digest: expect.stringMatching(/^sha256:/),
    });
    expect(web.containers).toEqual([
      expect.objectContaining({ state: "running", health: "healthy" }),
    ]);
    const byJob = await call<{ deployment: DeploymentBody }>(
      `${t.url}/deployments/job/${answer.body.jobId}`,
      { key: alice.key },
    );
    expect(byJob.body.deployment.id).toBe(web.id);
    const reply = await probe(t.ctx.engine, networkName, "probe.js", appUrl("web"), "5000");
    expect(reply.exitCode, reply.output).toBe(0);
    expect(JSON.parse(reply.output)).toMatchObject({ app: "berth-test", version: "v1" });
  });

  it("runs as a Swarm service that carries every hardening field", async () => {
    const service = await inspectService(t.ctx.engine, objectName(slug, "web"));
    const spec = service!.Spec as Record<string, any>;
    const container = spec.TaskTemplate.ContainerSpec;
    expect(container).toMatchObject({
      Image: expect.stringMatching(/^127\.0\.0\.1:5000\/berth-test\/app:v1@sha256:/),
      User: "65534:65534",
      ReadOnly: true,
      Init: true,
      CapabilityDrop: ["ALL"],
      Env: expect.arrayContaining(["API_TOKEN_FILE=/run/secrets/API_TOKEN"]),
      Healthcheck: {
        Test: ["CMD", "/usr/bin/node", "/app/probe.js", "http://127.0.0.1:8080/health"],
      },
    });
    expect(JSON.stringify(container.Env)).not.toContain(SECRET);
    expect(container.Mounts).toEqual([expect.objectContaining({ Type: "tmpfs", Target: "/tmp" })]);
    expect(spec.TaskTemplate.Resources.Limits).toMatchObject({ Pids: 512, NanoCPUs: 500_000_000 });
    expect(spec.TaskTemplate.RestartPolicy).toMatchObject({
      Condition: "on-failure",
      MaxAttempts: 5,
    });
    expect(spec.TaskTemplate.LogDriver).toEqual({
      Name: "json-file",
      Options: { "max-size": "10m", "max-file": "3" },
    });
    expect(spec.UpdateConfig).toMatchObject({
      Order: "start-first",
      Parallelism: 1,
      FailureAction: "rollback",
    });
    expect(spec.EndpointSpec).toMatchObject({ Mode: "dnsrr" });
    expect(spec.Labels).toMatchObject({
      "berth.environment": envId,
      "berth.deployment": web.id,
      "berth.service": "web",
    });
    expect(web.warnings).toEqual([expect.stringMatching(/no-new-privileges/)]);
    // The read-back check Berth runs after every create and update agrees.
    expect(checkHardening(spec as never, service)).toEqual([]);
  });

  it("shows env values masked and never returns a secret", async () => {
    expect(web.envVars).toHaveLength(3);
    expect(web.envVars).toEqual(
      expect.arrayContaining([
        { name: "PORT", secret: false, value: "••••••" },
        { name: "ECHO_ENV", secret: false, value: "••••••" },
        { name: "API_TOKEN", secret: true, value: "••••••" },
      ]),
    );
    const row = await t.ctx.db.deployment.findUniqueOrThrow({ where: { id: web.id } });
    expect(JSON.stringify(row.envVars)).not.toContain(SECRET);
  });

  it("gives the app's logs with secret values redacted", async () => {
    const logs = await call<{ lines: { stream: string; text: string }[]; truncated: boolean }>(
      `${t.url}/deployments/${web.id}/logs?tail=50`,
      { key: alice.key },
    );
    expect(logs.status).toBe(200);
    const text = logs.body.lines.map((l) => l.text).join("\n");
    expect(text).toContain("listening on 8080 version v1");
    expect(text).not.toContain(SECRET);
    expect(logs.body.truncated).toBe(false);
    // The app reads the secret from its file; Berth never logs it either.
    expect(t.logs.text).not.toContain(SECRET);
  });

  it("updates to a new version, keeping the previous one linked", async () => {
    const answer = await deploy(t, alice.key, {
      environmentId: envId,
      name: "web",
      tag: "v2",
      envVars: { PORT: "8080" },
      healthcheck: HEALTHCHECK,
    });
    const v2 = await settled(t, alice.key, answer.body.deploymentId);
    expect(v2).toMatchObject({ status: "RUNNING", kind: "UPDATE", tag: "v2" });
    expect((await getDeployment(t, alice.key, web.id)).status).toBe("SUPERSEDED");
    const reply = await probe(t.ctx.engine, networkName, "probe.js", appUrl("web"), "5000");
    expect(JSON.parse(reply.output)).toMatchObject({ version: "v2" });
  });

  it("scales, as a deployment of its own", async () => {
    const current = await t.ctx.db.deployment.findFirstOrThrow({
      where: { environmentId: envId, serviceName: "web", status: "RUNNING" },
    });
    const answer = await call<{ deploymentId: string }>(
      `${t.url}/deployments/${current.id}/scale`,
      {
        method: "POST",
        key: alice.key,
        body: { replicas: 2 },
      },
    );
    expect(answer.status).toBe(202);
    const scaled = await settled(t, alice.key, answer.body.deploymentId);
    expect(scaled).toMatchObject({ status: "RUNNING", kind: "SCALE", replicas: 2 });
    expect(scaled.containers?.filter((c) => c.state === "running")).toHaveLength(2);
  });

  it("rolls back to the previous version's exact spec", async () => {
    const current = await t.ctx.db.deployment.findFirstOrThrow({
      where: { environmentId: envId, serviceName: "web", status: "RUNNING" },
    });
    const answer = await call<{ deploymentId: string }>(
      `${t.url}/deployments/${current.id}/rollback`,
      { method: "POST", key: alice.key },
    );
    expect(answer.status).toBe(202);
    const back = await settled(t, alice.key, answer.body.deploymentId);
    expect(back).toMatchObject({
      status: "RUNNING",
      kind: "ROLLBACK",
      tag: "v1",
      digest: web.digest,
      replicas: 2,
    });
    const reply = await probe(t.ctx.engine, networkName, "probe.js", appUrl("web"), "5000");
    expect(JSON.parse(reply.output)).toMatchObject({ version: "v1" });
    const service = await inspectService(t.ctx.engine, objectName(slug, "web"));
    expect((service!.Spec as any).TaskTemplate.ContainerSpec.Image).toContain(web.digest);
  });
});
