// How an environment and its objects are named, in Berth and in Docker.
// Docker names are global on a Swarm, so each environment gets a random
// slug; every object name starts with it and stays within Docker's 63
// characters: berth-<name ≤24>-<6> (37) + "-" + <service or volume ≤24>.
import { customAlphabet } from "nanoid";
import { z } from "zod";
import type { Config } from "../../config.js";
import { instanceLabels, LABEL, type Labels } from "../../orchestrator/labels.js";

export const MAX_NAME_LENGTH = 24;

/** A lowercase DNS label: names of environments, services and volumes. */
export const dnsLabelSchema = (what: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .max(MAX_NAME_LENGTH, `${what} is at most ${MAX_NAME_LENGTH} characters`)
    .regex(
      /^[a-z]([a-z0-9-]*[a-z0-9])?$/,
      `${what} must be lowercase letters, digits and dashes, start with a letter and not end with a dash`,
    );

export const environmentNameSchema = dnsLabelSchema("an environment name");

const suffix = customAlphabet("abcdefghijklmnopqrstuvwxyz0123456789", 6);

export function newSlug(name: string): string {
  return `${name}-${suffix()}`;
}

export function networkName(slug: string): string {
  return `berth-${slug}`;
}

/** The Docker name of a service or volume of the environment. */
export function objectName(slug: string, name: string): string {
  return `berth-${slug}-${name}`;
}

/** Labels on every Docker object of one environment. */
export function environmentLabels(
  config: Pick<Config, "BERTH_INSTANCE" | "BERTH_DOCKER_LABELS">,
  env: { id: string; ownerId: string },
): Labels {
  return {
    ...instanceLabels(config.BERTH_INSTANCE, config.BERTH_DOCKER_LABELS),
    [LABEL.environment]: env.id,
    [LABEL.owner]: env.ownerId,
  };
}

/** Labels that select every Docker object of one environment (for removal). */
export function environmentSelector(
  config: Pick<Config, "BERTH_INSTANCE">,
  environmentId: string,
): Labels {
  return { ...instanceLabels(config.BERTH_INSTANCE), [LABEL.environment]: environmentId };
}
