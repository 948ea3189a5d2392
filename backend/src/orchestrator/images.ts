// Pulling images through the daemon: progress as it comes, failures as a
// reason a person can act on, and the digest that pins what was pulled.
import type Docker from "dockerode";
import { AppError } from "../core/errors.js";
import { dockerError, type DockerEngine } from "./docker.js";

export interface PullProgress {
  status: string;
  id?: string;
  progress?: string;
}

/** Turns the daemon's pull error into what went wrong, in words. */
export function pullFailure(reference: string, message: string): AppError {
  const m = message.toLowerCase();
  const because = (text: string) =>
    new AppError("INVALID_INPUT", `cannot pull ${reference}: ${text}`, { reason: message });
  if (/manifest unknown|manifest for .* not found|not found: manifest/.test(m)) {
    return because("no such tag (manifest unknown)");
  }
  if (
    /repository .* not found|name unknown|does not exist|pull access denied/.test(m) &&
    !/unauthorized/.test(m)
  ) {
    return because("no such image (repository not found or private)");
  }
  if (/unauthorized|authentication required|denied|forbidden/.test(m)) {
    return because("not authorized; check registryAuth");
  }
  if (/no matching manifest|platform/.test(m)) {
    return because("the image has no build for this node's platform");
  }
  if (
    /connection refused|no such host|i\/o timeout|dial tcp|tls|server gave http response/.test(m)
  ) {
    return because("the registry cannot be reached");
  }
  return because(message);
}

/** Pulls `reference`, reporting progress; resolves once the image is local. */
export async function pullImage(
  engine: DockerEngine,
  reference: string,
  auth: Docker.AuthConfig | undefined,
  onProgress: (p: PullProgress) => void,
): Promise<void> {
  await engine.version();
  let stream: NodeJS.ReadableStream;
  try {
    stream = await engine.docker.pull(reference, auth ? { authconfig: auth } : {});
  } catch (error) {
    const e = error as { json?: { message?: string }; message?: string; statusCode?: number };
    if (e.statusCode === undefined) throw dockerError(error);
    throw pullFailure(reference, e.json?.message ?? e.message ?? String(error));
  }
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(
      stream,
      (error: Error | null, events: { error?: string }[]) => {
        const failed = error?.message ?? events.find((e) => e.error)?.error;
        if (failed) reject(pullFailure(reference, failed));
        else resolve();
      },
      (event: PullProgress & { error?: string }) => {
        if (!event.error) onProgress(event);
      },
    );
  });
}

/** The repository digest of a local image, for `repository` (Docker Hub's
 * digests omit "docker.io/", so the match is on the name's end), if known. */
export async function imageDigest(engine: DockerEngine, reference: string, repository: string) {
  try {
    const info = await engine.docker.getImage(reference).inspect();
    const match = (info.RepoDigests ?? []).find((d) => d.split("@")[0]!.endsWith(repository));
    return match ? match.slice(match.indexOf("@") + 1) : null;
  } catch (error) {
    throw dockerError(error);
  }
}
