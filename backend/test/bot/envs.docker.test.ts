// /envs: the user's environments with their deployments' state (through
// the core's listEnvironments and getEnvironment, which asks Docker).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { say, startBotBerth, telegramUser, type BotBerth } from "./harness.js";

let b: BotBerth;

beforeAll(async () => {
  b = await startBotBerth();
});
afterAll(() => b.close());

async function environment(ownerId: string, name: string, extra: Record<string, unknown> = {}) {
  const slug = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  return b.ctx.db.environment.create({
    data: { name, slug, networkName: `berth-${slug}`, ownerId, ...extra },
  });
}

let jobs = 0;
function deployment(environmentId: string, serviceName: string, status: string, tag = "v1") {
  return b.ctx.db.deployment.create({
    data: {
      jobId: `job_envs_${++jobs}`,
      serviceName,
      image: "127.0.0.1:5000/berth-test/app",
      tag,
      replicas: 1,
      status: status as "RUNNING",
      environmentId,
    },
  });
}

describe("/envs", () => {
  it("lists the user's environments with their deployments and public state", async () => {
    const user = telegramUser("Envy");
    await say(b, user, "/start");
    const me = await b.ctx.db.user.findUniqueOrThrow({ where: { telegramId: BigInt(user.id) } });
    const other = await b.ctx.db.user.create({ data: { name: "someone else" } });

    const staging = await environment(me.id, "staging", {
      status: "ACTIVE",
      publicDomain: "app.example.org",
      publicStatus: "CERT_FAILED",
      certError: "rate <limited> & retry later",
    });
    await deployment(staging.id, "web", "SUPERSEDED", "v0");
    await deployment(staging.id, "web", "RUNNING", "v1");
    await deployment(staging.id, "worker", "FAILED");
    await environment(me.id, "scratch");
    await environment(other.id, "secret-project", { status: "ACTIVE" });

    const reply = await say(b, user, "/envs");
    expect(reply.text).toContain("Your environments:");
    expect(reply.text).toContain("staging · ACTIVE");
    expect(reply.text).toContain(
      "🌐 https://app.example.org · certificate CERT_FAILED: rate <limited> & retry later",
    );
    expect(reply.text).toContain("• web 127.0.0.1:5000/berth-test/app:v1: RUNNING");
    expect(reply.text).toContain("• worker 127.0.0.1:5000/berth-test/app:v1: FAILED");
    expect(reply.text).not.toContain(":v0");
    expect(reply.text).toContain("scratch · CREATING\n  no deployments");
    expect(reply.text).not.toContain("secret-project");
  });
});
