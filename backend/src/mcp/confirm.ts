// Confirmation tokens for the two-phase destructive tools. Stateless: a token
// is an HMAC over (tool, target id, user id, expiry), so nothing is stored
// and a token only ever confirms that one action by that one user, briefly.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const CONFIRMATION_TTL_MS = 2 * 60_000;

export interface ConfirmationTarget {
  tool: string;
  targetId: string;
  userId: string;
}

export interface IssuedConfirmation {
  token: string;
  expiresAt: Date;
}

export type ConfirmationCheck = "ok" | "expired" | "invalid";

export class Confirmations {
  private readonly key: Buffer;

  /** Without a secret the key is random per process: tokens die with it. */
  constructor(
    secret: string | undefined,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = CONFIRMATION_TTL_MS,
  ) {
    this.key = secret ? Buffer.from(secret, "utf8") : randomBytes(32);
  }

  issue(target: ConfirmationTarget): IssuedConfirmation {
    const expiresAt = this.now() + this.ttlMs;
    const expiry = expiresAt.toString(36);
    return { token: `${expiry}.${this.mac(target, expiry)}`, expiresAt: new Date(expiresAt) };
  }

  check(token: string, target: ConfirmationTarget): ConfirmationCheck {
    const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return "invalid";
    const [, expiry, mac] = match as unknown as [string, string, string];
    const expected = Buffer.from(this.mac(target, expiry));
    if (!timingSafeEqual(Buffer.from(mac), expected)) return "invalid";
    // Checked after the MAC, so a forged expiry never reads as merely expired.
    return parseInt(expiry, 36) <= this.now() ? "expired" : "ok";
  }

  private mac(target: ConfirmationTarget, expiry: string): string {
    // NUL separators: no field can contain one, so fields cannot shift.
    const message = ["berth-confirm-v1", target.tool, target.targetId, target.userId, expiry];
    return createHmac("sha256", this.key).update(message.join("\0")).digest("base64url");
  }
}
