// Long-running tools (wait_for_deployment) wait in bounded slices: they poll
// the core, tell the client how it goes through notifications/progress when
// the request asked for them (a progress token), stop as soon as the request
// is cancelled, and hand back "still running" at the deadline so the agent
// calls again instead of holding one request open for minutes.
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The longest one waiting tool call may take; clients time out around 60 s. */
export const MAX_WAIT_MS = 45_000;

export interface Progress {
  /** Sends notifications/progress when the client asked; never throws. */
  report(message: string, total?: number): Promise<void>;
}

export function progressReporter(extra: Pick<ToolExtra, "_meta" | "sendNotification">): Progress {
  const token = extra._meta?.progressToken;
  let step = 0;
  return {
    async report(message, total) {
      if (token === undefined) return;
      step += 1; // progress must increase with every notification
      await extra
        .sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress: step, total, message },
        })
        // A client that went away must not fail the work it started.
        .catch(() => undefined);
    },
  };
}

/** Resolves after `ms`, or early (with false) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export interface Observation<T> {
  /** True when the awaited state is reached (or can no longer be). */
  done: boolean;
  value: T;
  /** One line for the progress notification ("2/3 tasks running"). */
  message: string;
}

export interface WaitOptions<T> {
  observe: () => Promise<Observation<T>>;
  signal: AbortSignal;
  progress: Progress;
  maxWaitMs?: number;
  intervalMs?: number;
}

export type WaitOutcome<T> =
  | { outcome: "done"; value: T }
  | { outcome: "still_running"; value: T }
  | { outcome: "cancelled"; value: T | null };

/** Progress goes out at least this often, so clients that extend their
 * timeout on progress keep waiting while nothing changes. */
const HEARTBEAT_MS = 10_000;

/**
 * Observes until done, the deadline (at most MAX_WAIT_MS) or cancellation.
 * A progress notification goes out whenever the message changes.
 */
export async function waitWithProgress<T>(options: WaitOptions<T>): Promise<WaitOutcome<T>> {
  const { signal, progress, intervalMs = 1000 } = options;
  const deadline = Date.now() + Math.min(options.maxWaitMs ?? MAX_WAIT_MS, MAX_WAIT_MS);
  let last: Observation<T> | null = null;
  let reportedAt = 0;
  for (;;) {
    if (signal.aborted) return { outcome: "cancelled", value: last?.value ?? null };
    const seen = await options.observe();
    if (seen.message !== last?.message || Date.now() - reportedAt >= HEARTBEAT_MS) {
      await progress.report(seen.message);
      reportedAt = Date.now();
    }
    last = seen;
    if (seen.done) return { outcome: "done", value: seen.value };
    const left = deadline - Date.now();
    if (left <= 0) return { outcome: "still_running", value: seen.value };
    if (!(await sleep(Math.min(intervalMs, left), signal))) {
      return { outcome: "cancelled", value: seen.value };
    }
  }
}
