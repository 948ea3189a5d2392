// Test glue for the proxy: what scripts/testbed-proxy.sh set up (bed.json),
// a Pebble of a test file's own, HTTP(S) requests pinned to 127.0.0.1 (curl
// --resolve style), Pebble's root, the fake DNS, and label-scoped clean-up.
// Traffic goes to loopback (and docker0's host address) only.
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { createServer } from "node:net";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import type { ProxyContainerOptions } from "../../src/proxy/container.js";
import { ACME_CA_PATH } from "../../src/proxy/settings.js";
import { waitFor } from "../helpers/wait.js";

const ROOT = join(import.meta.dirname, "../../..");

export interface ProxyBed {
  image: string;
  baseImage: string;
  nginxDir: string;
  /** The host port Pebble validates HTTP-01 on: publish the proxy's 80 there. */
  httpPort: number;
  acmeDirectory: string;
  /** The CA of Pebble's own TLS certificate (not of what it issues). */
  pebbleCa: string;
  /** Pebble's TLS certificate and key (cert.pem, key.pem) live here. */
  pebbleDir: string;
  /** pebble-challtestsrv's DNS (every name is 127.0.0.1 unless told otherwise). */
  dnsServer: string;
  pebbleManagement: string;
  challtestsrv: string;
}

export function proxyBed(): ProxyBed {
  const state = process.env.BERTH_STATE_DIR ?? join(ROOT, ".berth");
  return JSON.parse(readFileSync(join(state, "testbed/proxy/bed.json"), "utf8")) as ProxyBed;
}

/**
 * A proxy container of the bed's image outside Berth (the proxy tests and
 * bench): `<prefix>-proxy` with `<prefix>-*` volumes, on 127.0.0.1, trusting
 * Pebble's CA as Berth's settings would mount it.
 */
export function bedProxyOptions(
  bed: ProxyBed,
  o: { prefix: string; httpPort: number; httpsPort: number; labels: Record<string, string> },
): ProxyContainerOptions {
  return {
    name: `${o.prefix}-proxy`,
    image: bed.image,
    httpPort: o.httpPort,
    httpsPort: o.httpsPort,
    bindAddress: "127.0.0.1",
    volumes: {
      sites: `${o.prefix}-sites`,
      certificates: `${o.prefix}-certs`,
      webroot: `${o.prefix}-acme`,
    },
    labels: o.labels,
    env: { REQUESTS_CA_BUNDLE: ACME_CA_PATH },
    readOnlyBinds: { [bed.pebbleCa]: ACME_CA_PATH },
  };
}

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The serial number of the certificate the server presented (HTTPS). */
  serial?: string;
}

function collect(req: http.ClientRequest, tls: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.on("response", (res) => {
      const serial = tls ? (res.socket as TLSSocket).getPeerCertificate().serialNumber : undefined;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, serial }),
      );
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("request timed out")));
    req.end();
  });
}

/** GET http://HOST:PORT/PATH with the connection pinned to 127.0.0.1. */
export function httpGet(port: number, host: string, path = "/"): Promise<Answer> {
  const req = http.request({ host: "127.0.0.1", port, path, headers: { host }, agent: false });
  return collect(req, false);
}

/** GET https://DOMAIN:PORT/PATH pinned to 127.0.0.1, trusting only `ca`. */
export function httpsGet(
  port: number,
  domain: string,
  ca: string,
  path = "/",
  headers: Record<string, string> = {},
): Promise<Answer> {
  const req = https.request({
    host: "127.0.0.1",
    port,
    path,
    servername: domain,
    headers: { ...headers, host: domain },
    ca,
    agent: false,
  });
  return collect(req, true);
}

/** Pebble's current issuing root (it changes whenever Pebble restarts). */
export async function pebbleRoot(bed: Pick<ProxyBed, "pebbleCa" | "pebbleManagement">) {
  const url = new URL("/roots/0", bed.pebbleManagement);
  const req = https.request(url, { ca: readFileSync(bed.pebbleCa, "utf8"), agent: false });
  const answer = await collect(req, true);
  if (answer.status !== 200) throw new Error(`Pebble roots: ${answer.status}`);
  return answer.body;
}

/**
 * Points DOMAIN at 127.0.0.1 in pebble-challtestsrv's DNS. Its add-a appends,
 * and every run asking again would grow the answer until Pebble's resolver
 * fails ("dns: buffer size too small"): clear the name first.
 */
export async function fakeDnsA(bed: ProxyBed, domain: string): Promise<void> {
  const host = `${domain}.`;
  const post = (path: string, body: unknown) =>
    fetch(new URL(path, bed.challtestsrv), { method: "POST", body: JSON.stringify(body) });
  const cleared = await post("/clear-a", { host });
  if (!cleared.ok) throw new Error(`challtestsrv clear-a: ${cleared.status}`);
  const res = await post("/add-a", { host, addresses: ["127.0.0.1"] });
  if (!res.ok) throw new Error(`challtestsrv add-a: ${res.status}`);
}

/** Removes every service, container, network and volume carrying `label`. */
export async function removeLabelled(docker: Docker, label: string): Promise<void> {
  const filters = { label: [label] };
  const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
  for (const s of await docker.listServices({ filters }))
    await quiet(docker.getService(s.ID).remove());
  for (const c of await docker.listContainers({ all: true, filters })) {
    await quiet(docker.getContainer(c.Id).remove({ force: true, v: true }));
  }
  for (let i = 0; i < 60; i++) {
    const networks = await docker.listNetworks({ filters });
    for (const n of networks) await quiet(docker.getNetwork(n.Id).remove());
    if ((await docker.listNetworks({ filters })).length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const v of Volumes ?? []) await quiet(docker.getVolume(v.Name).remove());
}

/**
 * A node program for the test app image that answers with the request's
 * headers as JSON (padded past gzip's minimum on /big; its own security
 * headers on /own-headers) and echoes bytes back
 * after an HTTP upgrade, to check what the proxy passes on.
 */
export const ECHO_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  const pad = req.url === "/big" ? "x".repeat(4096) : "";
  // /own-headers: an app that sets its own security headers.
  const own = req.url === "/own-headers" ? { "x-frame-options": "DENY", "referrer-policy": "no-referrer" } : {};
  res.writeHead(200, { "content-type": "application/json", ...own });
  res.end(JSON.stringify({ headers: req.headers, pad }));
});
server.on("upgrade", (req, socket) => {
  socket.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n");
  socket.pipe(socket);
});
server.listen(8080);
`;

/** Upgrades a request through the proxy, sends `text`, resolves what comes back. */
export function upgradeEcho(port: number, domain: string, ca: string, text: string) {
  return new Promise<{ status: number; echoed: string }>((resolve, reject) => {
    const req = https.request({
      host: "127.0.0.1",
      port,
      servername: domain,
      ca,
      agent: false,
      headers: { host: domain, connection: "Upgrade", upgrade: "websocket" },
    });
    req.on("upgrade", (res, socket) => {
      socket.write(text);
      socket.once("data", (data: Buffer) => {
        resolve({ status: res.statusCode ?? 0, echoed: data.toString() });
        socket.destroy();
      });
    });
    req.on("response", (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("upgrade timed out")));
    req.end();
  });
}

export interface Pebble {
  /** The ACME directory, on docker0's host address (the proxy reaches it there). */
  directory: string;
  /** The host port Pebble sends HTTP-01 validations to: publish the proxy's 80 there. */
  httpPort: number;
  /** Pebble's current issuing root, for the clients' trust. */
  root: string;
  stop(): Promise<void>;
}

/**
 * A Pebble of the test file's own, on ports of its own: Pebble validates
 * HTTP-01 on one fixed port, so two test files sharing the bed's Pebble
 * could not both publish a proxy there. It shares the bed's TLS certificate
 * and fake DNS. Stopped (and its folder removed) by stop().
 */
export async function startPebble(bed: ProxyBed): Promise<Pebble> {
  const host = new URL(bed.acmeDirectory).hostname;
  const [listen, management, httpPort, tlsPort] = await Promise.all([
    freePort(host),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const dir = mkdtempSync(join(tmpdir(), "berth-pebble-"));
  const config = {
    pebble: {
      listenAddress: `${host}:${listen}`,
      managementListenAddress: `127.0.0.1:${management}`,
      certificate: join(bed.pebbleDir, "cert.pem"),
      privateKey: join(bed.pebbleDir, "key.pem"),
      httpPort,
      tlsPort,
      ocspResponderURL: "",
      externalAccountBindingRequired: false,
    },
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  const log = openSync(join(dir, "pebble.log"), "a");
  const child = spawn(
    "pebble",
    ["-config", join(dir, "config.json"), "-dnsserver", bed.dnsServer],
    {
      stdio: ["ignore", log, log],
      // No random validation sleeps, no nonce rejections, a fresh HTTP-01 every time.
      env: {
        ...process.env,
        PEBBLE_VA_NOSLEEP: "1",
        PEBBLE_WFE_NONCEREJECT: "0",
        PEBBLE_AUTHZREUSE: "0",
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = () => child.kill();
  process.once("exit", kill);
  const stop = async () => {
    process.off("exit", kill);
    child.kill();
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const trust = { pebbleCa: bed.pebbleCa, pebbleManagement: `https://127.0.0.1:${management}` };
  try {
    const root = await waitFor(() => (child.exitCode === null ? pebbleRoot(trust) : null), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    return { directory: `https://${host}:${listen}/dir`, httpPort, root, stop };
  } catch (error) {
    const output = readFileSync(join(dir, "pebble.log"), "utf8");
    await stop();
    throw new Error(`Pebble did not start: ${output}`, { cause: error });
  }
}
