// Notifications: deployment and certificate events on ctx.events reach the
// owner's Telegram chat; /notify off silences them; a message Telegram
// refuses is logged and never reaches the emitter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BerthEvents } from "../../src/core/events.js";
import { plainText } from "../helpers/fake-telegram.js";
import { register, say, startBotBerth, type BotBerth } from "./harness.js";

let b: BotBerth;

beforeAll(async () => {
  b = await startBotBerth();
});
afterAll(() => b.close());

function finished(
  ownerId: string,
  extra: Partial<BerthEvents["deployment.finished"]> = {},
): BerthEvents["deployment.finished"] {
  return {
    deploymentId: "0190f5c2-aaaa-7bbb-8ccc-123456789abc",
    jobId: "job_abc123",
    environmentId: "0190f5c2-bbbb-7bbb-8ccc-123456789abc",
    environmentName: "staging",
    serviceName: "web",
    ownerId,
    status: "RUNNING",
    errorMessage: null,
    ...extra,
  };
}

/** Emits, waits for the deliveries, and returns what reached `chatId`. */
async function emitted<K extends keyof BerthEvents>(
  name: K,
  event: BerthEvents[K],
  chatId: number,
) {
  const after = b.telegram.lastSeq;
  expect(() => b.ctx.events.emit(name, event)).not.toThrow();
  await b.berth.telegram!.notifier.settle();
  return b.telegram.messagesTo(chatId, after).map(plainText);
}

describe("deployment notifications", () => {
  it("tells the owner a deployment is running", async () => {
    const { user, row } = await register(b, "Ada");
    const texts = await emitted("deployment.finished", finished(row.id), user.id);
    expect(texts).toEqual(["✅ web in staging is running.\n/status job_abc123"]);
  });

  it("tells the owner a deployment failed, with the reason (escaped)", async () => {
    const { user, row } = await register(b, "Grace");
    const event = finished(row.id, {
      status: "FAILED",
      errorMessage: "image <none> not found & pull failed",
    });
    const texts = await emitted("deployment.finished", event, user.id);
    expect(texts).toEqual([
      "❌ web in staging failed: image <none> not found & pull failed\n/status job_abc123",
    ]);
    const sent = b.telegram.callsTo("sendMessage").at(-1)!;
    expect(sent.params.parse_mode).toBe("HTML");
    expect(sent.error).toBeUndefined();
  });

  it("sends nothing to a user who turned notifications off, until they turn them on", async () => {
    const { user, row } = await register(b, "Quiet");
    await say(b, user, "/notify off");
    expect(await emitted("deployment.finished", finished(row.id), user.id)).toEqual([]);
    await say(b, user, "/notify on");
    expect(await emitted("deployment.finished", finished(row.id), user.id)).toHaveLength(1);
  });

  it("sends nothing for a user without Telegram or an unknown user", async () => {
    const admin = await b.ctx.db.user.create({ data: { name: "ops", role: "ADMIN" } });
    const before = b.telegram.callsTo("sendMessage").length;
    b.ctx.events.emit("deployment.finished", finished(admin.id));
    b.ctx.events.emit("deployment.finished", finished("0190f5c2-cccc-7bbb-8ccc-123456789abc"));
    await b.berth.telegram!.notifier.settle();
    expect(b.telegram.callsTo("sendMessage").length).toBe(before);
  });

  it("logs a message Telegram refuses; the emitter never sees it", async () => {
    const { user, row } = await register(b, "Blocked");
    b.telegram.fail("sendMessage", {
      error_code: 403,
      description: "Forbidden: bot was blocked by the user",
      chatId: user.id,
    });
    try {
      const after = b.telegram.lastSeq;
      expect(() => b.ctx.events.emit("deployment.finished", finished(row.id))).not.toThrow();
      await b.berth.telegram!.notifier.settle();
      const attempt = b.telegram.calls.find(
        (c) => c.seq > after && c.method === "sendMessage" && c.params.chat_id === user.id,
      );
      expect(attempt?.error).toContain("blocked");
      const line = b.logs.lines.find((l) => l.includes("notification not delivered"));
      expect(line).toContain("bot was blocked by the user");
      expect(line).not.toContain("job_abc123"); // the payload is not logged
      expect(b.logs.text).not.toContain(b.telegram.token);
    } finally {
      b.telegram.heal("sendMessage");
    }
    // The next one is delivered.
    expect(await emitted("deployment.finished", finished(row.id), user.id)).toHaveLength(1);
  });
});

describe("certificate notifications", () => {
  const cert = (ownerId: string, extra: Partial<BerthEvents["certificate.changed"]> = {}) => ({
    environmentId: "0190f5c2-bbbb-7bbb-8ccc-123456789abc",
    environmentName: "prod",
    ownerId,
    domain: "app.example.org",
    status: "ACTIVE" as const,
    error: null,
    ...extra,
  });

  it("tells the owner a certificate was issued, or why it failed", async () => {
    const { user, row } = await register(b, "Hedy");
    expect(await emitted("certificate.changed", cert(row.id), user.id)).toEqual([
      "🔒 Certificate issued for app.example.org (environment prod): https://app.example.org is live.",
    ]);
    const failed = cert(row.id, { status: "CERT_FAILED", error: "DNS problem: NXDOMAIN <x>" });
    expect(await emitted("certificate.changed", failed, user.id)).toEqual([
      "⚠️ The certificate for app.example.org (environment prod) failed: DNS problem: NXDOMAIN <x>",
    ]);
  });
});
