// The API key string: berth_<keyId>_<secret><checksum>.
// - a fixed prefix so secret scanners and people recognise a Berth key;
// - `_` separators, so a double-click selects the whole key;
// - a public key id (the database lookup), and a 214-bit secret;
// - a CRC32 checksum (base62, as GitHub's tokens carry) so a mistyped or
//   truncated key is refused without touching the database.
import { crc32 } from "node:zlib";
import { customAlphabet } from "nanoid";

export const KEY_PREFIX = "berth";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_ID_LENGTH = 12;
const SECRET_LENGTH = 36; // 36 × log2(62) ≈ 214 bits
const CHECKSUM_LENGTH = 6;

const newKeyId = customAlphabet(BASE62, KEY_ID_LENGTH);
const newSecret = customAlphabet(BASE62, SECRET_LENGTH);

const KEY_PATTERN = new RegExp(
  `^${KEY_PREFIX}_([0-9A-Za-z]{${KEY_ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

function base62(value: number, width: number): string {
  let out = "";
  let n = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function checksum(body: string): string {
  return base62(crc32(body), CHECKSUM_LENGTH);
}

export interface KeyParts {
  keyId: string;
  secret: string;
}

/** The full key for its parts (checksum included). */
export function assembleKey({ keyId, secret }: KeyParts): string {
  const body = `${KEY_PREFIX}_${keyId}_${secret}`;
  return body + checksum(body);
}

export function generateKey(): KeyParts & { key: string } {
  const parts = { keyId: newKeyId(), secret: newSecret() };
  return { key: assembleKey(parts), ...parts };
}

/** The key's parts, or null when it is malformed or its checksum is wrong. */
export function parseKey(key: string): KeyParts | null {
  const match = KEY_PATTERN.exec(key);
  if (!match) return null;
  const [, keyId, secret, sum] = match as unknown as [string, string, string, string];
  if (checksum(`${KEY_PREFIX}_${keyId}_${secret}`) !== sum) return null;
  return { keyId, secret };
}

/** A key id as users type it (for revoke commands): the public part only. */
export const KEY_ID_PATTERN = new RegExp(`^[0-9A-Za-z]{${KEY_ID_LENGTH}}$`);
