import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, SETTING_NAMES } from "../src/config.js";

const base = {
  DATABASE_URL: "postgresql://u@localhost:5432/berth",
  ENCRYPTION_KEY: "ab".repeat(32),
};

describe("loadConfig", () => {
  it("fills defaults", () => {
    const config = loadConfig(base);
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe("0.0.0.0");
    expect(config.LOG_LEVEL).toBe("info");
    expect(config.PUBLIC_URL).toBe("http://localhost:3000");
    expect(config.BERTH_INSTANCE).toBe("berth");
    expect(config.BERTH_DOCKER_LABELS).toEqual({});
    expect(config.MIGRATE_ON_START).toBe(true);
  });

  it("names a missing variable", () => {
    expect(() => loadConfig({})).toThrowError(/DATABASE_URL: is required/);
    expect(() => loadConfig({})).toThrowError(/ENCRYPTION_KEY: is required/);
  });

  it("names every bad variable", () => {
    try {
      loadConfig({ ...base, PORT: "70000", LOG_LEVEL: "loud", TELEGRAM_BOT_TOKEN: "nope" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { issues } = error as ConfigError;
      expect(issues.map((i) => i.split(":")[0])).toEqual([
        "PORT",
        "LOG_LEVEL",
        "TELEGRAM_BOT_TOKEN",
      ]);
    }
  });

  it("refuses a DATABASE_URL that is not PostgreSQL", () => {
    expect(() => loadConfig({ ...base, DATABASE_URL: "mysql://x" })).toThrowError(
      /DATABASE_URL: must be a postgresql:\/\/ URL/,
    );
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ ...base, PORT: "", PUBLIC_URL: "" }).PORT).toBe(3000);
  });

  it("parses booleans, labels and the public URL", () => {
    const config = loadConfig({
      ...base,
      MIGRATE_ON_START: "false",
      BERTH_DOCKER_LABELS: "berth.test=abc, team=ops",
      PUBLIC_URL: "https://berth.example.org",
    });
    expect(config.MIGRATE_ON_START).toBe(false);
    expect(config.BERTH_DOCKER_LABELS).toEqual({ "berth.test": "abc", team: "ops" });
    expect(config.PUBLIC_URL).toBe("https://berth.example.org");
  });

  it("refuses a bad label list and a non-http public URL", () => {
    expect(() => loadConfig({ ...base, BERTH_DOCKER_LABELS: "Bad Key=1" })).toThrowError(
      /BERTH_DOCKER_LABELS/,
    );
    expect(() => loadConfig({ ...base, PUBLIC_URL: "ftp://x" })).toThrowError(/PUBLIC_URL/);
  });
});

describe(".env.example", () => {
  it("lists every setting config.ts reads, and nothing else", () => {
    const text = readFileSync(join(import.meta.dirname, "../../.env.example"), "utf8");
    const listed = [...text.matchAll(/^(?:# )?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    const extra = ["BERTH_PG_PORT"]; // read by scripts/start.sh, not by Berth itself
    expect(new Set(listed)).toEqual(new Set([...SETTING_NAMES, ...extra]));
  });
});
