// The proxy container: a standalone container (not a Swarm service) so that
// environment networks can be connected to it at run time, publishing 80 and
// 443, with its three volumes, and no Docker socket. The spec is pure data.
import type Docker from "dockerode";
import { AppError } from "../core/errors.js";
import { dockerError, isDockerNotFound, type DockerEngine } from "../orchestrator/docker.js";
import { hasLabels, type Labels } from "../orchestrator/labels.js";
import { BERTH_DIR, LETSENCRYPT_DIR, WEBROOT } from "./paths.js";

export interface ProxyContainerOptions {
  name: string;
  image: string;
  httpPort: number;
  httpsPort: number;
  /** Host address the ports are published on ("0.0.0.0" in production). */
  bindAddress: string;
  /** Named volumes: sites, certificates, ACME webroot. */
  volumes: { sites: string; certificates: string; webroot: string };
  labels: Labels;
  /**
   * The labels that make an existing container of that name this Berth's
   * proxy (default: all of `labels`). One the production stack started
   * carries these too, so Berth adopts it.
   */
  identity?: Labels;
  /** Extra environment, e.g. REQUESTS_CA_BUNDLE for a private ACME CA. */
  env?: Record<string, string>;
  /** Extra read-only bind mounts, host path → container path. */
  readOnlyBinds?: Record<string, string>;
}

/** Capabilities nginx (root master, www-data workers) and certbot need. */
const CAPABILITIES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "SETGID",
  "SETUID",
  "NET_BIND_SERVICE",
  "KILL",
];

export function proxyContainerSpec(o: ProxyContainerOptions): Docker.ContainerCreateOptions {
  const publish = (port: number) => [{ HostIp: o.bindAddress, HostPort: String(port) }];
  const volume = (Source: string, Target: string) => ({ Type: "volume" as const, Source, Target });
  const binds = Object.entries(o.readOnlyBinds ?? {}).map(([Source, Target]) => ({
    Type: "bind" as const,
    Source,
    Target,
    ReadOnly: true,
  }));
  return {
    name: o.name,
    Image: o.image,
    Labels: o.labels,
    Env: Object.entries(o.env ?? {}).map(([key, value]) => `${key}=${value}`),
    ExposedPorts: { "80/tcp": {}, "443/tcp": {} },
    HostConfig: {
      PortBindings: { "80/tcp": publish(o.httpPort), "443/tcp": publish(o.httpsPort) },
      Mounts: [
        volume(o.volumes.sites, BERTH_DIR),
        volume(o.volumes.certificates, LETSENCRYPT_DIR),
        volume(o.volumes.webroot, WEBROOT),
        ...binds,
      ],
      RestartPolicy: { Name: "unless-stopped" },
      CapDrop: ["ALL"],
      CapAdd: CAPABILITIES,
      SecurityOpt: ["no-new-privileges"],
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
    },
  };
}

function foreign(name: string): AppError {
  return new AppError("CONFLICT", `a container named ${name} exists and is not Berth's proxy`);
}

async function inspectOrNull(container: Docker.Container) {
  try {
    return await container.inspect();
  } catch (error) {
    if (isDockerNotFound(error)) return null;
    throw dockerError(error);
  }
}

export type EnsureAction = "running" | "started" | "created" | "recreated";

/** The local image's id, or null when it is not on this host. */
async function imageId(engine: DockerEngine, image: string): Promise<string | null> {
  try {
    return (await engine.docker.getImage(image).inspect()).Id;
  } catch (error) {
    if (isDockerNotFound(error)) return null;
    throw dockerError(error);
  }
}

/**
 * A container Berth made from an older build of the image (the operator
 * rebuilt or changed PROXY_IMAGE). One a Compose project started is left to
 * Compose, which recreates it on its own `up`.
 */
async function outdated(engine: DockerEngine, info: Docker.ContainerInspectInfo, image: string) {
  if (info.Config.Labels?.["com.docker.compose.project"] !== undefined) return false;
  const wanted = await imageId(engine, image);
  return wanted !== null && wanted !== info.Image;
}

async function create(engine: DockerEngine, o: ProxyContainerOptions): Promise<string> {
  for (const name of Object.values(o.volumes)) {
    await engine.docker.createVolume({ Name: name, Labels: o.labels });
  }
  const created = await engine.docker.createContainer(proxyContainerSpec(o));
  await created.start();
  return created.id;
}

/**
 * Creates (with its labelled volumes) and starts the proxy when missing, and
 * replaces one made from an older image (sites and certificates live in the
 * volumes; the networks are attached again when it starts).
 */
export async function ensureProxyContainer(
  engine: DockerEngine,
  o: ProxyContainerOptions,
): Promise<{ id: string; action: EnsureAction }> {
  await engine.version();
  const docker = engine.docker;
  const existing = await inspectOrNull(docker.getContainer(o.name));
  if (existing && !hasLabels(existing.Config.Labels, o.identity ?? o.labels)) throw foreign(o.name);
  try {
    if (existing && (await outdated(engine, existing, o.image))) {
      await docker.getContainer(o.name).remove({ force: true });
      return { id: await create(engine, o), action: "recreated" };
    }
    if (existing?.State.Running) return { id: existing.Id, action: "running" };
    if (existing) {
      await docker.getContainer(o.name).start();
      return { id: existing.Id, action: "started" };
    }
    return { id: await create(engine, o), action: "created" };
  } catch (error) {
    throw dockerError(error);
  }
}

export type ProxyState = "running" | "stopped" | "missing" | "no-image" | "foreign";

/**
 * Where the proxy stands: "no-image" when it cannot be created, "foreign"
 * when a container of its name lacks the `identity` labels.
 */
export async function proxyState(
  engine: DockerEngine,
  o: Pick<ProxyContainerOptions, "name" | "image" | "identity">,
): Promise<ProxyState> {
  await engine.version();
  const info = await inspectOrNull(engine.docker.getContainer(o.name));
  if (info && o.identity && !hasLabels(info.Config.Labels, o.identity)) return "foreign";
  if (info) return info.State.Running ? "running" : "stopped";
  return (await imageExists(engine, o.image)) ? "missing" : "no-image";
}

export async function imageExists(engine: DockerEngine, image: string): Promise<boolean> {
  return (await imageId(engine, image)) !== null;
}

/**
 * The networks the proxy is attached to, by name; null when there is no
 * container of that name, or only one without the `identity` labels.
 */
export async function attachedNetworks(engine: DockerEngine, proxyName: string, identity: Labels) {
  await engine.version();
  const info = await inspectOrNull(engine.docker.getContainer(proxyName));
  if (!info || !hasLabels(info.Config.Labels, identity)) return null;
  return new Set(Object.keys(info.NetworkSettings.Networks ?? {}));
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;
const messageOf = (error: unknown) =>
  (error as { json?: { message?: string } | null }).json?.message ?? "";

/**
 * Connects the proxy to an environment's network (no-op when connected);
 * refuses a container without the `identity` labels: a tenant's network is
 * never handed to a container that is not Berth's proxy.
 */
export async function connectProxy(
  engine: DockerEngine,
  proxyName: string,
  network: string,
  identity?: Labels,
) {
  await engine.version();
  try {
    const info = await engine.docker.getContainer(proxyName).inspect();
    if (identity && !hasLabels(info.Config.Labels, identity)) throw foreign(proxyName);
    const attached = Object.entries(info.NetworkSettings.Networks ?? {});
    if (attached.some(([name, n]) => name === network || n.NetworkID === network)) return;
    await engine.docker.getNetwork(network).connect({ Container: proxyName });
  } catch (error) {
    // A connect that raced another one: attached is attached.
    if (statusOf(error) === 409 && /already attached/.test(messageOf(error))) return;
    throw dockerError(error);
  }
}

/** Disconnects the proxy from a network (no-op when not connected). */
export async function disconnectProxy(engine: DockerEngine, proxyName: string, network: string) {
  await engine.version();
  try {
    await engine.docker.getNetwork(network).disconnect({ Container: proxyName, Force: true });
  } catch (error) {
    if (isDockerNotFound(error) || statusOf(error) === 403) return;
    // The daemon answers 500 for a container that is not on the network.
    if (/is not connected to (the )?network/.test(messageOf(error))) return;
    throw dockerError(error);
  }
}
