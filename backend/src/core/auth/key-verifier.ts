// Verifies presented API keys. bcrypt stays the storage format, but running
// it on every request would cap the API at a few dozen requests a second, so
// a successful verification is cached in memory by key id with a SHA-256 of
// the secret (compared in constant time). Revocation evicts the entry at once
// (revokeApiKey calls forget), expiry is checked on every request, and
// entries also age out so changes made by another process are seen.
// Last-used times are kept here and written in batches, not per request.
import { hash, timingSafeEqual } from "node:crypto";
import bcrypt from "bcrypt";
import type { Db } from "../../db/client.js";
import { parseKey } from "./key-format.js";
import type { Actor, Scope } from "./scopes.js";

const MAX_ENTRIES = 10_000;
// A real bcrypt hash to compare against when the key id is unknown, so that
// unknown and wrong keys cost the same time.
const DUMMY_HASH = "$2b$10$CwTycUXWue0Thq9StjUM0uJ8.hXk1G1ryFQ9F1aPkV1Xb8L5hD4Tm";

interface KeyRow {
  id: string;
  keyId: string;
  name: string;
  secretHash: string;
  scopes: string[];
  environmentIds: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  user: { id: string; name: string; role: "USER" | "ADMIN" };
}

interface CacheEntry {
  row: KeyRow;
  digest: Buffer;
  cachedAt: number;
}

export interface KeyVerifierOptions {
  /** How long a cached verification is trusted without re-reading the row. */
  maxCacheAgeMs?: number;
  now?: () => Date;
}

// The one-shot hash: a fresh Hash object per request showed in the profile.
function sha256(text: string): Buffer {
  return hash("sha256", text, "buffer");
}

function toActor(row: KeyRow): Actor {
  return {
    userId: row.user.id,
    userName: row.user.name,
    role: row.user.role,
    scopes: row.scopes as Scope[],
    environmentIds: row.environmentIds,
    key: { id: row.id, keyId: row.keyId, name: row.name, expiresAt: row.expiresAt },
  };
}

export class KeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastUsed = new Map<string, Date>();
  /** Bumped by forget(), so a verification that read the row before a
   * revocation committed does not put the stale row back in the cache. */
  private readonly generations = new Map<string, number>();
  private readonly maxAgeMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    options: KeyVerifierOptions = {},
  ) {
    this.maxAgeMs = options.maxCacheAgeMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** The actor for a presented key, or null for any kind of bad key. */
  async verify(presented: string): Promise<Actor | null> {
    const parts = parseKey(presented);
    if (!parts) return null;
    const digest = sha256(parts.secret);
    const row = this.fromCache(parts.keyId, digest) ?? (await this.fromDb(parts, digest));
    const now = this.now();
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
    this.lastUsed.set(row.id, now);
    return toActor(row);
  }

  /** Drops a key from the cache (called on revocation). */
  forget(keyId: string): void {
    this.cache.delete(keyId);
    this.generations.set(keyId, (this.generations.get(keyId) ?? 0) + 1);
  }

  /** Writes the batched last-used times; call periodically and at shutdown. */
  async flushLastUsed(): Promise<void> {
    const batch = [...this.lastUsed];
    this.lastUsed.clear();
    for (const [id, at] of batch) {
      await this.db.apiKey.updateMany({
        where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
        data: { lastUsedAt: at },
      });
    }
  }

  private fromCache(keyId: string, digest: Buffer): KeyRow | null {
    const entry = this.cache.get(keyId);
    if (!entry) return null;
    if (Date.now() - entry.cachedAt > this.maxAgeMs || !timingSafeEqual(entry.digest, digest)) {
      return null;
    }
    return entry.row;
  }

  private async fromDb(parts: { keyId: string; secret: string }, digest: Buffer) {
    const generation = this.generations.get(parts.keyId);
    const row = await this.db.apiKey.findUnique({
      where: { keyId: parts.keyId },
      include: { user: { select: { id: true, name: true, role: true } } },
    });
    const ok = await bcrypt.compare(parts.secret, row?.secretHash ?? DUMMY_HASH);
    if (!row || !ok) return null;
    if (this.generations.get(parts.keyId) !== generation) return row;
    if (this.cache.size >= MAX_ENTRIES) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(parts.keyId, { row, digest, cachedAt: Date.now() });
    return row;
  }
}
