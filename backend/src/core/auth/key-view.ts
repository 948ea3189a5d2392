// What Berth ever shows of a stored key: never the secret or its hash.
import type { ApiKey } from "../../generated/prisma/client.js";

export interface KeyView {
  keyId: string;
  name: string;
  scopes: string[];
  environmentIds: string[];
  status: "active" | "revoked" | "expired";
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** Public id of the key that minted this one, if it was minted. */
  mintedBy: string | null;
}

export function keyStatus(key: Pick<ApiKey, "revokedAt" | "expiresAt">, now = new Date()) {
  if (key.revokedAt) return "revoked" as const;
  if (key.expiresAt && key.expiresAt <= now) return "expired" as const;
  return "active" as const;
}

export function toKeyView(key: ApiKey, mintedBy: string | null = null): KeyView {
  return {
    keyId: key.keyId,
    name: key.name,
    scopes: key.scopes,
    environmentIds: key.environmentIds,
    status: keyStatus(key),
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
    mintedBy,
  };
}
