import { describe, expect, it } from "vitest";
import {
  ACME_DIRECTORIES,
  acmeDirectoryUrl,
  certbotReason,
  certonlyArgv,
  deleteArgv,
  renewArgv,
} from "../../src/proxy/certbot.js";

const acme = { directoryUrl: "https://acme.test:14000/dir" };

describe("certonlyArgv", () => {
  it("obtains a webroot certificate named after the domain, without an e-mail", () => {
    expect(certonlyArgv("app1.example.com", acme)).toEqual([
      "certbot",
      "certonly",
      "--non-interactive",
      "--agree-tos",
      "--register-unsafely-without-email",
      "--server",
      "https://acme.test:14000/dir",
      "--webroot",
      "--webroot-path",
      "/var/www/acme",
      "--cert-name",
      "app1.example.com",
      "--domain",
      "app1.example.com",
      "--keep-until-expiring",
    ]);
  });

  it("registers the account with an e-mail when one is set", () => {
    expect(certonlyArgv("app1.example.com", { ...acme, email: "ops@example.com" })).toEqual([
      "certbot",
      "certonly",
      "--non-interactive",
      "--agree-tos",
      "--email",
      "ops@example.com",
      "--no-eff-email",
      "--server",
      "https://acme.test:14000/dir",
      "--webroot",
      "--webroot-path",
      "/var/www/acme",
      "--cert-name",
      "app1.example.com",
      "--domain",
      "app1.example.com",
      "--keep-until-expiring",
    ]);
  });

  it("uses the named Let's Encrypt directories", () => {
    const argv = certonlyArgv("a.example.com", { directoryUrl: "letsencrypt-staging" });
    expect(argv[argv.indexOf("--server") + 1]).toBe(ACME_DIRECTORIES["letsencrypt-staging"]);
  });

  it.each([
    "App.example.com",
    "-d",
    "--server=https://evil.test/dir",
    "a.example.com b.example.com",
    "",
  ])("refuses the domain %j", (domain) => {
    expect(() => certonlyArgv(domain, acme)).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT", details: { field: "domain" } }),
    );
  });

  it.each(["--email=x@y.z", "not an address", "a@b"])("refuses the e-mail %j", (email) => {
    expect(() => certonlyArgv("a.example.com", { ...acme, email })).toThrow(/e-mail/);
  });
});

describe("acmeDirectoryUrl", () => {
  it("maps the names and passes https URLs through", () => {
    expect(acmeDirectoryUrl("letsencrypt")).toBe(ACME_DIRECTORIES.letsencrypt);
    expect(acmeDirectoryUrl("letsencrypt-staging")).toBe(ACME_DIRECTORIES["letsencrypt-staging"]);
    expect(acmeDirectoryUrl("https://127.0.0.1:14000/dir")).toBe("https://127.0.0.1:14000/dir");
  });

  it.each(["http://acme.test/dir", "staging", "ftp://x"])("refuses %j", (setting) => {
    expect(() => acmeDirectoryUrl(setting)).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT" }),
    );
  });
});

describe("renewArgv and deleteArgv", () => {
  it("renews what is due, reloading nginx through the deploy hook", () => {
    expect(renewArgv()).toEqual([
      "certbot",
      "renew",
      "--non-interactive",
      "--no-random-sleep-on-renew",
      "--deploy-hook",
      "/usr/local/bin/berth-reload-nginx",
    ]);
  });

  it("forces the renewal of one certificate", () => {
    expect(renewArgv({ domain: "app1.example.com", force: true })).toEqual([
      "certbot",
      "renew",
      "--non-interactive",
      "--no-random-sleep-on-renew",
      "--deploy-hook",
      "/usr/local/bin/berth-reload-nginx",
      "--cert-name",
      "app1.example.com",
      "--force-renewal",
    ]);
  });

  it("deletes one lineage", () => {
    expect(deleteArgv("app1.example.com")).toEqual([
      "certbot",
      "delete",
      "--non-interactive",
      "--cert-name",
      "app1.example.com",
    ]);
    expect(() => deleteArgv("app1.example.com --all")).toThrow(/domain/);
  });
});

describe("certbotReason", () => {
  it("keeps the CA's Domain/Type/Detail lines", () => {
    const output = `Saving debug log to /var/log/letsencrypt/letsencrypt.log
Requesting a certificate for app1.example.com

Certbot failed to authenticate some domains (authenticator: webroot). The Certificate Authority reported these problems:
  Domain: app1.example.com
  Type:   connection
  Detail: 127.0.0.1: Fetching http://app1.example.com/.well-known/acme-challenge/abc: Connection refused

Hint: The Certificate Authority failed to download the temporary challenge files created by Certbot.

Some challenges have failed.
Ask for help or search for solutions at the community forum. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.
`;
    expect(certbotReason(output)).toBe(
      "Domain: app1.example.com\nType:   connection\n" +
        "Detail: 127.0.0.1: Fetching http://app1.example.com/.well-known/acme-challenge/abc: Connection refused",
    );
  });

  it("falls back to the last lines that are not boilerplate", () => {
    const output = `Saving debug log to /var/log/letsencrypt/letsencrypt.log
An unexpected error occurred:
Connection refused to the ACME server
Ask for help or search for solutions at the community forum. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.
`;
    expect(certbotReason(output)).toBe(
      "An unexpected error occurred:\nConnection refused to the ACME server",
    );
    expect(certbotReason("")).toBe("certbot failed without saying why");
  });
});
