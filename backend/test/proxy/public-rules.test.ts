// Pure parts of public environments: which domain, which port, the input
// shape, what the owner is told, and what the doors show.
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import { failureText, routeOf, siteOf } from "../../src/core/public/publish.js";
import { chooseDomain, defaultPort } from "../../src/core/public/resolve-route.js";
import { makePublicSchema } from "../../src/core/public/schemas.js";
import { toPublicView } from "../../src/core/public/view.js";
import type { Environment } from "../../src/generated/prisma/client.js";

const config = { PUBLIC_URL: "https://berth.example.com", PUBLIC_BASE_DOMAIN: "apps.example.com" };
const noBase = { PUBLIC_URL: "https://berth.example.com", PUBLIC_BASE_DOMAIN: undefined };
const refusal = (field: string): unknown =>
  expect.objectContaining({ code: "INVALID_INPUT", details: { field } });

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error("did not throw");
}

describe("chooseDomain", () => {
  it("normalises the domain asked for", () => {
    expect(chooseDomain(config, "shop-a1b2c3", "Shop.Example.ORG.")).toBe("shop.example.org");
    expect(chooseDomain(noBase, "shop-a1b2c3", "bücher.example")).toBe("xn--bcher-kva.example");
  });

  it("gives <slug>.<base domain> when none is asked for, and refuses without a base", () => {
    expect(chooseDomain(config, "shop-a1b2c3", undefined)).toBe("shop-a1b2c3.apps.example.com");
    expect(thrown(() => chooseDomain(noBase, "shop-a1b2c3", undefined))).toEqual(refusal("domain"));
  });

  it("keeps names under the base domain for their own environment", () => {
    const own = "shop-a1b2c3.apps.example.com";
    expect(chooseDomain(config, "shop-a1b2c3", own)).toBe(own);
    for (const taken of [
      "blog-zzzzzz.apps.example.com",
      "apps.example.com",
      "a.b.apps.example.com",
    ]) {
      expect(
        thrown(() => chooseDomain(config, "shop-a1b2c3", taken)),
        taken,
      ).toEqual(refusal("domain"));
    }
    expect(chooseDomain(config, "shop-a1b2c3", "myapps.example.com")).toBe("myapps.example.com");
  });

  it("refuses the platform's own host and anything validateDomain refuses", () => {
    for (const bad of ["BERTH.example.com", "localhost", "10.0.0.1", "*.example.com", "a b.com"]) {
      expect(
        thrown(() => chooseDomain(config, "shop-a1b2c3", bad)),
        bad,
      ).toEqual(refusal("domain"));
    }
  });
});

describe("defaultPort", () => {
  it("is the one TCP port the service declares", () => {
    expect(defaultPort([{ containerPort: 8080, protocol: "tcp" }])).toBe(8080);
    expect(defaultPort([{ containerPort: 3000 }, { containerPort: 53, protocol: "udp" }])).toBe(
      3000,
    );
  });

  it("is required when there is none or several", () => {
    for (const ports of [[], null, [{ containerPort: 1 }, { containerPort: 2 }]]) {
      expect(thrown(() => defaultPort(ports))).toEqual(refusal("port"));
    }
  });
});

describe("makePublicSchema", () => {
  it("takes a deployment or a service, an optional domain and port", () => {
    expect(makePublicSchema.parse({ service: "web", port: 80 })).toEqual({
      service: "web",
      port: 80,
    });
    expect(makePublicSchema.safeParse({ deploymentId: "job_abcdefgh" }).success).toBe(true);
  });

  it("refuses both or neither, bad ports and unknown fields", () => {
    const bad = [
      {},
      { service: "web", deploymentId: "job_abcdefgh" },
      { service: "web", port: 0 },
      { service: "web", port: 65536 },
      { service: "web", port: "80" },
      { service: "web", port: 80.5 },
      { service: "web", network: "host" },
    ];
    for (const input of bad)
      expect(makePublicSchema.safeParse(input).success, JSON.stringify(input)).toBe(false);
  });
});

const env = {
  id: "e1",
  slug: "shop-a1b2c3",
  publicDomain: "shop.example.org",
  publicService: "web",
  publicPort: 8080,
  publicStatus: "ACTIVE",
  certError: null,
  certIssuedAt: new Date(0),
} as Environment;

describe("what a public route becomes", () => {
  it("upstreams on Berth's own service name", () => {
    expect(siteOf(env.slug, routeOf(env)!)).toEqual({
      domain: "shop.example.org",
      upstreamHost: "berth-shop-a1b2c3-web",
      upstreamPort: 8080,
      certificate: "issued",
    });
    expect(routeOf({ ...env, publicDomain: null })).toBeNull();
  });

  it("tells the owner the tool's reason, never an internal error's text", () => {
    const certbot = new AppError("UNAVAILABLE", "could not obtain a certificate", {
      reason: "Domain: shop.example.org\nType: connection",
    });
    expect(failureText(certbot)).toBe(
      "could not obtain a certificate\nDomain: shop.example.org\nType: connection",
    );
    expect(failureText(new AppError("UNAVAILABLE", "proxy down"))).toBe("proxy down");
    expect(failureText(new Error("secret stack"))).not.toContain("secret");
    expect(failureText(new AppError("INTERNAL", "x", { reason: "y".repeat(5000) }))).toHaveLength(
      2000,
    );
  });

  it("is shown with its URL once active", () => {
    expect(toPublicView(env)).toEqual({
      environmentId: "e1",
      domain: "shop.example.org",
      status: "ACTIVE",
      service: "web",
      port: 8080,
      error: null,
      url: "https://shop.example.org",
      certIssuedAt: new Date(0),
    });
    expect(toPublicView({ ...env, publicStatus: "PENDING_CERT" }).url).toBeNull();
  });
});
