// What a key may do. Every door checks the same scopes through these
// functions; `admin` includes every other scope.
import { AppError } from "../errors.js";

export const SCOPES = [
  "environments:read",
  "environments:write",
  "deployments:read",
  "deployments:write",
  "logs:read",
  "keys:manage",
  "admin",
] as const;

export type Scope = (typeof SCOPES)[number];

/** Scopes a person's own key gets (magic link); admins also get `admin`. */
export const USER_SCOPES: Scope[] = SCOPES.filter((s) => s !== "admin");

/** The key a request came with. */
export interface ActorKey {
  /** Database id of the key row. */
  id: string;
  /** Public key id (the part of the key after `berth_`). */
  keyId: string;
  name: string;
  expiresAt: Date | null;
}

/**
 * Who is calling and what they may do: a key's owner limited by the key, or
 * (for the bot, where Telegram vouches for the person) the user themselves.
 */
export interface Actor {
  userId: string;
  userName: string;
  role: "USER" | "ADMIN";
  scopes: Scope[];
  /** Environments the actor is limited to; empty means all of the owner's. */
  environmentIds: string[];
  key: ActorKey | null;
}

/** Every scope a user holds in their own right (keys are cut from these). */
export function userScopes(role: "USER" | "ADMIN"): Scope[] {
  return role === "ADMIN" ? [...SCOPES] : USER_SCOPES;
}

/** The actor for a person acting directly (not through a key). */
export function actorForUser(user: { id: string; name: string; role: "USER" | "ADMIN" }): Actor {
  return {
    userId: user.id,
    userName: user.name,
    role: user.role,
    scopes: userScopes(user.role),
    environmentIds: [],
    key: null,
  };
}

export function hasScope(actor: Pick<Actor, "scopes">, scope: Scope): boolean {
  return actor.scopes.includes(scope) || actor.scopes.includes("admin");
}

/** Throws FORBIDDEN naming the missing scope. */
export function requireScope(actor: Pick<Actor, "scopes">, scope: Scope): void {
  if (!hasScope(actor, scope)) {
    throw new AppError("FORBIDDEN", `this API key lacks the scope ${scope}`, { scope });
  }
}

/** Whether the key may act on this environment at all (ownership is separate). */
export function keyAllowsEnvironment(
  actor: Pick<Actor, "environmentIds">,
  environmentId: string,
): boolean {
  return actor.environmentIds.length === 0 || actor.environmentIds.includes(environmentId);
}

/** Scopes granted by `scopes`, with `admin` expanded to everything. */
export function effectiveScopes(scopes: readonly Scope[]): Set<Scope> {
  return new Set(scopes.includes("admin") ? SCOPES : scopes);
}

/** Who the actor is and what its key allows (never the key itself). */
export function whoamiView(actor: Actor) {
  return {
    user: { id: actor.userId, name: actor.userName, role: actor.role },
    key: actor.key && {
      keyId: actor.key.keyId,
      name: actor.key.name,
      scopes: actor.scopes,
      environmentIds: actor.environmentIds,
      expiresAt: actor.key.expiresAt,
    },
  };
}
