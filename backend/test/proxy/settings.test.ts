// The proxy's settings, from the environment to the container Berth makes.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { splitEvents } from "../../src/proxy/events.js";
import { acmeOptions, proxyContainerOptions } from "../../src/proxy/settings.js";
import { berthSite } from "../../src/core/public/berth-site.js";

const base = { DATABASE_URL: "postgresql://u@localhost/berth", ENCRYPTION_KEY: "ab".repeat(32) };

describe("proxy settings", () => {
  it("default to off, Let's Encrypt, ports 80 and 443 on every address", () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      PROXY_ENABLED: false,
      PROXY_IMAGE: "berth-proxy:latest",
      PROXY_CONTAINER: "berth-proxy",
      PROXY_HTTP_PORT: 80,
      PROXY_HTTPS_PORT: 443,
      PROXY_BIND_ADDRESS: "0.0.0.0",
      ACME_DIRECTORY: "https://acme-v02.api.letsencrypt.org/directory",
    });
    expect(config.PUBLIC_BASE_DOMAIN).toBeUndefined();
  });

  it("name the ACME directory, normalise the base domain, refuse bad values", () => {
    const config = loadConfig({
      ...base,
      ACME_DIRECTORY: "letsencrypt-staging",
      PUBLIC_BASE_DOMAIN: "Apps.Example.COM.",
    });
    expect(config.ACME_DIRECTORY).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
    expect(config.PUBLIC_BASE_DOMAIN).toBe("apps.example.com");
    const bad = {
      ACME_DIRECTORY: "http://plain.example/dir",
      PUBLIC_BASE_DOMAIN: "localhost",
      ACME_EMAIL: "nobody",
      ACME_CA_BUNDLE: "relative/ca.pem",
      PROXY_HTTP_PORT: "0",
      PROXY_CONTAINER: "-x",
      PROXY_BIND_ADDRESS: "everywhere",
    };
    for (const [key, value] of Object.entries(bad)) {
      expect(() => loadConfig({ ...base, [key]: value }), key).toThrow(new RegExp(`${key}:`));
    }
  });

  it("serve Berth itself only when asked, under PUBLIC_URL's host, to the upstream given", () => {
    expect(berthSite(loadConfig(base))).toBeNull();
    const own = { ...base, PROXY_ENABLED: "true", PROXY_SERVE_BERTH: "true" };
    expect(berthSite(loadConfig({ ...own, PUBLIC_URL: "https://Berth.Example.org/" }))).toEqual({
      domain: "berth.example.org",
      upstreamHost: "backend",
      upstreamPort: 3000,
      certificate: "issued",
    });
    const custom = {
      ...own,
      PUBLIC_URL: "https://b.example.org",
      PROXY_BERTH_UPSTREAM: "10.0.0.2:8080",
    };
    expect(berthSite(loadConfig(custom))).toMatchObject({
      upstreamHost: "10.0.0.2",
      upstreamPort: 8080,
    });
  });

  it("refuse serving Berth without the proxy, or without an https PUBLIC_URL on a name", () => {
    const own = { ...base, PROXY_SERVE_BERTH: "true", PUBLIC_URL: "https://b.example.org" };
    expect(() => loadConfig(own)).toThrow(/PROXY_SERVE_BERTH: needs PROXY_ENABLED=true/);
    const on = { ...own, PROXY_ENABLED: "true" };
    for (const url of ["http://b.example.org", "https://b.example.org:8443"]) {
      expect(() => loadConfig({ ...on, PUBLIC_URL: url }), url).toThrow(
        /PUBLIC_URL: must be https:\/\/<host> \(no port\)/,
      );
    }
    expect(() => loadConfig({ ...on, PUBLIC_URL: "https://10.0.0.1" })).toThrow(
      /PUBLIC_URL: domain: must be a name, not an IP address/,
    );
    expect(() => loadConfig({ ...on, PUBLIC_URL: undefined })).toThrow(/PUBLIC_URL: must be https/);
    expect(() => loadConfig({ ...on, PROXY_BERTH_UPSTREAM: "backend" })).toThrow(
      /PROXY_BERTH_UPSTREAM: must be host:port/,
    );
  });

  it("describe the container: labelled, named volumes, the CA bundle mounted read-only", () => {
    const config = loadConfig({
      ...base,
      BERTH_INSTANCE: "prod",
      PROXY_CONTAINER: "edge",
      ACME_CA_BUNDLE: "/srv/ca.pem",
      ACME_EMAIL: "ops@example.com",
    });
    expect(proxyContainerOptions(config)).toEqual({
      name: "edge",
      image: "berth-proxy:latest",
      httpPort: 80,
      httpsPort: 443,
      bindAddress: "0.0.0.0",
      volumes: { sites: "edge-sites", certificates: "edge-certs", webroot: "edge-acme" },
      labels: { "berth.managed-by": "berth", "berth.instance": "prod", "berth.role": "proxy" },
      identity: { "berth.managed-by": "berth", "berth.instance": "prod", "berth.role": "proxy" },
      env: { REQUESTS_CA_BUNDLE: "/etc/berth/acme-ca.pem" },
      readOnlyBinds: { "/srv/ca.pem": "/etc/berth/acme-ca.pem" },
    });
    expect(proxyContainerOptions(loadConfig(base))).not.toHaveProperty("env");
    // The operator's extra labels go on the container, not into what identifies it.
    const extra = proxyContainerOptions(loadConfig({ ...base, BERTH_DOCKER_LABELS: "team=ops" }));
    expect(extra.labels).toMatchObject({ team: "ops", "berth.role": "proxy" });
    expect(extra.identity).not.toHaveProperty("team");
    expect(acmeOptions(config)).toEqual({
      directoryUrl: "https://acme-v02.api.letsencrypt.org/directory",
      email: "ops@example.com",
    });
  });
});

describe("splitEvents", () => {
  it("parses whole lines and keeps the rest for the next chunk", () => {
    const { events, rest } = splitEvents('{"Action":"start"}\n\nnot json\n{"Action":"di');
    expect(events).toEqual([{ Action: "start" }]);
    expect(rest).toBe('{"Action":"di');
    expect(splitEvents(`${rest}e"}\n`).events).toEqual([{ Action: "die" }]);
  });
});
