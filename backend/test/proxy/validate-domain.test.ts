import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import { validateDomain } from "../../src/core/public/validate-domain.js";

const rules = { platformHosts: ["berth.example.com"] };

function refusal(input: unknown): string {
  try {
    validateDomain(input, rules);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "INVALID_INPUT", details: { field: "domain" } });
    return (error as AppError).message;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

const CHARS = "domain: may only contain letters, digits, dashes and dots";
const SHAPE =
  "domain: each part must be letters, digits and dashes, not starting or ending with a dash";
const IP = "domain: must be a name, not an IP address";
const SINGLE = "domain: must have at least two parts, like app.example.com";

describe("validateDomain accepts and normalises", () => {
  it.each([
    ["app.example.com", "app.example.com"],
    ["App.Example.COM", "app.example.com"],
    ["  app.example.com  ", "app.example.com"],
    ["app.example.com.", "app.example.com"],
    ["a.b", "a.b"],
    ["1app.example.com", "1app.example.com"],
    ["my-app.example-domain.co.uk", "my-app.example-domain.co.uk"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["Bücher.example", "xn--bcher-kva.example"],
    ["münchen.de", "xn--mnchen-3ya.de"],
    ["faß.de", "xn--fa-hia.de"],
    ["ａｐｐ．example.com", "app.example.com"],
    ["x。example.com", "x.example.com"],
    ["app.berth.example.com", "app.berth.example.com"],
    [`${"a".repeat(63)}.example.com`, `${"a".repeat(63)}.example.com`],
    [`${"a.".repeat(125)}com`, `${"a.".repeat(125)}com`],
  ])("%j → %j", (input, expected) => {
    expect(validateDomain(input, rules)).toBe(expected);
  });
});

describe("validateDomain refuses", () => {
  it.each([
    [undefined, "domain: must be a string"],
    [42, "domain: must be a string"],
    ["", "domain: is required"],
    ["   ", "domain: is required"],
    ["\t", CHARS],
    ["*.example.com", "domain: wildcard domains are not supported"],
    ["app.*.com", "domain: wildcard domains are not supported"],
    ["localhost", "domain: localhost cannot be public"],
    ["LOCALHOST.", "domain: localhost cannot be public"],
    ["app.localhost", "domain: localhost cannot be public"],
    ["berth.example.com", "domain: is the platform's own host"],
    ["Berth.Example.com.", "domain: is the platform's own host"],
    ["intranet", SINGLE],
    ["1.2.3.4", IP],
    ["127.0.0.1", IP],
    ["0x7f.1", IP],
    ["1.2.3", IP],
    ["app.example.123", IP],
    ["[::1]", CHARS],
    ["::1", CHARS],
    ["-app.example.com", SHAPE],
    ["app-.example.com", SHAPE],
    ["app..example.com", SHAPE],
    [".example.com", SHAPE],
    ["app_1.example.com", CHARS],
    [
      `${"a".repeat(64)}.example.com`,
      "domain: each part between dots must be at most 63 characters",
    ],
    [`${"a.".repeat(126)}com`, "domain: must be at most 253 characters"],
    ["xn--zz.example.com", "domain: is not a valid hostname"],
    ["a\u2488.com", "domain: is not a valid hostname"],
  ])("%j", (input, message) => {
    expect(refusal(input)).toBe(message);
  });
});

describe("validateDomain refuses injection attempts", () => {
  it.each([
    "app.example.com; include /etc/passwd",
    "app.example.com;",
    "app.example.com{",
    "app.example.com}",
    "app.example.com#",
    "app.example.com#.evil.com",
    "evil.com\\app.example.com",
    "evil.com/app.example.com",
    "app.example.com$host",
    "app.example.com'",
    'app.example.com"',
    "app.example.com`id`",
    "app.example.com\nserver_name evil.com",
    "app.\nexample.com",
    "app.exa\tmple.com",
    "app.example.com\r",
    "app%2eexample.com",
    "app.example.com\u0000",
    "app example.com",
    "user@app.example.com",
    "app.example.com:443",
    "https://app.example.com",
    "-d evil.com",
    "--server=evil.com",
  ])("%j", (input) => {
    expect(refusal(input)).toBe(CHARS);
  });

  it.each([
    "app.example.com\uff1b",
    "app\uff5b.example.com",
    "app.example\uff04.com",
    "app\uff02.example.com",
  ])("%j (full-width punctuation maps to ASCII, then fails the pattern)", (input) => {
    expect(refusal(input)).toBe(SHAPE);
  });
});
