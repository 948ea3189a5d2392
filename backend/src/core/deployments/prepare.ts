// The steps before the service: pull the image (pinning its digest, so a
// rollback runs exactly the same bytes) and create the named volumes.
import { imageDigest, pullImage } from "../../orchestrator/images.js";
import { ensureVolume } from "../../orchestrator/volumes.js";
import type { Context } from "../context.js";
import { environmentLabels, objectName } from "../environments/names.js";
import type { JobDeployment } from "./apply-service.js";
import type { DeploymentRequest } from "./normalize.js";
import { progress } from "./transitions.js";

export async function pullStep(
  ctx: Context,
  d: JobDeployment,
  req: DeploymentRequest,
): Promise<void> {
  let said = Promise.resolve();
  let lastAt = 0;
  // Layer completions always; byte counts at most once a second.
  await pullImage(ctx.engine, req.image.reference, req.registryAuth, (p) => {
    const done = /complete|already exists/i.test(p.status);
    if (!done && Date.now() - lastAt < 1000) return;
    lastAt = Date.now();
    const message = [p.id, p.status, p.progress].filter(Boolean).join(" ");
    said = said.then(() => progress(ctx, d.id, message, { layer: p.id ?? null }));
  });
  await said;
  if (d.digest) return;
  const repository = `${req.image.registry}/${req.image.repository}`.replace(/^docker\.io\//, "");
  const digest = await imageDigest(ctx.engine, req.image.reference, repository);
  if (!digest) return;
  await ctx.db.deployment.update({ where: { id: d.id }, data: { digest } });
  d.digest = digest;
  await progress(ctx, d.id, `pulled ${req.image.reference} (${digest})`, { digest });
}

export async function volumesStep(
  ctx: Context,
  d: JobDeployment,
  req: DeploymentRequest,
): Promise<void> {
  if (req.volumes.length === 0) return;
  const info = (await ctx.engine.docker.info()) as { Swarm?: { NodeID?: string } };
  const labels = environmentLabels(ctx.config, d.environment);
  for (const v of req.volumes) {
    const dockerName = objectName(d.environment.slug, v.name);
    await ensureVolume(ctx.engine, dockerName, labels);
    await ctx.db.volume.upsert({
      where: { environmentId_name: { environmentId: d.environmentId, name: v.name } },
      create: {
        environmentId: d.environmentId,
        name: v.name,
        dockerName,
        nodeId: info.Swarm?.NodeID ?? null,
      },
      update: {},
    });
    await progress(ctx, d.id, `volume ${v.name} ready`);
  }
}
