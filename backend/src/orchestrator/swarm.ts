// Swarm objects through dockerode. Every operation is idempotent (inspect,
// then create; a 404 on remove is success) and refuses to touch an object
// that does not carry the labels the caller says it must.
import type Docker from "dockerode";
import { AppError } from "../core/errors.js";
import { dockerError, isDockerNotFound, type DockerEngine } from "./docker.js";
import { hasLabels, labelFilter, type Labels } from "./labels.js";
import type { ServiceSpec } from "./service-spec.js";

export interface NetworkRequest {
  name: string;
  labels: Labels;
  encrypted: boolean;
}

/** Calls dockerode, turning its failures into AppErrors. */
async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw dockerError(error);
  }
}

async function inspectOrNull<T>(work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    if (isDockerNotFound(error)) return null;
    throw dockerError(error);
  }
}

function notOurs(kind: string, name: string): AppError {
  return new AppError("CONFLICT", `a ${kind} named ${name} exists and is not managed by Berth`);
}

/** The overlay network, created when missing; returns its id. */
export async function ensureNetwork(engine: DockerEngine, req: NetworkRequest): Promise<string> {
  await engine.version();
  const network = engine.docker.getNetwork(req.name);
  const existing = await inspectOrNull(() => network.inspect());
  if (existing) {
    if (!hasLabels(existing.Labels, req.labels)) throw notOurs("network", req.name);
    return existing.Id;
  }
  const created = await call(() =>
    engine.docker.createNetwork({
      Name: req.name,
      Driver: "overlay",
      Attachable: true,
      CheckDuplicate: true,
      Labels: req.labels,
      Options: req.encrypted ? { encrypted: "" } : {},
    }),
  );
  return created.id;
}

/** Removes the network if it exists and carries `labels`; true if removed. */
export async function removeNetwork(engine: DockerEngine, name: string, labels: Labels) {
  await engine.version();
  const network = engine.docker.getNetwork(name);
  const existing = await inspectOrNull(() => network.inspect());
  if (!existing) return false;
  if (!hasLabels(existing.Labels, labels)) throw notOurs("network", name);
  return (await inspectOrNull(() => network.remove() as Promise<unknown>)) !== null;
}

export async function inspectService(engine: DockerEngine, name: string) {
  await engine.version();
  return inspectOrNull(() => engine.docker.getService(name).inspect() as Promise<Docker.Service>);
}

// dockerode sends its first argument as X-Registry-Auth, and a one-argument
// call sends the whole spec there; its update() also copies every option
// into the query string. So the auth is always passed apart, and update's
// query and body are given explicitly (_query, _body).
type AuthedCall = (auth: Docker.AuthConfig | undefined, options: object) => Promise<unknown>;

/** Creates the service; returns its id. `auth` goes in X-Registry-Auth, never in the spec. */
export async function createService(
  engine: DockerEngine,
  spec: ServiceSpec | Docker.CreateServiceOptions,
  auth?: Docker.AuthConfig,
) {
  await engine.version();
  const create = engine.docker.createService.bind(engine.docker) as AuthedCall;
  const created = await call(() => create(auth, spec) as Promise<{ id: string }>);
  return created.id;
}

/** Replaces the service's spec at `version` (Version.Index from its inspect). */
export async function updateService(
  engine: DockerEngine,
  id: string,
  version: number,
  spec: ServiceSpec,
  auth?: Docker.AuthConfig,
) {
  await engine.version();
  const service = engine.docker.getService(id);
  const update = service.update.bind(service) as AuthedCall;
  await call(() => update(auth, { _query: { version }, _body: spec }));
}

/** Removes the service if it exists and carries `labels`; true if removed. */
export async function removeService(engine: DockerEngine, name: string, labels: Labels) {
  const existing = await inspectService(engine, name);
  if (!existing) return false;
  if (!hasLabels(existing.Spec?.Labels, labels)) throw notOurs("service", name);
  return (
    (await inspectOrNull(
      () => engine.docker.getService(existing.ID).remove() as Promise<unknown>,
    )) !== null
  );
}

export async function listTasks(engine: DockerEngine, serviceId: string) {
  await engine.version();
  return call(() => engine.docker.listTasks({ filters: { service: [serviceId] } }));
}

export async function listServices(engine: DockerEngine, labels: Labels) {
  await engine.version();
  return call(() => engine.docker.listServices({ filters: labelFilter(labels) }));
}

export async function listNetworks(engine: DockerEngine, labels: Labels) {
  await engine.version();
  return call(() => engine.docker.listNetworks({ filters: labelFilter(labels) }));
}
