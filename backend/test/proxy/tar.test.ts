import { describe, expect, it } from "vitest";
import { tarOneFile } from "../../src/proxy/tar.js";

function text(buf: Buffer, offset: number, length: number): string {
  return buf.subarray(offset, offset + length).toString("ascii");
}

describe("tarOneFile", () => {
  const archive = tarOneFile({
    name: "a.example.com.conf",
    content: "server {}\n",
    mtime: 1700000000,
  });

  it("writes one ustar header, the padded body and two end blocks", () => {
    expect(archive.length).toBe(512 * 4);
    expect(text(archive, 0, 19)).toBe("a.example.com.conf\0");
    expect(text(archive, 100, 8)).toBe("0000644\0");
    expect(text(archive, 108, 16)).toBe("0000000\u00000000000\0");
    expect(text(archive, 124, 12)).toBe("00000000012\0");
    expect(text(archive, 136, 12)).toBe("14524770400\0");
    expect(text(archive, 156, 1)).toBe("0");
    expect(text(archive, 257, 8)).toBe("ustar\u000000");
    expect(text(archive, 265, 5)).toBe("root\0");
    expect(text(archive, 512, 10)).toBe("server {}\n");
    expect(archive.subarray(522).every((byte) => byte === 0)).toBe(true);
  });

  it("carries the header checksum tar computes (checksum field read as spaces)", () => {
    const header = Buffer.from(archive.subarray(0, 512));
    const stored = parseInt(text(header, 148, 6), 8);
    header.fill(" ", 148, 156);
    expect(stored).toBe(header.reduce((sum, byte) => sum + byte, 0));
    expect(text(archive, 154, 2)).toBe("\0 ");
  });

  it("counts the body in bytes, not characters", () => {
    const utf8 = tarOneFile({ name: "x", content: "é", mtime: 0 });
    expect(text(utf8, 124, 12)).toBe("00000000002\0");
  });

  it.each(["", ".", "..", "a/b", "../x", "a b", "x".repeat(101)])("refuses the name %j", (name) => {
    expect(() => tarOneFile({ name, content: "" })).toThrow(/bad file name/);
  });
});
