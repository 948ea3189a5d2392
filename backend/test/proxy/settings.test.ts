// The proxy's settings, from the environment to the container Berth makes.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { splitEvents } from "../../src/proxy/events.js";
import { acmeOptions, proxyContainerOptions } from "../../src/proxy/settings.js";

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
