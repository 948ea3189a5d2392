import { describe, expect, it } from "vitest";
import { renderSite, siteFileName, type Site } from "../../src/proxy/site-config.js";

const site: Site = {
  domain: "app1.example.com",
  upstreamHost: "berth-env1-web",
  upstreamPort: 8080,
  certificate: "none",
};

const NONE = `# Berth site app1.example.com -> berth-env1-web:8080 (certificate: none).
# Written by Berth: edits here are overwritten.
server {
    listen 80;
    server_name app1.example.com;

    location ^~ /.well-known/acme-challenge/ {
        root /var/www/acme;
        default_type text/plain;
    }

    location / {
        return 503;
    }
}
`;

const ISSUED = `# Berth site app1.example.com -> berth-env1-web:8080 (certificate: issued).
# Written by Berth: edits here are overwritten.
server {
    listen 80;
    server_name app1.example.com;

    location ^~ /.well-known/acme-challenge/ {
        root /var/www/acme;
        default_type text/plain;
    }

    location / {
        return 301 https://app1.example.com$request_uri;
    }
}

server {
    listen 443 ssl http2;
    server_name app1.example.com;

    ssl_certificate /etc/letsencrypt/live/app1.example.com/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/app1.example.com/privkey.pem;

    include /etc/nginx/snippets/berth-security-headers.conf;
    add_header Strict-Transport-Security max-age=63072000 always;

    location / {
        set $berth_upstream berth-env1-web:8080;
        proxy_pass http://$berth_upstream;
    }
}
`;

describe("renderSite", () => {
  it("renders the challenge-only site before a certificate exists", () => {
    expect(renderSite(site)).toBe(NONE);
  });

  it("renders the redirect and the HTTPS server once the certificate is issued", () => {
    expect(renderSite({ ...site, certificate: "issued" })).toBe(ISSUED);
  });

  it("renders punycode domains and dotted service names as given", () => {
    const text = renderSite({
      domain: "xn--bcher-kva.example",
      upstreamHost: "web_1.berth-env-2",
      upstreamPort: 1,
      certificate: "issued",
    });
    expect(text).toContain("    server_name xn--bcher-kva.example;\n");
    expect(text).toContain("/etc/letsencrypt/live/xn--bcher-kva.example/fullchain.pem;\n");
    expect(text).toContain("        set $berth_upstream web_1.berth-env-2:1;\n");
  });

  it("names the file after the domain", () => {
    expect(siteFileName("app1.example.com")).toBe("app1.example.com.conf");
    expect(() => siteFileName("../etc/passwd")).toThrow(/domain/);
  });
});

describe("renderSite refuses hostile or malformed input before rendering", () => {
  const bad: [Partial<Record<keyof Site, unknown>>, string][] = [
    [{ domain: "App1.example.com" }, "domain"],
    [{ domain: "app1.example.com." }, "domain"],
    [{ domain: "app1.example.com; include /etc/passwd" }, "domain"],
    [{ domain: "app1.example.com\nserver_name evil.com" }, "domain"],
    [{ domain: "app1.example.com}" }, "domain"],
    [{ domain: "$host" }, "domain"],
    [{ domain: "localhost" }, "domain"],
    [{ domain: "127.0.0.1" }, "domain"],
    [{ domain: "*.example.com" }, "domain"],
    [{ domain: "bücher.example" }, "domain"],
    [{ domain: 42 }, "domain"],
    [{ upstreamHost: "web;proxy_pass http://evil" }, "upstreamHost"],
    [{ upstreamHost: "web\n" }, "upstreamHost"],
    [{ upstreamHost: "web#" }, "upstreamHost"],
    [{ upstreamHost: "web$x" }, "upstreamHost"],
    [{ upstreamHost: 'web"' }, "upstreamHost"],
    [{ upstreamHost: "web'" }, "upstreamHost"],
    [{ upstreamHost: "web`" }, "upstreamHost"],
    [{ upstreamHost: "web\\" }, "upstreamHost"],
    [{ upstreamHost: "web{}" }, "upstreamHost"],
    [{ upstreamHost: "Web" }, "upstreamHost"],
    [{ upstreamHost: "web:80" }, "upstreamHost"],
    [{ upstreamHost: "-web" }, "upstreamHost"],
    [{ upstreamHost: "web..x" }, "upstreamHost"],
    [{ upstreamHost: "" }, "upstreamHost"],
    [{ upstreamHost: "a".repeat(64) }, "upstreamHost"],
    [{ upstreamPort: 0 }, "upstreamPort"],
    [{ upstreamPort: 65536 }, "upstreamPort"],
    [{ upstreamPort: 80.5 }, "upstreamPort"],
    [{ upstreamPort: "80; evil" }, "upstreamPort"],
    [{ upstreamPort: Number.NaN }, "upstreamPort"],
    [{ certificate: "issued; evil" }, "certificate"],
  ];

  it.each(bad)("%j → INVALID_INPUT on %s", (override, field) => {
    const input = { ...site, ...override } as Site;
    expect(() => renderSite(input)).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT", details: { field } }),
    );
  });

  it("never lets a character nginx would interpret come from the inputs", () => {
    // The only such characters in a rendered file are the template's own.
    const template = renderSite({ ...site, certificate: "issued" });
    const ours = template.replaceAll("app1.example.com", "").replaceAll("berth-env1-web", "");
    expect(ours.match(/[;{}#$"'`\\]/g)?.length).toBe(template.match(/[;{}#$"'`\\]/g)?.length);
    expect(template).not.toMatch(/["'`\\]/);
  });
});
