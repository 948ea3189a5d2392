// The proxy for real: the image built from the local Debian base, a proxy
// container beside two Swarm services on a test overlay network, certificates
// from Pebble (this file's own: see startPebble), HTTPS through the proxy, a
// refused configuration that changes nothing, a restart, and removal.
// Requests go to 127.0.0.1 only.
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DockerEngine } from "../../src/orchestrator/docker.js";
import { renewArgv } from "../../src/proxy/certbot.js";
import { connectProxy, ensureProxyContainer } from "../../src/proxy/container.js";
import { proxyContainer } from "../../src/proxy/exec.js";
import {
  applySite,
  applySiteText,
  issueCertificate,
  publishSite,
  removeSite,
} from "../../src/proxy/nginx.js";
import { renderSite, type Site } from "../../src/proxy/site-config.js";
import { TEST_LABEL } from "../helpers/context.js";
import { waitFor } from "../helpers/wait.js";
import {
  bedProxyOptions,
  ECHO_SERVER,
  fakeDnsA,
  freePort,
  httpGet,
  httpsGet,
  proxyBed,
  removeLabelled,
  startPebble,
  upgradeEcho,
  type Pebble,
} from "./bed.js";

const engine = new DockerEngine();
const docker = engine.docker;
const runId = inject("runId");
const FILE_LABEL = "berth.test.file=proxy";
const labels = { [TEST_LABEL]: runId, "berth.test.file": "proxy" };
const prefix = `berth-t${runId}-px`;
const net = `${prefix}-net`;
const proxyName = `${prefix}-proxy`;
const bed = proxyBed();
const proxy = proxyContainer(engine, proxyName);
let pebble: Pebble;
let acme = { directoryUrl: "" };
let httpPort = 0;
let httpsPort = 0;
let root = "";

const app1: Site = {
  domain: "app1.berth.test",
  upstreamHost: `${prefix}-app1`,
  upstreamPort: 8080,
  certificate: "issued",
};
const app2: Site = { ...app1, domain: "app2.berth.test", upstreamHost: `${prefix}-app2` };
const echo: Site = { ...app1, domain: "echo.berth.test", upstreamHost: `${prefix}-echo` };

function appService(name: string, tag: string, command?: string[]) {
  return docker.createService({
    Name: name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: `127.0.0.1:5000/berth-test/app:${tag}`,
        Env: ["PORT=8080"],
        Labels: labels,
        Command: command,
      },
      Networks: [{ Target: net }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: "dnsrr" },
  });
}

/** Polls until HTTPS for `domain` answers 200 from the app; returns the answer. */
function served(domain: string) {
  return waitFor(
    async () => {
      const answer = await httpsGet(httpsPort, domain, root);
      return answer.status === 200 ? answer : null;
    },
    { timeoutMs: 60_000 },
  );
}

const siteFiles = async () =>
  (await proxy.run(["ls", "/etc/nginx/berth/sites"])).stdout.split("\n").filter(Boolean);

beforeAll(async () => {
  pebble = await startPebble(bed);
  acme = { directoryUrl: pebble.directory };
  httpPort = pebble.httpPort;
  root = pebble.root;
  httpsPort = await freePort();
  await docker.createNetwork({ Name: net, Driver: "overlay", Attachable: true, Labels: labels });
  await appService(app1.upstreamHost, "v1");
  await appService(app2.upstreamHost, "v2");
  await appService(echo.upstreamHost, "v1", ["/usr/bin/node", "-e", ECHO_SERVER]);
  await ensureProxyContainer(engine, bedProxyOptions(bed, { prefix, httpPort, httpsPort, labels }));
  await connectProxy(engine, proxyName, net);
  await connectProxy(engine, proxyName, net); // idempotent
  await fakeDnsA(bed, app1.domain);
  await fakeDnsA(bed, app2.domain);
  await fakeDnsA(bed, echo.domain);
}, 180_000);

afterAll(async () => {
  await removeLabelled(docker, FILE_LABEL);
  await pebble?.stop();
  await docker
    .getImage(`berth-test/proxy:t${runId}`)
    .remove({ noprune: true })
    .catch(() => undefined);
}, 120_000);

describe("the proxy image", () => {
  it("builds from the local Debian base", async () => {
    const src = readdirSync(bed.nginxDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => `${entry.parentPath}/${entry.name}`.slice(bed.nginxDir.length + 1));
    const stream = await docker.buildImage(
      { context: bed.nginxDir, src },
      {
        t: `berth-test/proxy:t${runId}`,
        buildargs: { BASE_IMAGE: bed.baseImage },
        labels: { [TEST_LABEL]: "testbed" },
      },
    );
    const events = await new Promise<{ error?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (error, output: { error?: string }[]) =>
        error ? reject(error) : resolve(output),
      ),
    );
    expect(events.filter((e) => e.error)).toEqual([]);
    const built = await docker.getImage(`berth-test/proxy:t${runId}`).inspect();
    const base = await docker.getImage(bed.baseImage).inspect();
    expect(built.RootFS.Layers?.[0]).toBe(base.RootFS.Layers?.[0]);
    expect(built.Config.Entrypoint).toEqual([
      "/usr/bin/tini",
      "--",
      "/usr/local/bin/berth-proxy-start",
    ]);
    expect(Object.keys(built.Config.Volumes ?? {}).sort()).toEqual([
      "/etc/letsencrypt",
      "/etc/nginx/berth",
      "/var/www/acme",
    ]);
  });
});

describe("the proxy", () => {
  it("closes connections for unknown hosts (444 on HTTP, no TLS handshake)", async () => {
    await waitFor(() => proxy.run(["nginx", "-t", "-q"]).then((r) => r.exitCode === 0));
    // The workers accepting connections, which Berth watches across a reload.
    const workers = await proxy.run(["/usr/local/bin/berth-nginx-workers"]);
    expect(workers.stdout).toMatch(/^(\d+\n)+$/);
    await expect(httpGet(httpPort, "unknown.berth.test")).rejects.toMatchObject({
      code: "ECONNRESET",
    });
    await expect(httpsGet(httpsPort, "unknown.berth.test", root)).rejects.toThrow(
      /unrecognized name/,
    );
    // nginx itself closed it (not a port nobody listens on): its access log says 444.
    await waitFor(async () => {
      const logs = await docker.getContainer(proxyName).logs({ stdout: true, stderr: false });
      return /"host":"unknown\.berth\.test".*"status":444/.test(logs.toString());
    });
  });

  it("publishes a site: certificate from Pebble, then HTTPS to the app", async () => {
    await publishSite(proxy, app1, acme);
    const answer = await served(app1.domain);
    expect(JSON.parse(answer.body)).toMatchObject({ app: "berth-test", version: "v1" });
    expect(answer.headers["strict-transport-security"]).toBe("max-age=63072000");
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.headers.server).toBe("nginx");
    expect(await siteFiles()).toEqual(["app1.berth.test.conf"]);
  });

  it("redirects HTTP to HTTPS and still serves the ACME webroot on HTTP", async () => {
    // A reload is signalled, not awaited: old workers may take a new connection
    // for a moment after it, so every check after a change polls.
    const redirect = await waitFor(async () => {
      const answer = await httpGet(httpPort, app1.domain, "/some/path?q=1");
      return answer.status === 301 ? answer : null;
    });
    expect(redirect.headers.location).toBe("https://app1.berth.test/some/path?q=1");
    expect(redirect.headers["strict-transport-security"]).toBeUndefined();
    await proxy.put("/var/www/acme", "probe", "");
    await proxy.run(["mkdir", "-p", "/var/www/acme/.well-known/acme-challenge"]);
    await proxy.run([
      "mv",
      "/var/www/acme/probe",
      "/var/www/acme/.well-known/acme-challenge/probe-token",
    ]);
    expect(
      (await httpGet(httpPort, app1.domain, "/.well-known/acme-challenge/probe-token")).status,
    ).toBe(200);
  });

  it("routes a second site to a second app", async () => {
    await publishSite(proxy, app2, acme);
    expect(JSON.parse((await served(app2.domain)).body)).toMatchObject({ version: "v2" });
    expect(JSON.parse((await served(app1.domain)).body)).toMatchObject({ version: "v1" });
  });

  it("passes proxy headers, WebSocket upgrades and gzip; limits the request size", async () => {
    await publishSite(proxy, echo, acme);
    await served(echo.domain);
    const spoofed = await httpsGet(httpsPort, echo.domain, root, "/", {
      "x-forwarded-for": "203.0.113.7",
    });
    const { headers } = JSON.parse(spoofed.body) as { headers: Record<string, string> };
    expect(headers).toMatchObject({
      host: "echo.berth.test",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "echo.berth.test",
      connection: "close",
    });
    // The edge replaces a client's X-Forwarded-For with the address it saw.
    expect(headers["x-forwarded-for"]).toBe(headers["x-real-ip"]);
    expect(headers["x-forwarded-for"]).not.toContain("203.0.113.7");
    expect(await upgradeEcho(httpsPort, echo.domain, root, "ping")).toEqual({
      status: 101,
      echoed: "ping",
    });
    // Security headers are defaults: an app's own value is passed alone.
    expect(spoofed.headers).toMatchObject({
      "x-frame-options": "SAMEORIGIN",
      "referrer-policy": "strict-origin-when-cross-origin",
      "x-content-type-options": "nosniff",
    });
    const own = await httpsGet(httpsPort, echo.domain, root, "/own-headers");
    expect(own.headers).toMatchObject({
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    });
    const big = await httpsGet(httpsPort, echo.domain, root, "/big", { "accept-encoding": "gzip" });
    expect(big.headers["content-encoding"]).toBe("gzip");
    const tooLarge = await httpsGet(httpsPort, echo.domain, root, "/", {
      "content-length": String(26 * 1024 * 1024),
    });
    expect(tooLarge.status).toBe(413);
  });

  it("refuses a configuration nginx rejects, restores the last good one, keeps serving", async () => {
    // A new site whose certificate does not exist: nginx -t fails.
    const noCert = { ...app1, domain: "nocert.berth.test" };
    await expect(applySite(proxy, noCert)).rejects.toMatchObject({
      code: "INTERNAL",
      details: { reason: expect.stringContaining("cannot load certificate") },
    });
    // An existing site replaced by a broken file (test-only text).
    await expect(
      applySiteText(proxy, app2.domain, "server { this is not nginx }\n"),
    ).rejects.toMatchObject({
      code: "INTERNAL",
      details: { reason: expect.stringContaining("[emerg]") },
    });
    expect(await siteFiles()).toEqual([
      "app1.berth.test.conf",
      "app2.berth.test.conf",
      "echo.berth.test.conf",
    ]);
    const app2File = await proxy.run(["cat", "/etc/nginx/berth/sites/app2.berth.test.conf"]);
    expect(app2File.stdout).toBe(renderSite(app2));
    expect((await proxy.run(["nginx", "-t", "-q"])).exitCode).toBe(0);
    expect(JSON.parse((await served(app1.domain)).body)).toMatchObject({ version: "v1" });
    expect(JSON.parse((await served(app2.domain)).body)).toMatchObject({ version: "v2" });
  });

  it("reports why certbot failed: a domain the proxy has no site for", async () => {
    await fakeDnsA(bed, "nosite.berth.test");
    await expect(issueCertificate(proxy, "nosite.berth.test", acme)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      details: { field: "domain", reason: expect.stringMatching(/^Domain: nosite\.berth\.test\n/) },
    });
  });

  it("renews a certificate and the deploy hook makes nginx serve the new one", async () => {
    const before = (await served(app1.domain)).serial;
    const renew = await proxy.run(renewArgv({ domain: app1.domain, force: true }));
    expect(renew.exitCode).toBe(0);
    await waitFor(async () => (await served(app1.domain)).serial !== before, { timeoutMs: 30_000 });
  });

  it("serves every site after a restart, with no call from Berth", async () => {
    await docker.getContainer(proxyName).restart({ t: 5 });
    expect(JSON.parse((await served(app1.domain)).body)).toMatchObject({ version: "v1" });
    expect(JSON.parse((await served(app2.domain)).body)).toMatchObject({ version: "v2" });
  });

  it("removes a site: its file and certificate go, the other site stays", async () => {
    await removeSite(proxy, app2.domain);
    expect(await siteFiles()).toEqual(["app1.berth.test.conf", "echo.berth.test.conf"]);
    expect(
      (await proxy.run(["test", "-e", "/etc/letsencrypt/live/app2.berth.test"])).exitCode,
    ).toBe(1);
    await waitFor(() =>
      httpsGet(httpsPort, app2.domain, root).then(
        () => false,
        () => true,
      ),
    );
    expect(JSON.parse((await served(app1.domain)).body)).toMatchObject({ version: "v1" });
  });
});
