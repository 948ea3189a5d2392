import { describe, expect, it } from "vitest";
import { serialised } from "../../src/proxy/serial.js";

describe("serialised", () => {
  it("runs work under one key one at a time, in call order, past failures", async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = serialised("k", async () => {
      log.push("first start");
      await gate;
      log.push("first end");
      throw new Error("first failed");
    });
    const second = serialised("k", () => {
      log.push("second");
      return Promise.resolve(2);
    });
    const other = serialised("other key", () => {
      log.push("other");
      return Promise.resolve(3);
    });
    expect(await other).toBe(3);
    expect(log).toEqual(["first start", "other"]);
    release();
    await expect(first).rejects.toThrow("first failed");
    expect(await second).toBe(2);
    expect(log).toEqual(["first start", "other", "first end", "second"]);
  });
});
