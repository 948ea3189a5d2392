// Docker's event stream for one container, by name (so a recreated container
// is followed too): calls `onStart` whenever it starts, and once each time
// the stream (re)connects, since events that happened while the daemon was
// away are lost. A broken stream is reopened after a growing pause.
import type { Readable } from "node:stream";
import type { DockerEngine } from "../orchestrator/docker.js";

export interface ContainerWatch {
  stop(): void;
}

export interface WatchHandlers {
  onStart(): void;
  onError(error: unknown): void;
}

const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 30_000;

/** Each complete JSON line in `buffer`, and what is left of an incomplete one. */
export function splitEvents(buffer: string): { events: { Action?: string }[]; rest: string } {
  const lines = buffer.split("\n");
  const rest = lines.pop() ?? "";
  const events = lines.flatMap((line) => {
    try {
      return line.trim() === "" ? [] : [JSON.parse(line) as { Action?: string }];
    } catch {
      return [];
    }
  });
  return { events, rest };
}

export function watchContainerStarts(
  engine: DockerEngine,
  name: string,
  handlers: WatchHandlers,
): ContainerWatch {
  const abort = new AbortController();
  let pause = FIRST_PAUSE_MS;
  let timer: NodeJS.Timeout | undefined;

  const reopen = (error?: unknown) => {
    if (abort.signal.aborted || timer) return;
    if (error) handlers.onError(error);
    timer = setTimeout(() => {
      timer = undefined;
      void open();
    }, pause);
    timer.unref();
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  };

  const open = async () => {
    try {
      await engine.version();
      const stream = (await engine.docker.getEvents({
        filters: { type: ["container"], container: [name], event: ["start"] },
        abortSignal: abort.signal,
      })) as Readable;
      pause = FIRST_PAUSE_MS;
      let buffer = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const { events, rest } = splitEvents(buffer + chunk);
        buffer = rest;
        if (events.some((e) => e.Action === "start")) handlers.onStart();
      });
      stream.on("error", (error) => reopen(error));
      stream.on("close", () => reopen());
      handlers.onStart();
    } catch (error) {
      reopen(error);
    }
  };

  void open();
  return {
    stop() {
      abort.abort();
      clearTimeout(timer);
    },
  };
}
