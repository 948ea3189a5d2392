// The progress helper on its own: notifications only with a token, never
// failing the work, and the three ways a bounded wait ends.
import { describe, expect, it } from "vitest";
import {
  progressReporter,
  sleep,
  waitWithProgress,
  type Progress,
} from "../../src/mcp/progress.js";

function recorder(token?: string | number) {
  const sent: unknown[] = [];
  const reporter = progressReporter({
    _meta: token === undefined ? undefined : { progressToken: token },
    sendNotification: (notification) => {
      sent.push(notification);
      return Promise.resolve();
    },
  });
  return { sent, reporter };
}

const silent: Progress = { report: () => Promise.resolve() };

describe("progressReporter", () => {
  it("sends nothing when the request carries no progress token", async () => {
    const { sent, reporter } = recorder();
    await reporter.report("starting");
    expect(sent).toEqual([]);
  });

  it("sends increasing progress with the request's token", async () => {
    const { sent, reporter } = recorder("tok");
    await reporter.report("pulling image");
    await reporter.report("starting", 3);
    expect(sent).toEqual([
      {
        method: "notifications/progress",
        params: { progressToken: "tok", progress: 1, total: undefined, message: "pulling image" },
      },
      {
        method: "notifications/progress",
        params: { progressToken: "tok", progress: 2, total: 3, message: "starting" },
      },
    ]);
  });

  it("never fails the work when a notification cannot be sent", async () => {
    const reporter = progressReporter({
      _meta: { progressToken: 1 },
      sendNotification: () => Promise.reject(new Error("client gone")),
    });
    await expect(reporter.report("x")).resolves.toBeUndefined();
  });
});

describe("sleep", () => {
  it("resolves false at once when the signal is or becomes aborted", async () => {
    expect(await sleep(60_000, AbortSignal.abort())).toBe(false);
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    expect(await pending).toBe(false);
    expect(await sleep(1, new AbortController().signal)).toBe(true);
  });
});

describe("waitWithProgress", () => {
  it("ends done when the observation says so, reporting each new message", async () => {
    const { sent, reporter } = recorder("t");
    let n = 0;
    const outcome = await waitWithProgress({
      signal: new AbortController().signal,
      progress: reporter,
      intervalMs: 1,
      observe: () => {
        n += 1;
        return Promise.resolve({ done: n === 4, value: n, message: n < 3 ? "pulling" : "running" });
      },
    });
    expect(outcome).toEqual({ outcome: "done", value: 4 });
    expect(sent.map((s) => (s as { params: { message: string } }).params.message)).toEqual([
      "pulling",
      "running",
    ]);
  });

  it("ends still_running at its deadline, never later than 45 s", async () => {
    const outcome = await waitWithProgress({
      signal: new AbortController().signal,
      progress: silent,
      intervalMs: 5,
      maxWaitMs: 30,
      observe: () => Promise.resolve({ done: false, value: "pending", message: "pending" }),
    });
    expect(outcome).toEqual({ outcome: "still_running", value: "pending" });
  });

  it("ends cancelled as soon as the request is aborted", async () => {
    const controller = new AbortController();
    const outcome = await waitWithProgress({
      signal: controller.signal,
      progress: silent,
      intervalMs: 60_000,
      observe: () => {
        queueMicrotask(() => controller.abort());
        return Promise.resolve({ done: false, value: 1, message: "m" });
      },
    });
    expect(outcome).toEqual({ outcome: "cancelled", value: 1 });
    const before = await waitWithProgress({
      signal: AbortSignal.abort(),
      progress: silent,
      observe: () => Promise.reject(new Error("not called")),
    });
    expect(before).toEqual({ outcome: "cancelled", value: null });
  });
});
