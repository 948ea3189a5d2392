// Test glue for the proxy: what scripts/testbed-proxy.sh set up (bed.json),
// HTTP(S) requests pinned to 127.0.0.1 (curl --resolve style), Pebble's root,
// the fake DNS, and label-scoped clean-up. Traffic goes to loopback only.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { createServer } from "node:net";
import type { TLSSocket } from "node:tls";
import { join } from "node:path";
import type Docker from "dockerode";

const ROOT = join(import.meta.dirname, "../../..");

export interface ProxyBed {
  image: string;
  baseImage: string;
  nginxDir: string;
  /** The host port Pebble validates HTTP-01 on: publish the proxy's 80 there. */
  httpPort: number;
  acmeDirectory: string;
  pebbleCa: string;
  pebbleManagement: string;
  challtestsrv: string;
}

export function proxyBed(): ProxyBed {
  const state = process.env.BERTH_STATE_DIR ?? join(ROOT, ".berth");
  return JSON.parse(readFileSync(join(state, "testbed/proxy/bed.json"), "utf8")) as ProxyBed;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
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
export async function pebbleRoot(bed: ProxyBed): Promise<string> {
  const url = new URL("/roots/0", bed.pebbleManagement);
  const req = https.request(url, { ca: readFileSync(bed.pebbleCa, "utf8"), agent: false });
  const answer = await collect(req, true);
  if (answer.status !== 200) throw new Error(`Pebble roots: ${answer.status}`);
  return answer.body;
}

/** Points DOMAIN at 127.0.0.1 in pebble-challtestsrv's DNS. */
export async function fakeDnsA(bed: ProxyBed, domain: string): Promise<void> {
  const res = await fetch(new URL("/add-a", bed.challtestsrv), {
    method: "POST",
    body: JSON.stringify({ host: `${domain}.`, addresses: ["127.0.0.1"] }),
  });
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
 * headers as JSON (padded past gzip's minimum on /big) and echoes bytes back
 * after an HTTP upgrade, to check what the proxy passes on.
 */
export const ECHO_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  const pad = req.url === "/big" ? "x".repeat(4096) : "";
  res.writeHead(200, { "content-type": "application/json" });
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
