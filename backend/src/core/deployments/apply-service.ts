// Creates or updates a deployment's Swarm service, then reads it back and
// checks every hardening field (spec-check.ts): a field the daemon dropped
// is a failure, and the service is removed or rolled back, never left
// running weaker than asked. Resuming after a crash finds the service
// already carrying the deployment's label and goes straight on.
import type Docker from "dockerode";
import type { Deployment, Environment } from "../../generated/prisma/client.js";
import { hasLabels, LABEL, type Labels } from "../../orchestrator/labels.js";
import { createSecret, listSecrets } from "../../orchestrator/secrets.js";
import {
  buildServiceSpec,
  type SecretRef,
  type ServiceSpec,
} from "../../orchestrator/service-spec.js";
import { checkHardening } from "../../orchestrator/spec-check.js";
import {
  createService,
  inspectService,
  removeService,
  updateService,
} from "../../orchestrator/swarm.js";
import type { Context } from "../context.js";
import { environmentLabels, environmentSelector, objectName } from "../environments/names.js";
import { AppError } from "../errors.js";
import type { DeploymentRequest } from "./normalize.js";
import { specOptions } from "./settings.js";

export type JobDeployment = Deployment & { environment: Environment };

export interface Applied {
  serviceId: string;
  /** The deployment whose label the service's tasks carry (a scale keeps its tasks). */
  taskDeploymentId: string;
  warnings: string[];
}

export function deploymentLabels(ctx: Context, d: JobDeployment): Labels {
  return {
    ...environmentLabels(ctx.config, d.environment),
    [LABEL.deployment]: d.id,
    [LABEL.service]: d.serviceName,
  };
}

const taskLabel = (service: Docker.Service) =>
  (service.Spec?.TaskTemplate as { ContainerSpec?: { Labels?: Labels } } | undefined)?.ContainerSpec
    ?.Labels?.[LABEL.deployment] ?? "";

/** One Swarm secret per secret env var of this deployment (reused on resume). */
async function ensureSecrets(
  ctx: Context,
  d: JobDeployment,
  req: DeploymentRequest,
  labels: Labels,
) {
  const existing = new Map(
    (
      await listSecrets(ctx.engine, {
        [LABEL.deployment]: d.id,
        ...environmentSelector(ctx.config, d.environmentId),
      })
    ).map((s) => [s.Spec?.Name ?? "", s.ID]),
  );
  const refs: Record<string, SecretRef> = {};
  let index = 0;
  for (const e of req.env.filter((v) => v.secret)) {
    const secretName = `berth-${d.id.replace(/-/g, "")}-${index++}`;
    const secretId =
      existing.get(secretName) ?? (await createSecret(ctx.engine, secretName, e.value, labels));
    refs[e.name] = { secretId, secretName };
  }
  return refs;
}

async function volumePlacement(ctx: Context, d: JobDeployment, req: DeploymentRequest) {
  if (req.volumes.length === 0) return {};
  const rows = await ctx.db.volume.findMany({
    where: { environmentId: d.environmentId, name: { in: req.volumes.map((v) => v.name) } },
  });
  return {
    volumeSources: Object.fromEntries(rows.map((r) => [r.name, r.dockerName])),
    nodeId: rows.find((r) => r.nodeId)?.nodeId ?? undefined,
  };
}

async function buildSpec(
  ctx: Context,
  d: JobDeployment,
  req: DeploymentRequest,
  existing: Docker.Service | null,
) {
  const labels = deploymentLabels(ctx, d);
  if ((d.kind === "SCALE" || d.kind === "RESTART") && existing?.Spec) {
    // The running spec, exactly, with only the count or a forced restart changed.
    const current = structuredClone(existing.Spec) as ServiceSpec;
    current.Labels = labels;
    current.Mode = { Replicated: { Replicas: d.replicas } };
    if (d.kind === "RESTART") {
      current.TaskTemplate.ForceUpdate = (current.TaskTemplate.ForceUpdate ?? 0) + 1;
      current.TaskTemplate.ContainerSpec.Labels = labels;
    }
    return { spec: current, warnings: [] };
  }
  const image = d.digest ? `${req.image.reference.split("@")[0]}@${d.digest}` : req.image.reference;
  return buildServiceSpec({
    apiVersion: await ctx.engine.version(),
    serviceName: objectName(d.environment.slug, d.serviceName),
    labels,
    networkId: d.environment.networkId ?? "",
    deployment: req,
    image,
    ...(await volumePlacement(ctx, d, req)),
    secrets: await ensureSecrets(ctx, d, req, labels),
    options: specOptions(ctx.config),
  });
}

async function undo(ctx: Context, d: JobDeployment, serviceId: string, created: boolean) {
  const name = objectName(d.environment.slug, d.serviceName);
  if (created) {
    await removeService(ctx.engine, name, environmentSelector(ctx.config, d.environmentId));
    return;
  }
  const service = await inspectService(ctx.engine, name);
  if (!service?.PreviousSpec) return;
  await ctx.engine.docker.getService(serviceId).update({
    _query: { version: service.Version?.Index, rollback: "previous" },
    _body: service.PreviousSpec,
  });
}

export async function applyService(
  ctx: Context,
  d: JobDeployment,
  req: DeploymentRequest,
): Promise<Applied> {
  const name = objectName(d.environment.slug, d.serviceName);
  const existing = await inspectService(ctx.engine, name);
  if (
    existing &&
    !hasLabels(existing.Spec?.Labels, environmentSelector(ctx.config, d.environmentId))
  ) {
    throw new AppError("CONFLICT", `a service named ${name} exists and is not this environment's`);
  }
  if (existing?.Spec?.Labels?.[LABEL.deployment] === d.id) {
    return { serviceId: existing.ID, taskDeploymentId: taskLabel(existing), warnings: d.warnings };
  }
  const { spec, warnings } = await buildSpec(ctx, d, req, existing);
  const auth = req.registryAuth;
  const serviceId = existing
    ? (await updateService(ctx.engine, existing.ID, existing.Version?.Index ?? 0, spec, auth),
      existing.ID)
    : await createService(ctx.engine, spec, auth);
  const problems = checkHardening(spec, await inspectService(ctx.engine, name));
  if (problems.length > 0) {
    await undo(ctx, d, serviceId, !existing);
    throw new AppError(
      "INTERNAL",
      `the daemon did not keep the hardened spec: ${problems.join("; ")}`,
    );
  }
  const readBack = await inspectService(ctx.engine, name);
  return { serviceId, taskDeploymentId: readBack ? taskLabel(readBack) : d.id, warnings };
}
