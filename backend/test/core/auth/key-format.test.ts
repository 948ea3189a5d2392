import { describe, expect, it } from "vitest";
import { generateKey, parseKey } from "../../../src/core/auth/key-format.js";

describe("API key format", () => {
  it("is berth_<keyId>_<secret><checksum> and parses back", () => {
    const { key, keyId, secret } = generateKey();
    expect(key).toMatch(/^berth_[0-9A-Za-z]{12}_[0-9A-Za-z]{42}$/);
    expect(key.startsWith(`berth_${keyId}_${secret}`)).toBe(true);
    expect(parseKey(key)).toEqual({ keyId, secret });
  });

  it("carries at least 192 bits of secret", () => {
    const { secret } = generateKey();
    expect(secret.length * Math.log2(62)).toBeGreaterThanOrEqual(192);
  });

  it("never repeats", () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateKey().key));
    expect(keys.size).toBe(1000);
  });

  it("refuses a mistyped, truncated or re-prefixed key without a lookup", () => {
    const { key } = generateKey();
    const flip = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === "a" ? "b" : "a") + s.slice(i + 1);
    expect(parseKey(flip(key, 10))).toBeNull(); // in the key id
    expect(parseKey(flip(key, 30))).toBeNull(); // in the secret
    expect(parseKey(flip(key, key.length - 1))).toBeNull(); // in the checksum
    expect(parseKey(key.slice(0, -1))).toBeNull();
    expect(parseKey(`${key}x`)).toBeNull();
    expect(parseKey(key.replace(/^berth_/, "other_"))).toBeNull();
    expect(parseKey(` ${key}`)).toBeNull();
    expect(parseKey("")).toBeNull();
  });
});
