// Berth's own API over HTTPS through its proxy (PROXY_SERVE_BERTH): the
// certificate for PUBLIC_URL's host from this file's Pebble, the site proxied
// to Berth listening on docker0's host address, keys and client addresses
// passing through nginx, and the site kept across a proxy restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, type TestUser } from "../helpers/berth.js";
import { waitFor } from "../helpers/wait.js";
import { freePort, httpGet, httpsGet, proxyBed } from "../proxy/bed.js";
import { closePublicBed, startPublicBed, type PublicBed } from "./public-bed.js";

const DOMAIN = "berth.berth.test"; // PUBLIC_URL's host in the public bed
let b: PublicBed;
let alice: TestUser;
let ca = "";

/** GET through the proxy over HTTPS. */
function viaProxy(path: string, headers: Record<string, string> = {}) {
  return httpsGet(b.httpsPort, DOMAIN, ca, path, headers);
}

/** Polls /health through the proxy until it answers 200. */
function healthyViaProxy(timeoutMs: number) {
  return waitFor(
    async () => {
      const answer = await viaProxy("/health").catch(() => null);
      return answer?.status === 200 ? answer : null;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

/**
 * Settings for a Berth its proxy serves: Berth listens where the proxy
 * container can reach it, docker0's host address.
 */
async function servedBerthSettings(extra: Record<string, string> = {}) {
  const gateway = new URL(proxyBed().acmeDirectory).hostname;
  const port = await freePort(gateway);
  return {
    HOST: gateway,
    PORT: String(port),
    PROXY_SERVE_BERTH: "true",
    PROXY_BERTH_UPSTREAM: `${gateway}:${port}`,
    ...extra,
  };
}

beforeAll(async () => {
  b = await startPublicBed("own", await servedBerthSettings({ TRUST_PROXY_HOPS: "1" }));
  alice = await createUserWithKey(b.t);
  ca = b.pebble.root;
}, 120_000);

afterAll(async () => {
  if (b) await closePublicBed(b, []);
}, 120_000);

describe("Berth behind its own proxy", () => {
  it("gets a certificate for PUBLIC_URL's host and answers over HTTPS", async () => {
    const health = await healthyViaProxy(90_000);
    expect(JSON.parse(health.body)).toMatchObject({ ok: true });
    expect(health.headers["strict-transport-security"]).toBe("max-age=63072000");
    // Said once publishSite has also seen the old nginx workers go.
    await waitFor(() => b.t.logs.text.includes("Berth is served over HTTPS through the proxy"));
    const report = await call<{ warnings: string[] }>(`${b.t.url}/health`);
    expect(report.body.warnings.filter((w) => w.includes("served at"))).toEqual([]);
  }, 100_000);

  it("passes the key through, and Berth sees the client's address, not the proxy's", async () => {
    const whoami = await viaProxy("/auth/whoami", { "x-api-key": alice.key });
    expect(whoami.status).toBe(200);
    expect(JSON.parse(whoami.body)).toMatchObject({ user: { id: alice.userId } });
    const bad = await viaProxy("/auth/whoami", { "x-api-key": "berth_bad" });
    expect(bad.status).toBe(401);
    // The proxy replaces any X-Forwarded-For a client sends with the address it sees.
    await viaProxy("/auth/whoami", { "x-forwarded-for": "10.9.9.9" });
    const lines = b.t.logs.text.split("\n").filter((l) => l.includes('"path":"/auth/whoami"'));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.join("\n")).not.toContain("10.9.9.9");
    // And Berth, trusting that one hop, logs the client, not the proxy container.
    const proxy = await b.t.ctx.engine.docker.getContainer(b.proxyName).inspect();
    const proxyIps = Object.values(proxy.NetworkSettings.Networks ?? {}).map((n) => n.IPAddress);
    expect(proxyIps.length).toBeGreaterThan(0);
    for (const ip of proxyIps) expect(lines.join("\n")).not.toContain(`"ip":"${ip}"`);
  });

  it("keeps Berth's own security headers on its pages (the proxy's are defaults)", async () => {
    const page = await viaProxy("/auth/verify?token=nothing");
    expect(page.headers).toMatchObject({
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
    });
  });

  it("redirects HTTP to HTTPS", async () => {
    const answer = await httpGet(b.pebble.httpPort, DOMAIN, "/auth/whoami");
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe(`https://${DOMAIN}/auth/whoami`);
  });

  it("is still served after the proxy container restarts", async () => {
    await b.t.ctx.engine.docker.getContainer(b.proxyName).restart();
    expect((await healthyViaProxy(60_000)).status).toBe(200);
  }, 70_000);
});

describe("PUBLIC_URL's host", () => {
  it("cannot be claimed by an environment", async () => {
    const env = await call<{ environment: { id: string } }>(`${b.t.url}/environments`, {
      method: "POST",
      key: alice.key,
      body: { name: "claim" },
    });
    const answer = await call(`${b.t.url}/environments/${env.body.environment.id}/public`, {
      method: "POST",
      key: alice.key,
      body: { domain: DOMAIN, service: "web", port: 8080 },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { code: "INVALID_INPUT", message: "domain: is the platform's own host" },
    });
    await call(`${b.t.url}/environments/${env.body.environment.id}`, {
      method: "DELETE",
      key: alice.key,
    });
  });
});

describe("when the certificate cannot be had", () => {
  it("keeps Berth up, says why in /health, and tries again later", async () => {
    const gateway = new URL(proxyBed().acmeDirectory).hostname;
    // Nothing listens on port 9 of docker0's address: certbot fails at once.
    const failing = await startPublicBed(
      "ownfail",
      await servedBerthSettings({ ACME_DIRECTORY: `https://${gateway}:9/dir` }),
    );
    try {
      const warnings = await waitFor(
        async () => {
          const report = await call<{ warnings: string[] }>(`${failing.t.url}/health`);
          const mine = report.body.warnings.filter((w) => w.includes("served at"));
          return mine.length > 0 ? mine : null;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(warnings).toEqual([
        expect.stringMatching(
          /^Berth is not served at https:\/\/berth\.berth\.test yet: could not obtain a certificate for berth\.berth\.test/,
        ),
      ]);
      expect(failing.t.logs.text).toContain('"retryInSeconds":30');
    } finally {
      await closePublicBed(failing, []);
    }
  }, 120_000);
});
