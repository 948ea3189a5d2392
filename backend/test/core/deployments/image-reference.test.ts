import { describe, expect, it } from "vitest";
import {
  parseImageReference,
  serviceNameFromImage,
} from "../../../src/core/deployments/image-reference.js";
import {
  nonPublicRegistry,
  parseIpv6,
  registryRefusal,
} from "../../../src/core/deployments/registry-address.js";

const DIGEST = `sha256:${"a1".repeat(32)}`;

function parsed(raw: string) {
  const result = parseImageReference(raw);
  if (!result.ok) throw new Error(`${raw}: ${result.error}`);
  return result.value;
}

function error(raw: string): string {
  const result = parseImageReference(raw);
  if (result.ok) throw new Error(`${JSON.stringify(raw)} was accepted`);
  return result.error;
}

describe("image references", () => {
  it.each([
    [
      "nginx",
      { registry: "docker.io", repository: "library/nginx", reference: "docker.io/library/nginx" },
    ],
    [
      "nginx:1.25",
      { repository: "library/nginx", tag: "1.25", reference: "docker.io/library/nginx:1.25" },
    ],
    ["bitnami/redis:7", { registry: "docker.io", repository: "bitnami/redis", tag: "7" }],
    ["index.docker.io/library/nginx", { registry: "docker.io", repository: "library/nginx" }],
    ["ghcr.io/owner/app:v1", { registry: "ghcr.io", repository: "owner/app", tag: "v1" }],
    ["Ghcr.IO/owner/app", { registry: "ghcr.io", repository: "owner/app" }],
    [
      "127.0.0.1:5000/berth-test/app:v1",
      { registry: "127.0.0.1:5000", repository: "berth-test/app" },
    ],
    ["localhost/app", { registry: "localhost", repository: "app" }],
    ["[::1]:5000/app", { registry: "[::1]:5000", repository: "app" }],
    ["registry:5000/app", { registry: "registry:5000", repository: "app" }],
    ["owner/a.b-c_d__e---f", { registry: "docker.io", repository: "owner/a.b-c_d__e---f" }],
    ["x.io/a/b/c/d:1_2.3-4", { registry: "x.io", repository: "a/b/c/d", tag: "1_2.3-4" }],
    [
      `app@${DIGEST}`,
      { repository: "library/app", digest: DIGEST, reference: `docker.io/library/app@${DIGEST}` },
    ],
    [
      `app:v1@${DIGEST}`,
      { tag: "v1", digest: DIGEST, reference: `docker.io/library/app:v1@${DIGEST}` },
    ],
  ])("parses %s", (raw, expected) => {
    expect(parsed(raw)).toMatchObject(expected);
  });

  it.each([
    ["nginx; rm -rf /", /space/],
    ["nginx;id", /contains ";"/],
    ["nginx\nlatest", /newline/],
    ["nginx:latest&&curl", /contains "&"/],
    ["$(id)", /contains "\$"/],
    ["`id`", /contains "`"/],
    ["nginx|sh", /contains "\|"/],
    ["nginx>x", /contains ">"/],
    ["-nginx", /starts with a dash/],
    ["--help", /starts with a dash/],
    ["", /empty/],
    ["ngïnx", /non-ASCII/],
    ["NGINX", /lowercase/],
    ["owner/App", /lowercase/],
    ["nginx:", /invalid tag/],
    ["nginx:-x", /invalid tag/],
    [`nginx:${"t".repeat(129)}`, /invalid tag/],
    ["nginx@sha256:abc", /invalid digest/],
    [`nginx@md5:${"a".repeat(64)}`, /invalid digest/],
    [`nginx@${DIGEST}@${DIGEST}`, /more than one @/],
    ["a//b", /invalid part ""/],
    ["a/", /invalid part ""/],
    ["a..b", /invalid part "a..b"/],
    ["a___b", /invalid part/],
    ["-a.io/b", /starts with a dash/],
    ["a-.io/b", /not a valid host name/],
    ["a_b.io/c", /not a valid host name/],
    ["a.io:99999/b", /out of range/],
    ["a.io:x/b", /not a number|invalid tag/],
    ["a".repeat(64).replace(/a/g, "f"), /64-character hex/],
    [`${"a".repeat(256)}`, /longer than 255/],
    [`x.io/${"a/".repeat(130)}a`, /longer than 255/],
    ["a".repeat(600), /longer than 512/],
  ])("refuses %j", (raw, message) => {
    expect(error(raw)).toMatch(message);
  });

  it("derives a DNS-label service name from the image", () => {
    expect(serviceNameFromImage(parsed("ghcr.io/owner/my_app.server:v1"))).toBe("my-app-server");
    expect(serviceNameFromImage(parsed("nginx"))).toBe("nginx");
    expect(serviceNameFromImage(parsed("9to5"))).toBe("to5");
    expect(serviceNameFromImage(parsed("x.io/123"))).toBe("app");
    expect(serviceNameFromImage(parsed(`x.io/${"a".repeat(40)}`))).toHaveLength(24);
  });
});

describe("registry addresses", () => {
  it.each([
    ["10.0.0.1:5000", /private/],
    ["172.16.5.4", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.1:443", /private/],
    ["127.0.0.1:5000", /loopback/],
    ["127.8.9.10", /loopback/],
    ["169.254.169.254", /link-local/],
    ["0.0.0.0:5000", /this network/],
    ["100.64.0.1", /carrier-grade/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /reserved/],
    ["localhost:5000", /loopback name/],
    ["registry.localhost", /loopback name/],
    ["[::1]:5000", /loopback/],
    ["[::]", /unspecified/],
    ["[fe80::1]", /link-local/],
    ["[fc00::1]", /private/],
    ["[fd12:3456::1]:5000", /private/],
    ["[::ffff:7f00:1]", /loopback/],
    ["[::ffff:a9fe:a9fe]", /link-local/],
    ["[64:ff9b::a00:1]", /private/],
    ["[ff02::1]", /multicast/],
    ["[1::2::3]", /not a valid IPv6/],
    ["127.1", /four decimal numbers/],
    ["0x7f000001:5000", /four decimal numbers/],
    ["2130706433:5000", /four decimal numbers/],
    ["010.0.0.1", /leading zeros/],
    ["300.1.1.1", /not a valid IPv4/],
    ["registry:5000", /single-label/],
  ])("refuses %s", (registry, message) => {
    expect(nonPublicRegistry(registry)).toMatch(message);
  });

  it.each([
    "docker.io",
    "ghcr.io",
    "registry.example.com:443",
    "8.8.8.8",
    "172.32.0.1",
    "192.169.0.1",
    "[2001:db8::1]:5000",
  ])("accepts %s", (registry) => {
    expect(nonPublicRegistry(registry)).toBeNull();
  });

  it("lets the operator allowlist an exact registry", () => {
    expect(registryRefusal("127.0.0.1:5000", ["127.0.0.1:5000"])).toBeNull();
    expect(registryRefusal("127.0.0.1:5001", ["127.0.0.1:5000"])).toMatch(
      /registry 127.0.0.1:5001 is a loopback address; .* unless the operator allowlists this one/,
    );
    expect(registryRefusal("Registry.Corp:5000", ["registry.corp:5000"])).toBeNull();
  });

  it("expands IPv6 addresses", () => {
    expect(parseIpv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("fe80::a:b")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0xa, 0xb]);
    expect(parseIpv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6("1:2:3:4:5:6:7")).toBeNull();
    expect(parseIpv6("1:2:3:4::5:6:7:8")).toBeNull();
    expect(parseIpv6("12345::")).toBeNull();
  });
});
