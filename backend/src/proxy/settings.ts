// The proxy as Berth's settings describe it: the container to ensure, the
// ACME account to use, and the handle that sends it commands.
import type { Config } from "../config.js";
import type { DockerEngine } from "../orchestrator/docker.js";
import { instanceLabels, type Labels } from "../orchestrator/labels.js";
import type { AcmeOptions } from "./certbot.js";
import type { ProxyContainerOptions } from "./container.js";
import { proxyContainer, type ProxyContainer } from "./exec.js";

export type ProxyConfig = Pick<
  Config,
  | "BERTH_INSTANCE"
  | "BERTH_DOCKER_LABELS"
  | "PROXY_IMAGE"
  | "PROXY_CONTAINER"
  | "PROXY_HTTP_PORT"
  | "PROXY_HTTPS_PORT"
  | "PROXY_BIND_ADDRESS"
  | "ACME_DIRECTORY"
  | "ACME_EMAIL"
  | "ACME_CA_BUNDLE"
>;

/** Where ACME_CA_BUNDLE is mounted inside the proxy. */
export const ACME_CA_PATH = "/etc/berth/acme-ca.pem";

/** The labels that make a container this Berth's proxy (the production stack sets them too). */
export function proxyIdentity(config: Pick<ProxyConfig, "BERTH_INSTANCE">): Labels {
  return { ...instanceLabels(config.BERTH_INSTANCE), "berth.role": "proxy" };
}

/** Labels of the proxy container and its volumes: the identity and the operator's extras. */
export function proxyLabels(config: ProxyConfig): Labels {
  return { ...config.BERTH_DOCKER_LABELS, ...proxyIdentity(config) };
}

export function proxyContainerOptions(config: ProxyConfig): ProxyContainerOptions {
  const name = config.PROXY_CONTAINER;
  const bundle = config.ACME_CA_BUNDLE;
  return {
    name,
    image: config.PROXY_IMAGE,
    httpPort: config.PROXY_HTTP_PORT,
    httpsPort: config.PROXY_HTTPS_PORT,
    bindAddress: config.PROXY_BIND_ADDRESS,
    volumes: { sites: `${name}-sites`, certificates: `${name}-certs`, webroot: `${name}-acme` },
    labels: proxyLabels(config),
    identity: proxyIdentity(config),
    // certbot (Python requests) trusts this bundle instead of the system's.
    ...(bundle
      ? { env: { REQUESTS_CA_BUNDLE: ACME_CA_PATH }, readOnlyBinds: { [bundle]: ACME_CA_PATH } }
      : {}),
  };
}

export function acmeOptions(config: ProxyConfig): AcmeOptions {
  return { directoryUrl: config.ACME_DIRECTORY, email: config.ACME_EMAIL };
}

export function proxyOf(engine: DockerEngine, config: ProxyConfig): ProxyContainer {
  return proxyContainer(engine, config.PROXY_CONTAINER);
}
