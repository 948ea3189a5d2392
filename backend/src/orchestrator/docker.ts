// One dockerode client, speaking the daemon's own API version: the daemon
// silently drops spec fields newer than the version a client asks for, so
// Berth detects the version and decides per field what it can ask for.
import Docker from "dockerode";
import { AppError } from "../core/errors.js";

export interface DockerStatus {
  ok: boolean;
  error?: string;
  version?: string;
  apiVersion?: string;
  swarm?: { state: string; nodeId: string; manager: boolean };
}

/** dockerode options from a DOCKER_HOST value (unix:// or tcp://). */
export function dockerOptions(dockerHost?: string): Docker.DockerOptions {
  if (!dockerHost) return { socketPath: "/var/run/docker.sock" };
  const url = new URL(dockerHost);
  if (url.protocol === "unix:") return { socketPath: url.pathname };
  if (url.protocol === "tcp:" || url.protocol === "http:") {
    return { host: url.hostname, port: Number(url.port || 2375), protocol: "http" };
  }
  throw new AppError(
    "INVALID_INPUT",
    `DOCKER_HOST ${dockerHost}: only unix:// and tcp:// are supported`,
  );
}

interface ModemWithVersion {
  version?: string;
}

export class DockerEngine {
  readonly docker: Docker;
  private apiVersion?: string;

  constructor(options: Docker.DockerOptions = {}) {
    this.docker = new Docker(options);
  }

  /** The daemon's API version, detected once it answers. */
  async version(): Promise<string> {
    if (this.apiVersion) return this.apiVersion;
    const info = await this.docker.version().catch((error: unknown) => {
      throw dockerError(error);
    });
    (this.docker.modem as ModemWithVersion).version = `v${info.ApiVersion}`;
    this.apiVersion = info.ApiVersion;
    return info.ApiVersion;
  }

  /** Whether the daemon's API is at least `wanted` (e.g. "1.44"). */
  async supports(wanted: string): Promise<boolean> {
    return compareApiVersions(await this.version(), wanted) >= 0;
  }

  /** Daemon and Swarm state for /health; never throws. */
  async status(timeoutMs = 3000): Promise<DockerStatus> {
    try {
      const info = await withTimeout(this.docker.info() as Promise<DockerInfo>, timeoutMs);
      const apiVersion = await this.version();
      return {
        ok: true,
        version: info.ServerVersion,
        apiVersion,
        swarm: {
          state: info.Swarm?.LocalNodeState ?? "unknown",
          nodeId: info.Swarm?.NodeID ?? "",
          manager: info.Swarm?.ControlAvailable === true,
        },
      };
    } catch (error) {
      return { ok: false, error: dockerError(error).message };
    }
  }
}

interface DockerInfo {
  ServerVersion: string;
  Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean };
}

export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface DockerodeError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

export function isDockerNotFound(error: unknown): boolean {
  const e = error as DockerodeError;
  if (e?.statusCode === 404) return true;
  // A swarm network being removed can still inspect, then fail with a 500
  // "network ... not found".
  return e?.statusCode === 500 && /^network \S+ not found$/.test(e.json?.message ?? "");
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);

/** A dockerode failure as Berth's error: unreachable daemon → UNAVAILABLE. */
export function dockerError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as DockerodeError;
  if ((e?.code && CONNECTION_CODES.has(e.code)) || /no answer within/.test(e?.message ?? "")) {
    return new AppError("UNAVAILABLE", "the Docker daemon is not reachable; try again shortly", {
      reason: e.code ?? e.message,
    });
  }
  const message = e?.json?.message ?? e?.message ?? String(error);
  if (e?.statusCode === 404) return new AppError("NOT_FOUND", message);
  if (e?.statusCode === 409) return new AppError("CONFLICT", message);
  if (e?.statusCode === 503) return new AppError("UNAVAILABLE", message);
  return new AppError("INTERNAL", `Docker: ${message}`);
}
