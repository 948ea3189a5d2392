// A validated request as stored in its Deployment row, and back. Env var
// values and registry credentials are sealed (sealed.ts); everything else
// is kept as given so that a rollback rebuilds exactly the same spec.
import type { Deployment, Prisma } from "../../generated/prisma/client.js";
import { withReference } from "./image-reference.js";
import type {
  DeploymentRequest,
  HealthcheckRequest,
  PortRequest,
  Resources,
  VolumeRequest,
} from "./normalize.js";
import { seal, unseal } from "./sealed.js";

interface StoredEnvVar {
  name: string;
  secret: boolean;
  sealed: string;
}

export interface StoredCommand {
  command?: string[];
  args?: string[];
  user?: string;
  capabilities: string[];
}

/** Row fields describing what to run (no ids, no status). */
export function requestToRow(key: string, req: DeploymentRequest) {
  const command: StoredCommand = { capabilities: req.capabilities };
  if (req.command) command.command = req.command;
  if (req.args) command.args = req.args;
  if (req.user !== undefined) command.user = req.user;
  return {
    serviceName: req.name,
    image: `${req.image.registry}/${req.image.repository}`,
    tag: req.image.tag ?? "",
    digest: req.image.digest ?? null,
    replicas: req.replicas,
    ports: req.ports as unknown as Prisma.InputJsonValue,
    resources: req.resources as unknown as Prisma.InputJsonValue,
    volumes: req.volumes as unknown as Prisma.InputJsonValue,
    healthcheck: (req.healthcheck ?? undefined) as Prisma.InputJsonValue | undefined,
    command: command as unknown as Prisma.InputJsonValue,
    envVars: req.env.map((e) => ({ name: e.name, secret: e.secret, sealed: seal(key, e.value) })),
    registryAuth: req.registryAuth ? seal(key, JSON.stringify(req.registryAuth)) : null,
  };
}

type StoredRow = Pick<
  Deployment,
  | "environmentId"
  | "serviceName"
  | "image"
  | "tag"
  | "digest"
  | "replicas"
  | "ports"
  | "resources"
  | "volumes"
  | "healthcheck"
  | "command"
  | "envVars"
  | "registryAuth"
>;

/** The request a row was made from, secrets unsealed (for the job only). */
export function rowToRequest(key: string, row: StoredRow): DeploymentRequest {
  const slash = row.image.indexOf("/");
  const image = withReference({
    registry: row.image.slice(0, slash),
    repository: row.image.slice(slash + 1),
    ...(row.tag ? { tag: row.tag } : {}),
    ...(row.digest ? { digest: row.digest } : {}),
  });
  const command = row.command as unknown as StoredCommand;
  const req: DeploymentRequest = {
    environmentId: row.environmentId,
    name: row.serviceName,
    image,
    replicas: row.replicas,
    ports: row.ports as unknown as PortRequest[],
    env: (row.envVars as unknown as StoredEnvVar[]).map((e) => ({
      name: e.name,
      secret: e.secret,
      value: unseal(key, e.sealed),
    })),
    resources: row.resources as unknown as Resources,
    volumes: row.volumes as unknown as VolumeRequest[],
    capabilities: command.capabilities,
  };
  if (row.healthcheck) req.healthcheck = row.healthcheck as unknown as HealthcheckRequest;
  if (command.command) req.command = command.command;
  if (command.args) req.args = command.args;
  if (command.user !== undefined) req.user = command.user;
  if (row.registryAuth) req.registryAuth = JSON.parse(unseal(key, row.registryAuth)) as never;
  return req;
}

/** Env var names with masked values, for every answer Berth gives. */
export function maskedEnv(row: Pick<Deployment, "envVars">) {
  return (row.envVars as unknown as StoredEnvVar[]).map((e) => ({
    name: e.name,
    secret: e.secret,
    value: "••••••",
  }));
}
