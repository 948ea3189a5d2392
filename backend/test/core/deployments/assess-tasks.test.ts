import { describe, expect, it } from "vitest";
import { assessTasks, type TaskSnapshot } from "../../../src/core/deployments/assess-tasks.js";

const task = (over: Partial<TaskSnapshot>): TaskSnapshot => ({
  id: "t",
  nodeId: "n",
  slot: 1,
  state: "running",
  desiredState: "running",
  error: null,
  exitCode: null,
  deploymentId: "d1",
  containerId: "c",
  timestamp: "2026-01-01T00:00:00Z",
  ...over,
});
const opts = { deploymentId: "d1", replicas: 2, maxFailures: 3, hasHealthcheck: false };

describe("assessTasks", () => {
  it("is ready when every replica of this deployment runs", () => {
    expect(
      assessTasks(
        [task({ id: "a" }), task({ id: "b" }), task({ id: "old", deploymentId: "d0" })],
        opts,
      ),
    ).toEqual({
      kind: "ready",
      running: 2,
    });
  });

  it("waits while tasks start, saying where they are", () => {
    expect(assessTasks([task({ id: "a" }), task({ id: "b", state: "starting" })], opts)).toEqual({
      kind: "waiting",
      running: 1,
      summary: "1/2 running (tasks: running, starting)",
    });
  });

  it("fails a crash loop with the last exit code", () => {
    const ended = [1, 2, 3].map((i) =>
      task({
        id: `x${i}`,
        state: "failed",
        exitCode: i,
        timestamp: `2026-01-01T00:00:0${i}Z`,
        error: "task: non-zero exit",
      }),
    );
    expect(assessTasks(ended, opts)).toMatchObject({
      kind: "failed",
      reason: "crash loop: the container exited with code 3 (task: non-zero exit), 3 times",
    });
    expect(assessTasks(ended.slice(0, 2), opts).kind).toBe("waiting");
  });

  it("fails at once when Swarm rejects a task or a task stops with code 0", () => {
    expect(
      assessTasks([task({ state: "rejected", error: "No such image: x" })], opts),
    ).toMatchObject({
      kind: "failed",
      reason: "Swarm could not start the container: No such image: x",
    });
    expect(
      assessTasks([task({ state: "complete", exitCode: 0 })], { ...opts, hasHealthcheck: true }),
    ).toMatchObject({
      kind: "failed",
      reason:
        "the container stopped: its health check never passed (Swarm stopped the container); a service must keep running",
    });
  });

  it("fails when Swarm rolled an update back", () => {
    expect(
      assessTasks([], {
        ...opts,
        update: { State: "rollback_completed", Message: "update rolled back due to failure" },
      }),
    ).toEqual({
      kind: "failed",
      reason:
        "the update failed and Swarm rolled back to the previous version: update rolled back due to failure",
    });
  });
});
