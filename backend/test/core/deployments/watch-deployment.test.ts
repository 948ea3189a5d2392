// The watcher's pure parts: how often it looks, and the health it records.
import { describe, expect, it } from "vitest";
import { healthOf, pollMs } from "../../../src/core/deployments/watch-deployment.js";

describe("pollMs", () => {
  it("looks every 50 ms for 2 s, every 100 ms until 5 s, then every 500 ms", () => {
    expect([0, 1_999, 2_000, 4_999, 5_000, 60_000].map(pollMs)).toEqual([
      50, 50, 100, 100, 500, 500,
    ]);
  });
});

describe("healthOf", () => {
  it("is null without a health check, and follows Swarm's task state with one", () => {
    expect(healthOf("running", false)).toBeNull();
    expect(healthOf("running", true)).toBe("healthy");
    expect(healthOf("starting", true)).toBe("starting");
    expect(healthOf("failed", true)).toBeNull();
  });
});
