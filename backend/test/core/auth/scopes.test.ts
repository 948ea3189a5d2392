import { describe, expect, it } from "vitest";
import {
  actorForUser,
  effectiveScopes,
  hasScope,
  keyAllowsEnvironment,
  requireScope,
  SCOPES,
} from "../../../src/core/auth/scopes.js";

describe("scopes", () => {
  it("admin includes every scope", () => {
    expect(hasScope({ scopes: ["admin"] }, "deployments:write")).toBe(true);
    expect([...effectiveScopes(["admin"])]).toEqual([...SCOPES]);
  });

  it("throws FORBIDDEN naming the missing scope", () => {
    expect(() => requireScope({ scopes: ["deployments:read"] }, "deployments:write")).toThrow(
      expect.objectContaining({
        code: "FORBIDDEN",
        message: "this API key lacks the scope deployments:write",
        details: { scope: "deployments:write" },
      }),
    );
  });

  it("limits environments only when a list is given", () => {
    expect(keyAllowsEnvironment({ environmentIds: [] }, "a")).toBe(true);
    expect(keyAllowsEnvironment({ environmentIds: ["a"] }, "a")).toBe(true);
    expect(keyAllowsEnvironment({ environmentIds: ["a"] }, "b")).toBe(false);
  });

  it("gives a person every non-admin scope, and admins admin too", () => {
    expect(actorForUser({ id: "u", name: "n", role: "USER" }).scopes).not.toContain("admin");
    expect(actorForUser({ id: "u", name: "n", role: "ADMIN" }).scopes).toContain("admin");
  });
});
