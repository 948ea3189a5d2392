import { describe, expect, it } from "vitest";
import {
  formatBytes,
  parseCpus,
  parseDuration,
  parseMemory,
} from "../../../src/core/deployments/units.js";

describe("units", () => {
  it("reads CPUs as NanoCPUs", () => {
    expect(parseCpus("0.5")).toBe(500_000_000);
    expect(parseCpus(".25")).toBe(250_000_000);
    expect(parseCpus("2")).toBe(2_000_000_000);
    expect(parseCpus(1.5)).toBe(1_500_000_000);
    expect(parseCpus("500m")).toBe(500_000_000);
    for (const bad of ["0", "-1", "1e3", "0.5 ", "abc", "", "0m", Number.NaN, 0, -1, Infinity]) {
      expect(parseCpus(bad)).toBeNull();
    }
  });

  it("reads memory in binary units, as docker run does", () => {
    expect(parseMemory("512M")).toBe(512 * 1024 ** 2);
    expect(parseMemory("512m")).toBe(512 * 1024 ** 2);
    expect(parseMemory("512MB")).toBe(512 * 1024 ** 2);
    expect(parseMemory("1.5GiB")).toBe(1.5 * 1024 ** 3);
    expect(parseMemory("1g")).toBe(1024 ** 3);
    expect(parseMemory("64k")).toBe(65536);
    expect(parseMemory("1000b")).toBe(1000);
    expect(parseMemory("1000")).toBe(1000);
    expect(parseMemory(4096)).toBe(4096);
    for (const bad of ["", "M", "-1M", "1X", "1 GB extra", "1e9", 1.5, 0, -5]) {
      expect(parseMemory(bad)).toBeNull();
    }
  });

  it("reads durations as nanoseconds", () => {
    expect(parseDuration("30s")).toBe(30e9);
    expect(parseDuration("500ms")).toBe(500e6);
    expect(parseDuration("2m")).toBe(120e9);
    expect(parseDuration("1h")).toBe(3600e9);
    expect(parseDuration(5)).toBe(5e9);
    for (const bad of ["30", "1d", "1.5s", "-1s", -1, 100_000])
      expect(parseDuration(bad)).toBeNull();
  });

  it("formats bytes for messages", () => {
    expect(formatBytes(2 * 1024 ** 3)).toBe("2G");
    expect(formatBytes(1536 * 1024)).toBe("1536K");
    expect(formatBytes(1000)).toBe("1000");
  });
});
