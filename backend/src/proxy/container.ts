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

async function inspectOrNull(container: Docker.Container) {
  try {
    return await container.inspect();
  } catch (error) {
    if (isDockerNotFound(error)) return null;
    throw dockerError(error);
  }
}

/** Creates (with its labelled volumes) and starts the proxy when missing. */
export async function ensureProxyContainer(engine: DockerEngine, o: ProxyContainerOptions) {
  await engine.version();
  const docker = engine.docker;
  const existing = await inspectOrNull(docker.getContainer(o.name));
  if (existing && !hasLabels(existing.Config.Labels, o.labels)) {
    throw new AppError("CONFLICT", `a container named ${o.name} exists and is not Berth's proxy`);
  }
  try {
    if (existing) {
      if (!existing.State.Running) await docker.getContainer(o.name).start();
      return existing.Id;
    }
    for (const name of Object.values(o.volumes)) {
      await docker.createVolume({ Name: name, Labels: o.labels });
    }
    const created = await docker.createContainer(proxyContainerSpec(o));
    await created.start();
    return created.id;
  } catch (error) {
    throw dockerError(error);
  }
}

/** Connects the proxy to an environment's network (no-op when connected). */
export async function connectProxy(engine: DockerEngine, proxyName: string, network: string) {
  await engine.version();
  try {
    const info = await engine.docker.getContainer(proxyName).inspect();
    const attached = Object.entries(info.NetworkSettings.Networks ?? {});
    if (attached.some(([name, n]) => name === network || n.NetworkID === network)) return;
    await engine.docker.getNetwork(network).connect({ Container: proxyName });
  } catch (error) {
    throw dockerError(error);
  }
}

/** Disconnects the proxy from a network (no-op when not connected). */
export async function disconnectProxy(engine: DockerEngine, proxyName: string, network: string) {
  await engine.version();
  try {
    await engine.docker.getNetwork(network).disconnect({ Container: proxyName, Force: true });
  } catch (error) {
    if (isDockerNotFound(error) || (error as { statusCode?: number }).statusCode === 403) return;
    throw dockerError(error);
  }
}
