// Work that outlives the request that started it (an environment's
// teardown, a deployment job). One run per key at a time; shutdown waits.
import type { Logger } from "../log.js";

export class BackgroundTasks {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Starts `work` under `key` unless a run with that key is in progress. */
  run(key: string, work: () => Promise<void>): Promise<void> {
    const current = this.running.get(key);
    if (current) return current;
    const task = work()
      .catch((error: unknown) =>
        this.log.error({ err: error, task: key }, "background task failed"),
      )
      .finally(() => this.running.delete(key));
    this.running.set(key, task);
    return task;
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  /** Waits for every task in progress (at shutdown). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }
}
