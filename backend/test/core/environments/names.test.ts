import { describe, expect, it } from "vitest";
import {
  environmentLabels,
  environmentNameSchema,
  networkName,
  newSlug,
  objectName,
} from "../../../src/core/environments/names.js";

describe("environment names", () => {
  it("accept lowercase DNS labels of at most 24 characters", () => {
    for (const ok of ["web", "a", "my-app-2", "a".repeat(24)]) {
      expect(environmentNameSchema.safeParse(ok).success, ok).toBe(true);
    }
    for (const bad of [
      "",
      "Web",
      "1web",
      "-web",
      "web-",
      "we_b",
      "we.b",
      "a".repeat(25),
      "web\n",
      "wéb",
    ]) {
      expect(environmentNameSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it("give Docker names that fit in 63 characters", () => {
    const slug = newSlug("a".repeat(24));
    expect(slug).toMatch(/^a{24}-[a-z0-9]{6}$/);
    expect(networkName(slug)).toBe(`berth-${slug}`);
    expect(objectName(slug, "b".repeat(24)).length).toBeLessThanOrEqual(63);
  });

  it("label objects with instance, environment and owner", () => {
    expect(
      environmentLabels(
        { BERTH_INSTANCE: "prod", BERTH_DOCKER_LABELS: { team: "ops" } },
        { id: "e1", ownerId: "u1" },
      ),
    ).toEqual({
      team: "ops",
      "berth.managed-by": "berth",
      "berth.instance": "prod",
      "berth.environment": "e1",
      "berth.owner": "u1",
    });
  });
});
