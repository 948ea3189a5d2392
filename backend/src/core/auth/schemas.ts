// Input shapes of the key operations, shared by every door.
import { z } from "zod";
import { KEY_ID_PATTERN } from "./key-format.js";
import { SCOPES } from "./scopes.js";

export const keyNameSchema = z
  .string()
  .trim()
  .min(1, "a key name is required")
  .max(64, "a key name is at most 64 characters")
  .regex(/^[\p{L}\p{N} ._:@()-]+$/u, "use letters, digits, spaces and . _ : @ ( ) -");

export const keyIdSchema = z.string().regex(KEY_ID_PATTERN, "not a Berth key id");

export const mintKeySchema = z.strictObject({
  name: keyNameSchema,
  scopes: z.array(z.enum(SCOPES)).min(1, "give the key at least one scope"),
  environmentIds: z.array(z.uuid()).max(100).optional(),
  /** Lifetime in seconds; defaults to the configured default (never past the parent key). */
  expiresInSeconds: z.number().int().min(60).optional(),
});
export type MintKeyInput = z.infer<typeof mintKeySchema>;

export const revokeKeySchema = z.strictObject({ keyId: keyIdSchema });
