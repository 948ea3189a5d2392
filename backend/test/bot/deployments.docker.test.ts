// The bot over real deployments: the owner is told when a deployment runs
// or fails (with the reason), and /status and /logs show the real thing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorForUser } from "../../src/core/auth/scopes.js";
import { createDeployment } from "../../src/core/deployments/create-deployment.js";
import { createEnvironment } from "../../src/core/environments/create-environment.js";
import { plainText } from "../helpers/fake-telegram.js";
import { APP } from "../helpers/deploy.js";
import { register, say, startBotBerth, type BotBerth } from "./harness.js";

let b: BotBerth;
beforeAll(async () => {
  b = await startBotBerth({ DEPLOY_WATCH_WINDOW: "1s" });
});
afterAll(() => b.close());

describe("deployments through the bot", () => {
  it("notifies the owner, and answers /status and /logs", async () => {
    const { user, row } = await register(b, "Ops");
    const actor = actorForUser(row);
    const env = await createEnvironment(b.ctx, { actor, input: { name: "botenv" } });
    const after = b.telegram.lastSeq;
    const { deployment } = await createDeployment(b.ctx, {
      actor,
      input: {
        environmentId: env.id,
        image: APP,
        tag: "v1",
        name: "web",
        envVars: { PORT: "8080" },
      },
    });
    const running = await b.telegram.waitForCall(
      (c) =>
        c.method === "sendMessage" &&
        Number(c.params.chat_id) === user.id &&
        /running/i.test(plainText(c)),
      after,
      120_000,
    );
    expect(plainText(running)).toContain("web in botenv");

    const status = await say(b, user, `/status ${deployment.jobId}`);
    expect(status.text).toContain("web in botenv: RUNNING (1/1 tasks running)");
    const logs = await say(b, user, `/logs ${deployment.id}`);
    expect(logs.text).toContain("listening on 8080 version v1");

    const crash = await createDeployment(b.ctx, {
      actor,
      input: {
        environmentId: env.id,
        image: APP,
        tag: "v1",
        name: "crashy",
        envVars: { MODE: "crash", EXIT_CODE: "7" },
      },
    });
    const failed = await b.telegram.waitForCall(
      (c) =>
        c.method === "sendMessage" &&
        Number(c.params.chat_id) === user.id &&
        /failed/i.test(plainText(c)),
      b.telegram.lastSeq,
      120_000,
    );
    expect(plainText(failed)).toContain("exited with code 7");
    expect((await say(b, user, `/status ${crash.deployment.id}`)).text).toContain("FAILED");
  }, 240_000);
});
