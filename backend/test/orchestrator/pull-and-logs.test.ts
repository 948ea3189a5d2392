import { describe, expect, it } from "vitest";
import { pullFailure } from "../../src/orchestrator/images.js";
import { demuxLogs } from "../../src/orchestrator/logs.js";

describe("pull failures in words", () => {
  const ref = "127.0.0.1:5000/app:v9";
  it.each([
    [
      "manifest for 127.0.0.1:5000/app:v9 not found: manifest unknown: manifest unknown",
      "no such tag (manifest unknown)",
    ],
    [
      "pull access denied for app, repository does not exist or may require 'docker login'",
      "no such image (repository not found or private)",
    ],
    ["unauthorized: authentication required", "not authorized; check registryAuth"],
    [
      "no matching manifest for linux/amd64 in the manifest list entries",
      "the image has no build for this node's platform",
    ],
    [
      'Get "https://10.9.9.9/v2/": dial tcp 10.9.9.9:443: i/o timeout',
      "the registry cannot be reached",
    ],
  ])("%s", (message, reason) => {
    expect(pullFailure(ref, message)).toMatchObject({
      code: "INVALID_INPUT",
      message: `cannot pull ${ref}: ${reason}`,
    });
  });
});

describe("demuxLogs", () => {
  it("splits Docker's framed stream into lines per stream", () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    const buffer = Buffer.concat([frame(1, "one\ntwo\n"), frame(2, "oops\n"), frame(1, "three\n")]);
    expect(demuxLogs(buffer)).toEqual([
      { stream: "stdout", text: "one" },
      { stream: "stdout", text: "two" },
      { stream: "stderr", text: "oops" },
      { stream: "stdout", text: "three" },
    ]);
  });
});
