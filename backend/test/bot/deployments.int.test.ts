// /status and /logs against a stand-in for the deployments core: what the
// bot asks it, and how it shows the answer (formatting, escaping, trimming).
// deployments.docker.test.ts runs the same commands against real deployments.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "../../src/core/errors.js";
import { say, startBotBerth, telegramUser, type BotBerth } from "./harness.js";

const port = vi.hoisted(() => ({
  getDeploymentStatus: vi.fn(),
  getDeploymentLogs: vi.fn(),
}));
vi.mock("../../src/bot/deployments-port.js", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ...port,
}));

const DEPLOYMENT = {
  id: "0190f5c2-aaaa-7bbb-8ccc-123456789abc",
  jobId: "job_abc123",
  environmentName: "staging",
  serviceName: "web",
  image: "127.0.0.1:5000/app",
  tag: "v2",
  replicas: 2,
  status: "FAILED",
  errorMessage: "container exited with code 1: <panic> & more",
  createdAt: new Date("2026-11-23T10:00:00Z"),
  finishedAt: new Date("2026-11-23T10:01:30Z"),
  runningTasks: 0,
  desiredTasks: 2,
};

const user = telegramUser("Dora");
let b: BotBerth;
let userId: string;

beforeAll(async () => {
  b = await startBotBerth();
  await say(b, user, "/start");
  userId = (await b.ctx.db.user.findUniqueOrThrow({ where: { telegramId: BigInt(user.id) } })).id;
});
afterAll(() => b.close());
beforeEach(() => {
  port.getDeploymentStatus.mockReset();
  port.getDeploymentLogs.mockReset();
});

describe("/status", () => {
  it("asks the core as the user and shows the deployment, reason escaped", async () => {
    port.getDeploymentStatus.mockResolvedValue(DEPLOYMENT);
    const reply = await say(b, user, "/status job_abc123");
    const [, options] = port.getDeploymentStatus.mock.calls[0]!;
    expect(options).toMatchObject({ idOrJobId: "job_abc123", actor: { userId, key: null } });
    expect(reply.text).toContain("web in staging: FAILED (0/2 tasks running)");
    expect(reply.text).toContain("image 127.0.0.1:5000/app:v2 · 2 replica(s)");
    expect(reply.text).toContain(`deployment ${DEPLOYMENT.id} · job job_abc123`);
    expect(reply.text).toContain("created 2026-11-23 10:00 UTC · finished 2026-11-23 10:01 UTC");
    expect(reply.text).toContain("reason: container exited with code 1: <panic> & more");
  });

  it("answers an unknown (or someone else's) deployment like the core says", async () => {
    port.getDeploymentStatus.mockRejectedValue(new AppError("NOT_FOUND", "no such deployment"));
    expect((await say(b, user, "/status job_nope")).text).toBe("No such deployment.");
  });
});

describe("/logs", () => {
  it("shows the last lines in a block, escaped and without terminal codes", async () => {
    port.getDeploymentLogs.mockResolvedValue({
      lines: ["\u001b[32mready\u001b[0m on :8080", "<GET /> 200 & done"],
    });
    const reply = await say(b, user, `/logs ${DEPLOYMENT.id}`);
    const [, options] = port.getDeploymentLogs.mock.calls[0]!;
    expect(options).toMatchObject({ id: DEPLOYMENT.id, tail: 100, actor: { userId } });
    expect(reply.text).toBe(
      `Last log lines of ${DEPLOYMENT.id}:\nready on :8080\n<GET /> 200 & done`,
    );
    expect(String(reply.call.params.text)).toContain("<pre>");
  });

  it("trims old lines to fit one message", async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${"<x>".repeat(30)}`);
    port.getDeploymentLogs.mockResolvedValue({ lines });
    const reply = await say(b, user, `/logs ${DEPLOYMENT.id}`);
    expect(reply.text.length).toBeLessThanOrEqual(4096);
    expect(reply.text).toContain(lines.at(-1));
    expect(reply.text).not.toContain("line 0 ");
    expect(reply.text).toContain("older lines trimmed");
  });

  it("says when there are no lines yet", async () => {
    port.getDeploymentLogs.mockResolvedValue({ lines: [] });
    expect((await say(b, user, `/logs ${DEPLOYMENT.id}`)).text).toBe(
      `No log lines yet for ${DEPLOYMENT.id}.`,
    );
  });
});
