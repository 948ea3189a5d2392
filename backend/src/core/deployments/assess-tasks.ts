// Whether a deployment's tasks say it is running, still on its way, or
// failed, from one look at Swarm's tasks (pure; the watcher looks again
// every second and asks for the answer to hold through a watch window).
// Swarm keeps a task with a health check in "starting" until it is healthy,
// so "running" already means healthy where there is a check.

export interface TaskSnapshot {
  id: string;
  nodeId: string | null;
  slot: number | null;
  state: string;
  desiredState: string | null;
  error: string | null;
  exitCode: number | null;
  deploymentId: string | null;
  containerId: string | null;
  timestamp: string | null;
}

/** The parts of a task (GET /tasks) that Berth reads. */
export interface RawTask {
  ID?: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  Status?: {
    State?: string;
    Err?: string;
    Timestamp?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } };
}

export function snapshot(task: RawTask): TaskSnapshot {
  const status = task.Status;
  return {
    id: task.ID ?? "",
    nodeId: task.NodeID ?? null,
    slot: task.Slot ?? null,
    state: status?.State ?? "unknown",
    desiredState: task.DesiredState ?? null,
    error: status?.Err || null,
    exitCode: status?.ContainerStatus?.ExitCode ?? null,
    deploymentId: task.Spec?.ContainerSpec?.Labels?.["berth.deployment"] ?? null,
    containerId: status?.ContainerStatus?.ContainerID || null,
    timestamp: status?.Timestamp ?? null,
  };
}

export type Assessment =
  | { kind: "ready"; running: number }
  | { kind: "waiting"; running: number; summary: string }
  | { kind: "failed"; reason: string; task?: TaskSnapshot };

export interface AssessOptions {
  deploymentId: string;
  replicas: number;
  /** Ended tasks that make a crash loop (the restart policy's budget). */
  maxFailures: number;
  hasHealthcheck: boolean;
  /** Service.UpdateStatus, when the deployment is an update. */
  update?: { State?: string; Message?: string };
}

const ROLLED_BACK = ["rollback_started", "rollback_completed", "rollback_paused", "paused"];
const ENDED = ["failed", "complete", "shutdown", "orphaned", "remove"];

/** Why one ended task ended, in words. */
export function taskEnding(task: TaskSnapshot, hasHealthcheck: boolean): string {
  const code = task.exitCode ?? "unknown";
  if (task.error && /unhealthy/i.test(task.error)) return "its health check kept failing";
  if (hasHealthcheck && task.exitCode === 0) {
    return "its health check never passed (Swarm stopped the container)";
  }
  return `the container exited with code ${code}${task.error ? ` (${task.error})` : ""}`;
}

export function assessTasks(tasks: TaskSnapshot[], options: AssessOptions): Assessment {
  const state = options.update?.State;
  if (state && ROLLED_BACK.includes(state)) {
    const why = options.update?.Message ? `: ${options.update.Message}` : "";
    return {
      kind: "failed",
      reason: `the update failed and Swarm rolled back to the previous version${why}`,
    };
  }
  const mine = tasks.filter((t) => t.deploymentId === options.deploymentId);
  const rejected = mine.find((t) => t.state === "rejected");
  if (rejected) {
    return {
      kind: "failed",
      reason: `Swarm could not start the container: ${rejected.error ?? "rejected"}`,
      task: rejected,
    };
  }
  // A task that ended with code 0 is not restarted (restart on failure only):
  // the service would sit at fewer replicas for good, so say so now.
  const completed = mine.find((t) => t.state === "complete" && t.desiredState !== "remove");
  if (completed) {
    return {
      kind: "failed",
      reason: `the container stopped: ${taskEnding(completed, options.hasHealthcheck)}; a service must keep running`,
      task: completed,
    };
  }
  // A task that ended while its service still wants it is a failure, whatever the exit code.
  const ended = mine
    .filter((t) => ENDED.includes(t.state) && t.desiredState !== "remove")
    .sort((a, b) => (b.timestamp ?? "").localeCompare(a.timestamp ?? ""));
  if (ended.length >= options.maxFailures) {
    const last = ended[0]!;
    return {
      kind: "failed",
      reason: `crash loop: ${taskEnding(last, options.hasHealthcheck)}, ${ended.length} times`,
      task: last,
    };
  }
  const running = mine.filter((t) => t.state === "running" && t.desiredState === "running").length;
  if (running >= options.replicas) return { kind: "ready", running };
  const states = mine
    .filter((t) => t.desiredState === "running")
    .map((t) => t.state)
    .sort()
    .join(", ");
  return {
    kind: "waiting",
    running,
    summary: `${running}/${options.replicas} running${states ? ` (tasks: ${states})` : ""}`,
  };
}
