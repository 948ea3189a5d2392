// Confirmation tokens: bound to tool, target and user, short-lived,
// unforgeable without the key, compared in constant time.
import { describe, expect, it } from "vitest";
import { CONFIRMATION_TTL_MS, Confirmations } from "../../src/mcp/confirm.js";

const target = {
  tool: "delete_environment",
  targetId: "0190aaaa-0000-7000-8000-000000000001",
  userId: "0190aaaa-0000-7000-8000-000000000002",
};
const SECRET = "s".repeat(32);

describe("Confirmations", () => {
  it("accepts its own token for the same action, within two minutes", () => {
    let now = 1_000_000;
    const confirmations = new Confirmations(SECRET, () => now);
    const { token, expiresAt } = confirmations.issue(target);
    expect(expiresAt.getTime()).toBe(now + CONFIRMATION_TTL_MS);
    expect(CONFIRMATION_TTL_MS).toBe(120_000);
    expect(confirmations.check(token, target)).toBe("ok");
    now += CONFIRMATION_TTL_MS - 1;
    expect(confirmations.check(token, target)).toBe("ok");
    now += 1;
    expect(confirmations.check(token, target)).toBe("expired");
  });

  it("refuses it for another tool, target or user", () => {
    const confirmations = new Confirmations(SECRET);
    const { token } = confirmations.issue(target);
    expect(confirmations.check(token, { ...target, tool: "delete_deployment" })).toBe("invalid");
    expect(confirmations.check(token, { ...target, targetId: target.userId })).toBe("invalid");
    expect(confirmations.check(token, { ...target, userId: target.targetId })).toBe("invalid");
  });

  it("refuses tokens signed with another key, tampered or malformed", () => {
    const confirmations = new Confirmations(SECRET);
    const { token } = confirmations.issue(target);
    const other = new Confirmations("t".repeat(32)).issue(target).token;
    expect(confirmations.check(other, target)).toBe("invalid");
    const [expiry, mac] = token.split(".") as [string, string];
    // A later expiry under the same MAC is a forgery, not a valid extension.
    const extended = `${(parseInt(expiry, 36) + 3_600_000).toString(36)}.${mac}`;
    expect(confirmations.check(extended, target)).toBe("invalid");
    const flipped = `${expiry}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`;
    expect(confirmations.check(flipped, target)).toBe("invalid");
    for (const bad of ["", ".", token + "x", `${expiry}.`, `zz.${mac}.x`, "é".repeat(50)]) {
      expect(confirmations.check(bad, target), bad).toBe("invalid");
    }
  });

  it("uses a random key per process when no secret is set", () => {
    const one = new Confirmations(undefined);
    const two = new Confirmations(undefined);
    const { token } = one.issue(target);
    expect(one.check(token, target)).toBe("ok");
    expect(two.check(token, target)).toBe("invalid");
  });

  it("keeps tokens of a configured secret valid across instances (a restart)", () => {
    const token = new Confirmations(SECRET).issue(target).token;
    expect(new Confirmations(SECRET).check(token, target)).toBe("ok");
  });
});
