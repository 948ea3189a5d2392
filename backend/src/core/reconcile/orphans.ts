// Docker objects that carry this Berth's labels and name an environment
// that has no row: removed once older than the grace period (a row and its
// objects are created a moment apart, and a crash can separate them).
import { waitForNoContainers } from "../../orchestrator/containers.js";
import { LABEL, instanceLabels, type Labels } from "../../orchestrator/labels.js";
import { listSecrets, removeSecret } from "../../orchestrator/secrets.js";
import {
  listNetworks,
  listServices,
  removeNetwork,
  removeService,
} from "../../orchestrator/swarm.js";
import { listVolumes, removeVolume } from "../../orchestrator/volumes.js";
import { recordAudit } from "../audit.js";
import type { Context } from "../context.js";

interface Found {
  kind: "service" | "secret" | "volume" | "network";
  name: string;
  id: string;
  environmentId: string;
  created: string | undefined;
}

function found(
  kind: Found["kind"],
  name: string,
  id: string,
  labels: Labels | null | undefined,
  created?: string,
): Found[] {
  const environmentId = labels?.[LABEL.environment];
  return environmentId ? [{ kind, name, id, environmentId, created }] : [];
}

async function berthObjects(ctx: Context): Promise<Found[]> {
  const mine = instanceLabels(ctx.config.BERTH_INSTANCE);
  const [services, secrets, volumes, networks] = await Promise.all([
    listServices(ctx.engine, mine),
    listSecrets(ctx.engine, mine),
    listVolumes(ctx.engine, mine),
    listNetworks(ctx.engine, mine),
  ]);
  // Removal order matters: services, secrets, then volumes and networks.
  return [
    ...services.flatMap((s) =>
      found("service", s.Spec?.Name ?? "", s.ID, s.Spec?.Labels, s.CreatedAt),
    ),
    ...secrets.flatMap((s) =>
      found("secret", s.Spec?.Name ?? "", s.ID, s.Spec?.Labels, s.CreatedAt),
    ),
    ...volumes.flatMap((v) => found("volume", v.Name, v.Name, v.Labels, v.CreatedAt)),
    ...networks.flatMap((n) => found("network", n.Name, n.Id, n.Labels, n.Created)),
  ];
}

async function remove(ctx: Context, object: Found): Promise<void> {
  const selector = {
    ...instanceLabels(ctx.config.BERTH_INSTANCE),
    [LABEL.environment]: object.environmentId,
  };
  if (object.kind === "service") await removeService(ctx.engine, object.name, selector);
  if (object.kind === "secret") await removeSecret(ctx.engine, object.id);
  if (object.kind === "volume") {
    await waitForNoContainers(ctx.engine, selector, 15_000);
    await removeVolume(ctx.engine, object.name, selector);
  }
  if (object.kind === "network") await removeNetwork(ctx.engine, object.name, selector);
}

export async function removeOrphans(ctx: Context, actions: string[]): Promise<void> {
  const objects = await berthObjects(ctx);
  const ids = [...new Set(objects.map((o) => o.environmentId))].filter((id) =>
    /^[0-9a-f-]{36}$/i.test(id),
  );
  const known = new Set(
    (await ctx.db.environment.findMany({ where: { id: { in: ids } }, select: { id: true } })).map(
      (e) => e.id,
    ),
  );
  const graceMs = ctx.config.ORPHAN_GRACE_SECONDS * 1000;
  for (const object of objects) {
    if (known.has(object.environmentId)) continue;
    const age = Date.now() - new Date(object.created ?? 0).getTime();
    if (age < graceMs) continue;
    try {
      await remove(ctx, object);
    } catch (error) {
      ctx.log.warn({ err: error, object }, "could not remove an orphan yet; will retry");
      continue;
    }
    actions.push(`orphan_removed ${object.kind} ${object.name}`);
    await recordAudit(ctx, {
      action: "reconciler.orphan_removed",
      environmentId: object.environmentId,
      detail: { kind: object.kind, name: object.name, id: object.id },
    });
  }
}
