// Values sealed at rest with AES-256-GCM: env var values and registry
// credentials. A sealed value is "v1.<iv>.<tag>.<ciphertext>" (base64url);
// the key comes from ENCRYPTION_KEY and never leaves the process.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "../errors.js";

export function seal(hexKey: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(hexKey, "hex"), iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export function unseal(hexKey: string, sealed: string): string {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || data === undefined) {
    throw new AppError("INTERNAL", "a sealed value is malformed");
  }
  try {
    const decipher = createDecipheriv(
      "aes-256-gcm",
      Buffer.from(hexKey, "hex"),
      Buffer.from(iv, "base64url"),
    );
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([
      decipher.update(Buffer.from(data, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    throw new AppError("INTERNAL", "a sealed value cannot be opened: was ENCRYPTION_KEY changed?");
  }
}
