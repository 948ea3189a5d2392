// Labels on every Docker object Berth creates. Berth only ever changes or
// removes objects that carry its managed-by label and its instance name.

export const LABEL = {
  managedBy: "berth.managed-by",
  instance: "berth.instance",
  environment: "berth.environment",
  owner: "berth.owner",
  deployment: "berth.deployment",
  service: "berth.service",
} as const;

export type Labels = Record<string, string>;

/** Labels that mark an object as this Berth instance's. */
export function instanceLabels(instance: string, extra: Labels = {}): Labels {
  return { ...extra, [LABEL.managedBy]: "berth", [LABEL.instance]: instance };
}

/** True when `actual` carries every label in `required` with the same value. */
export function hasLabels(actual: Labels | undefined | null, required: Labels): boolean {
  return Object.entries(required).every(([key, value]) => actual?.[key] === value);
}

/** Docker list filter selecting objects that carry all `labels`. */
export function labelFilter(labels: Labels): { label: string[] } {
  return { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
}
