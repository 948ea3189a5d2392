// The bot's pure parts: flood control's token bucket, HTML escaping and
// trimming, error replies, what gets logged of grammY's errors, and the
// bot settings.
import { GrammyError, HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loggable, replyForError } from "../../src/bot/errors.js";
import { TokenBuckets } from "../../src/bot/flood.js";
import { escapeHtml, formatDate, lastLines, shorten } from "../../src/bot/format.js";
import { loadConfig } from "../../src/config.js";
import { AppError } from "../../src/core/errors.js";
import { cleanName, telegramUserAllowed } from "../../src/core/users/upsert-telegram-user.js";

describe("TokenBuckets", () => {
  it("passes a burst, warns once, drops, and refills with time", () => {
    let now = 0;
    const buckets = new TokenBuckets(3, () => now);
    expect([1, 2, 3].map(() => buckets.take(42))).toEqual(["pass", "pass", "pass"]);
    expect(buckets.take(42)).toBe("warn");
    expect(buckets.take(42)).toBe("drop");
    expect(buckets.take(7)).toBe("pass"); // per user
    now += 20_000; // 3 a minute: one token back
    expect(buckets.take(42)).toBe("pass");
    expect(buckets.take(42)).toBe("warn"); // warned again after recovering
    now += 10 * 60_000;
    expect([1, 2, 3, 4].map(() => buckets.take(42))).toEqual(["pass", "pass", "pass", "warn"]);
  });
});

describe("format", () => {
  it("escapes what Telegram's HTML mode treats specially", () => {
    expect(escapeHtml(`<a href="x">&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;",
    );
  });

  it("keeps whole last lines, and shortens one-line text", () => {
    expect(lastLines("one\ntwo\nthree", 100)).toEqual({ text: "one\ntwo\nthree", trimmed: false });
    expect(lastLines("one\ntwo\nthree", 9)).toEqual({ text: "three", trimmed: true });
    expect(shorten("a\n b   c", 10)).toBe("a b c");
    expect(shorten("abcdefghij", 5)).toBe("abcd…");
    expect(formatDate(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02 03:04 UTC");
    expect(formatDate(null)).toBe("never");
  });
});

describe("replyForError", () => {
  it("shows core messages (escaped) and hides internal errors", () => {
    expect(replyForError(new AppError("NOT_FOUND", "no such key"))).toEqual({
      html: "No such key.",
      unexpected: false,
    });
    expect(replyForError(new AppError("CONFLICT", "name <x> taken")).html).toBe(
      "Name &lt;x&gt; taken.",
    );
    const zod = z.string().min(3, "too short").safeParse("a").error!;
    expect(replyForError(zod).html).toBe("That did not work: too short.");
    const boom = replyForError(new Error("database password is hunter2"));
    expect(boom.unexpected).toBe(true);
    expect(boom.html).not.toContain("hunter2");
  });
});

describe("loggable", () => {
  it("drops grammY's payload and the fetch error that can hold the token", () => {
    const api = new GrammyError(
      "Call to 'sendMessage' failed!",
      { ok: false, error_code: 400, description: "Bad Request" },
      "sendMessage",
      { chat_id: 1, text: "http://x/auth/verify?token=SECRET" },
    );
    expect(JSON.stringify(loggable(api))).not.toContain("SECRET");
    const net = new HttpError("Network request for 'getMe' failed!", {
      message: "request to https://api.telegram.org/bot1:TOKEN/getMe failed",
    });
    expect(JSON.stringify(loggable(net))).not.toContain("TOKEN");
  });
});

describe("Telegram users", () => {
  it("checks the allowlist, open when empty", () => {
    expect(telegramUserAllowed({ TELEGRAM_ALLOWED_USER_IDS: [] }, 5)).toBe(true);
    expect(telegramUserAllowed({ TELEGRAM_ALLOWED_USER_IDS: ["5", "6"] }, 6)).toBe(true);
    expect(telegramUserAllowed({ TELEGRAM_ALLOWED_USER_IDS: ["5"] }, 55)).toBe(false);
  });

  it("cleans names: no control characters, at most 64 characters", () => {
    expect(cleanName(" Ada\u202e\n Lovelace ")).toBe("Ada Lovelace");
    expect([...cleanName("🙂".repeat(100))]).toHaveLength(64);
    expect(cleanName("\u200b")).toBe("Telegram user");
  });
});

describe("bot settings", () => {
  const base = {
    DATABASE_URL: "postgresql://u@localhost:5432/berth",
    ENCRYPTION_KEY: "ab".repeat(32),
  };

  it("defaults: Telegram's API, long polling, open, 20 a minute", () => {
    const config = loadConfig(base);
    expect(config.TELEGRAM_API_ROOT).toBe("https://api.telegram.org");
    expect(config.TELEGRAM_WEBHOOK_URL).toBeUndefined();
    expect(config.TELEGRAM_ALLOWED_USER_IDS).toEqual([]);
    expect(config.TELEGRAM_RATE_LIMIT_PER_MINUTE).toBe(20);
  });

  it("parses the allowlist and refuses anything but user ids", () => {
    const config = loadConfig({ ...base, TELEGRAM_ALLOWED_USER_IDS: " 123, 456 ," });
    expect(config.TELEGRAM_ALLOWED_USER_IDS).toEqual(["123", "456"]);
    expect(() => loadConfig({ ...base, TELEGRAM_ALLOWED_USER_IDS: "123,@ada" })).toThrowError(
      /TELEGRAM_ALLOWED_USER_IDS/,
    );
  });

  it("requires a secret with a webhook URL, and a well-formed one", () => {
    const url = "https://berth.example.org/telegram/webhook";
    expect(() => loadConfig({ ...base, TELEGRAM_WEBHOOK_URL: url })).toThrowError(
      /TELEGRAM_WEBHOOK_SECRET: is required with TELEGRAM_WEBHOOK_URL/,
    );
    expect(() =>
      loadConfig({ ...base, TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_SECRET: "short" }),
    ).toThrowError(/TELEGRAM_WEBHOOK_SECRET/);
    const ok = loadConfig({
      ...base,
      TELEGRAM_WEBHOOK_URL: url,
      TELEGRAM_WEBHOOK_SECRET: "a-long-enough_secret-123",
    });
    expect(ok.TELEGRAM_WEBHOOK_SECRET).toBe("a-long-enough_secret-123");
  });
});
