// Stores a new key and returns it, the only time the full key is ever seen.
import bcrypt from "bcrypt";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Context } from "../context.js";
import { generateKey } from "./key-format.js";
import { toKeyView, type KeyView } from "./key-view.js";
import type { Scope } from "./scopes.js";

export interface CreateApiKeyOptions {
  userId: string;
  name: string;
  scopes: Scope[];
  environmentIds: string[];
  expiresAt: Date;
  parentKeyId?: string | null;
}

export interface CreatedKey {
  /** The full key: show it once, never store or log it. */
  key: string;
  view: KeyView;
}

type Tx = Prisma.TransactionClient | Context["db"];

/** Generates and stores a key; inserts through `tx` when given one. */
export async function createApiKey(
  ctx: Pick<Context, "db"> & { config: Pick<Context["config"], "BCRYPT_ROUNDS"> },
  options: CreateApiKeyOptions,
  tx: Tx = ctx.db,
): Promise<CreatedKey> {
  const { key, keyId, secret } = generateKey();
  // Only the secret is hashed: bcrypt ignores input past 72 bytes.
  const secretHash = await bcrypt.hash(secret, ctx.config.BCRYPT_ROUNDS);
  const row = await tx.apiKey.create({
    data: {
      keyId,
      secretHash,
      name: options.name,
      scopes: options.scopes,
      environmentIds: options.environmentIds,
      expiresAt: options.expiresAt,
      userId: options.userId,
      parentKeyId: options.parentKeyId ?? null,
    },
  });
  return { key, view: toKeyView(row) };
}

export function daysFromNow(days: number, now = new Date()): Date {
  return new Date(now.getTime() + days * 86_400_000);
}
