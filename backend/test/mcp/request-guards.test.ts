// The MCP settings and what the Host and Origin guards make of them.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { allowedHosts, allowedOrigins } from "../../src/mcp/request-guards.js";

const base = {
  DATABASE_URL: "postgresql://u@localhost:5432/berth",
  PUBLIC_URL: "https://berth.example.org",
  ENCRYPTION_KEY: "ab".repeat(32),
};

describe("MCP settings", () => {
  it("default to PUBLIC_URL's origin and host (plus loopback names) and no secret", () => {
    const config = loadConfig(base);
    expect(config.MCP_CONFIRM_SECRET).toBeUndefined();
    expect([...allowedOrigins(config)]).toEqual(["https://berth.example.org"]);
    expect(allowedHosts(config)).toEqual(["berth.example.org", "localhost", "127.0.0.1", "[::1]"]);
  });

  it("add configured origins (normalised) and hosts", () => {
    const config = loadConfig({
      ...base,
      MCP_ALLOWED_ORIGINS: "https://Agents.Example.org/app, http://10.0.0.5:8080",
      MCP_ALLOWED_HOSTS: "berth.internal, [fd00::1]",
    });
    expect([...allowedOrigins(config)]).toEqual([
      "https://berth.example.org",
      "https://agents.example.org",
      "http://10.0.0.5:8080",
    ]);
    expect(allowedHosts(config)).toEqual(
      expect.arrayContaining(["berth.internal", "[fd00::1]", "berth.example.org"]),
    );
  });

  it("refuse bad values, naming the setting", () => {
    expect(() => loadConfig({ ...base, MCP_ALLOWED_ORIGINS: "agents.example.org" })).toThrow(
      /MCP_ALLOWED_ORIGINS/,
    );
    expect(() => loadConfig({ ...base, MCP_ALLOWED_HOSTS: "a b" })).toThrow(/MCP_ALLOWED_HOSTS/);
    expect(() => loadConfig({ ...base, MCP_CONFIRM_SECRET: "short" })).toThrow(
      /MCP_CONFIRM_SECRET: must be at least 32 characters/,
    );
  });
});
