import { describe, expect, it } from "vitest";
import { proxyContainerSpec } from "../../src/proxy/container.js";

describe("proxyContainerSpec", () => {
  it("publishes 80 and 443, mounts the three volumes, and holds no Docker socket", () => {
    const spec = proxyContainerSpec({
      name: "berth-proxy",
      image: "berth-proxy:1",
      httpPort: 80,
      httpsPort: 443,
      bindAddress: "0.0.0.0",
      volumes: {
        sites: "berth-proxy-sites",
        certificates: "berth-proxy-certs",
        webroot: "berth-proxy-acme",
      },
      labels: { "berth.managed-by": "berth" },
      env: { REQUESTS_CA_BUNDLE: "/etc/berth/acme-ca.pem" },
      readOnlyBinds: { "/srv/acme-ca.pem": "/etc/berth/acme-ca.pem" },
    });
    expect(spec).toEqual({
      name: "berth-proxy",
      Image: "berth-proxy:1",
      Labels: { "berth.managed-by": "berth" },
      Env: ["REQUESTS_CA_BUNDLE=/etc/berth/acme-ca.pem"],
      ExposedPorts: { "80/tcp": {}, "443/tcp": {} },
      HostConfig: {
        PortBindings: {
          "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "80" }],
          "443/tcp": [{ HostIp: "0.0.0.0", HostPort: "443" }],
        },
        Mounts: [
          { Type: "volume", Source: "berth-proxy-sites", Target: "/etc/nginx/berth" },
          { Type: "volume", Source: "berth-proxy-certs", Target: "/etc/letsencrypt" },
          { Type: "volume", Source: "berth-proxy-acme", Target: "/var/www/acme" },
          {
            Type: "bind",
            Source: "/srv/acme-ca.pem",
            Target: "/etc/berth/acme-ca.pem",
            ReadOnly: true,
          },
        ],
        RestartPolicy: { Name: "unless-stopped" },
        CapDrop: ["ALL"],
        CapAdd: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "NET_BIND_SERVICE", "KILL"],
        SecurityOpt: ["no-new-privileges"],
        LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
      },
    });
    expect(JSON.stringify(spec)).not.toContain("docker.sock");
  });
});
