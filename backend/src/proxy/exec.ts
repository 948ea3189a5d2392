// The one place that sends commands to the proxy container: `docker exec`
// with an argv array (never a shell string) and Docker's "put archive" to
// write a file. Everything else in proxy/ builds what to send as data.
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type Docker from "dockerode";
import { AppError } from "../core/errors.js";
import { DockerEngine, dockerError } from "../orchestrator/docker.js";
import { tarOneFile } from "./tar.js";

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What proxy/nginx.ts needs from the proxy container. */
export interface ProxyContainer {
  readonly name: string;
  run(argv: readonly string[]): Promise<ExecResult>;
  /** Writes `content` as `dir/fileName` (not atomically: callers rename). */
  put(dir: string, fileName: string, content: string): Promise<void>;
}

const MAX_OUTPUT = 64 * 1024;

/** Keeps the last MAX_OUTPUT bytes written to it. */
class Tail extends Writable {
  private chunks: Buffer[] = [];
  private size = 0;
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > MAX_OUTPUT && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

function unavailable(name: string, error: unknown): AppError {
  const e = dockerError(error);
  if (e.code === "NOT_FOUND" || e.code === "CONFLICT") {
    return new AppError("UNAVAILABLE", `the proxy container ${name} is not running`, {
      reason: e.message,
    });
  }
  return e;
}

async function execIn(docker: Docker, name: string, argv: readonly string[]) {
  const exec = await docker
    .getContainer(name)
    .exec({ Cmd: [...argv], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new Tail();
  const stderr = new Tail();
  docker.modem.demuxStream(stream, stdout, stderr);
  await finished(stream, { writable: false });
  // The exit code is recorded just after the output ends.
  let info = await exec.inspect();
  for (let i = 0; info.Running && i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    info = await exec.inspect();
  }
  return { exitCode: info.ExitCode ?? -1, stdout: stdout.text(), stderr: stderr.text() };
}

export function proxyContainer(client: Docker | DockerEngine, name: string): ProxyContainer {
  const ready = async (): Promise<Docker> => {
    if (client instanceof DockerEngine) {
      await client.version();
      return client.docker;
    }
    return client;
  };
  return {
    name,
    async run(argv) {
      const docker = await ready();
      return execIn(docker, name, argv).catch((error: unknown) => {
        throw unavailable(name, error);
      });
    },
    async put(dir, fileName, content) {
      const docker = await ready();
      const archive = tarOneFile({ name: fileName, content });
      await docker
        .getContainer(name)
        .putArchive(archive, { path: dir })
        .catch((error: unknown) => {
          throw unavailable(name, error);
        });
    },
  };
}
