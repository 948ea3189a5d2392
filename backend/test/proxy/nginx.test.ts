// The apply/restore/reload sequence against a fake proxy container that
// records every call and keeps files in a map: the side effects, exactly.
import { describe, expect, it } from "vitest";
import type { ExecResult, ProxyContainer } from "../../src/proxy/exec.js";
import { applySite, issueCertificate, publishSite, removeSite } from "../../src/proxy/nginx.js";
import { renderSite, type Site } from "../../src/proxy/site-config.js";

const S = "/etc/nginx/berth/sites";
const G = "/etc/nginx/berth/good";
const T = "/etc/nginx/berth/staging";
const ok: ExecResult = { exitCode: 0, stdout: "", stderr: "" };

const W = "/usr/local/bin/berth-nginx-workers";

/**
 * A fake proxy: files in a map, `nginx -t` fails while `failCheck` says so,
 * and after a reload the old workers accept connections for one more look.
 */
function fakeProxy(options: { failCheck?: (files: Map<string, string>) => boolean } = {}) {
  const files = new Map<string, string>();
  const calls: string[] = [];
  let workers = [11, 12];
  let next: number[] | null = null;
  const proxy: ProxyContainer = {
    name: "proxy-under-test",
    async put(dir, name, content) {
      calls.push(`put ${dir}/${name}`);
      files.set(`${dir}/${name}`, content);
      await Promise.resolve();
    },
    async run(argv) {
      calls.push(argv.join(" "));
      await Promise.resolve();
      const [cmd, ...args] = argv;
      if (cmd === "mv" || cmd === "cp") {
        const [from, to] = args.slice(1) as [string, string];
        files.set(to, files.get(from)!);
        if (cmd === "mv") files.delete(from);
      } else if (cmd === W) {
        const accepting = next ? [...workers, ...next] : workers;
        if (next) [workers, next] = [next, null];
        return { ...ok, stdout: accepting.map((pid) => `${pid}\n`).join("") };
      } else if (cmd === "nginx" && args[0] === "-s") {
        next = workers.map((pid) => pid + 100);
      } else if (cmd === "rm") {
        for (const path of args.slice(1)) files.delete(path);
      } else if (cmd === "test") {
        return { ...ok, exitCode: files.has(args[1]!) ? 0 : 1 };
      } else if (cmd === "nginx" && args[0] === "-t" && options.failCheck?.(files)) {
        return {
          exitCode: 1,
          stdout: "",
          stderr:
            'nginx: [emerg] cannot load certificate "/etc/letsencrypt/live/b.example.com/fullchain.pem"\n' +
            "nginx: configuration file /etc/nginx/nginx.conf test failed\n",
        };
      } else if (cmd === "certbot" && args[0] === "certonly") {
        files.set(
          `/etc/letsencrypt/live/${args[args.indexOf("--cert-name") + 1]}/fullchain.pem`,
          "",
        );
      }
      return ok;
    },
  };
  return { proxy, files, calls };
}

const a: Site = {
  domain: "a.example.com",
  upstreamHost: "web-a",
  upstreamPort: 80,
  certificate: "none",
};
const acme = { directoryUrl: "https://acme.test/dir" };

describe("applySite", () => {
  it("writes through staging, checks, keeps a good copy, then reloads", async () => {
    const { proxy, files, calls } = fakeProxy();
    await applySite(proxy, a);
    expect(calls).toEqual([
      `put ${T}/a.example.com.conf`,
      `mv -f ${T}/a.example.com.conf ${S}/a.example.com.conf`,
      "nginx -t -q",
      `put ${T}/a.example.com.conf`,
      `mv -f ${T}/a.example.com.conf ${G}/a.example.com.conf`,
      W,
      "nginx -s reload",
      // The old workers still accept, then no longer: the new site is what connections get.
      W,
      W,
    ]);
    expect(files.get(`${S}/a.example.com.conf`)).toBe(renderSite(a));
    expect(files.get(`${G}/a.example.com.conf`)).toBe(renderSite(a));
  });

  it("restores the last known good file and does not reload when the check fails", async () => {
    const broken = (f: Map<string, string>) =>
      [...f.values()].some((text) => text.includes("(certificate: issued)"));
    const { proxy, files, calls } = fakeProxy({ failCheck: broken });
    await applySite(proxy, a);
    calls.length = 0;
    await expect(applySite(proxy, { ...a, certificate: "issued" })).rejects.toMatchObject({
      code: "INTERNAL",
      message:
        "the proxy refused the configuration for a.example.com; it keeps serving the previous one",
      details: {
        field: "domain",
        reason:
          'nginx: [emerg] cannot load certificate "/etc/letsencrypt/live/b.example.com/fullchain.pem"',
      },
    });
    expect(calls).toEqual([
      `put ${T}/a.example.com.conf`,
      `mv -f ${T}/a.example.com.conf ${S}/a.example.com.conf`,
      "nginx -t -q",
      `test -e ${G}/a.example.com.conf`,
      `cp -f ${G}/a.example.com.conf ${T}/a.example.com.conf`,
      `mv -f ${T}/a.example.com.conf ${S}/a.example.com.conf`,
    ]);
    expect(files.get(`${S}/a.example.com.conf`)).toBe(renderSite(a));
  });

  it("removes a new site that has no good copy when the check fails", async () => {
    const { proxy, files, calls } = fakeProxy({ failCheck: () => true });
    await expect(applySite(proxy, a)).rejects.toMatchObject({ code: "INTERNAL" });
    expect(calls.slice(3)).toEqual([
      `test -e ${G}/a.example.com.conf`,
      `rm -f ${S}/a.example.com.conf`,
    ]);
    expect([...files.keys()]).toEqual([]);
  });

  it("refuses hostile input before any call", async () => {
    const { proxy, calls } = fakeProxy();
    await expect(applySite(proxy, { ...a, upstreamHost: "x;}" })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    expect(calls).toEqual([]);
  });

  it("runs concurrent changes one at a time, in call order", async () => {
    const { proxy, calls } = fakeProxy();
    const b = { ...a, domain: "b.example.com" };
    await Promise.all([applySite(proxy, a), applySite(proxy, b), removeSite(proxy, a.domain)]);
    const order = calls.filter((c) => c.startsWith("nginx") || c.startsWith("rm"));
    expect(order).toEqual([
      "nginx -t -q",
      "nginx -s reload",
      "nginx -t -q",
      "nginx -s reload",
      `rm -f ${S}/a.example.com.conf ${G}/a.example.com.conf ${T}/a.example.com.conf`,
      "nginx -t -q",
      "nginx -s reload",
    ]);
  });
});

describe("removeSite", () => {
  it("removes the files, reloads, then deletes the certificate", async () => {
    const { proxy, files, calls } = fakeProxy();
    files.set("/etc/letsencrypt/renewal/a.example.com.conf", "");
    await removeSite(proxy, "a.example.com");
    expect(calls).toEqual([
      `rm -f ${S}/a.example.com.conf ${G}/a.example.com.conf ${T}/a.example.com.conf`,
      "nginx -t -q",
      W,
      "nginx -s reload",
      W,
      W,
      "test -e /etc/letsencrypt/renewal/a.example.com.conf",
      "certbot delete --non-interactive --cert-name a.example.com",
    ]);
  });
});

describe("issueCertificate and publishSite", () => {
  it("reports certbot's reason when it fails", async () => {
    const { proxy } = fakeProxy();
    proxy.run = () =>
      Promise.resolve({
        exitCode: 1,
        stdout: "",
        stderr: "  Domain: a.example.com\n  Type:   dns\n  Detail: no such host\n",
      });
    await expect(issueCertificate(proxy, "a.example.com", acme)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      details: {
        field: "domain",
        reason: "Domain: a.example.com\nType:   dns\nDetail: no such host",
      },
    });
  });

  it("serves the challenge, obtains the certificate, then enables HTTPS", async () => {
    const { proxy, files, calls } = fakeProxy();
    await publishSite(proxy, a, acme);
    expect(calls.filter((c) => /^(nginx|certbot|test)/.test(c))).toEqual([
      "test -e /etc/letsencrypt/live/a.example.com/fullchain.pem",
      "nginx -t -q",
      "nginx -s reload",
      "certbot certonly --non-interactive --agree-tos --register-unsafely-without-email " +
        "--server https://acme.test/dir --webroot --webroot-path /var/www/acme " +
        "--cert-name a.example.com --domain a.example.com --keep-until-expiring",
      "nginx -t -q",
      "nginx -s reload",
    ]);
    expect(files.get(`${S}/a.example.com.conf`)).toBe(renderSite({ ...a, certificate: "issued" }));
    calls.length = 0;
    await publishSite(proxy, a, acme); // the certificate exists: HTTPS site only
    expect(calls.filter((c) => c.startsWith("certbot"))).toEqual([]);
  });
});
