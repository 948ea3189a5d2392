// The core's fixed-window limiter: exact window states, the refusal, and a
// new window after the old one ends.
import { afterEach, describe, expect, it, vi } from "vitest";
import { WindowLimiter } from "../../src/core/rate-limit.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("WindowLimiter", () => {
  it("reports the window after each allowed use and refuses the one over the limit", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const limiter = new WindowLimiter(2, "requests");
    expect(limiter.take("k")).toEqual({
      limit: 2,
      remaining: 1,
      resetSeconds: 60,
      windowSeconds: 60,
    });
    vi.advanceTimersByTime(20_500);
    expect(limiter.take("k")).toEqual({
      limit: 2,
      remaining: 0,
      resetSeconds: 40,
      windowSeconds: 60,
    });
    expect(() => limiter.take("k")).toThrow(
      expect.objectContaining({
        code: "RATE_LIMITED",
        message: "at most 2 requests a minute; retry in 40 seconds",
        details: { limit: 2, retryAfterSeconds: 40 },
      }),
    );
    // Another key has a window of its own.
    expect(limiter.take("other").remaining).toBe(1);
  });

  it("starts a new window once the old one has ended", () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = new WindowLimiter(1, "requests", 10_000);
    limiter.take("k");
    expect(() => limiter.take("k")).toThrow();
    vi.advanceTimersByTime(10_000);
    expect(limiter.take("k")).toMatchObject({ remaining: 0, resetSeconds: 10, windowSeconds: 10 });
  });
});
