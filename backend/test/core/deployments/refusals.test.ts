import { describe, expect, it } from "vitest";
import { AppError } from "../../../src/core/errors.js";
import {
  defaultDeploymentPolicy,
  type DeploymentPolicy,
} from "../../../src/core/deployments/policy.js";
import { validateDeploymentRequest } from "../../../src/core/deployments/schema.js";

const policy: DeploymentPolicy = {
  ...defaultDeploymentPolicy,
  privateRegistries: ["127.0.0.1:5000"],
};
const base = { environmentId: "env_1", image: "127.0.0.1:5000/berth-test/app:v1" };

function refusal(input: Record<string, unknown>, p: DeploymentPolicy = policy): AppError {
  try {
    validateDeploymentRequest({ ...base, ...input }, p);
  } catch (error) {
    if (AppError.is(error, "INVALID_INPUT")) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
}

function expectRefused(input: Record<string, unknown>, field: string, message: RegExp, p = policy) {
  const error = refusal(input, p);
  expect(error.details.field).toBe(field);
  expect(error.message).toMatch(message);
  expect(error.message.startsWith(`${field}: `)).toBe(true);
}

describe("refusals before any Docker call", () => {
  it.each([
    ["nginx;reboot", /^image: contains ";"/],
    ["nginx\n", /^image: contains a space, newline/],
    ["-e", /^image: starts with a dash/],
    [`x.io/${"a".repeat(260)}`, /longer than 255/],
    ["10.1.2.3/app", /registry 10.1.2.3 is a private address/],
    ["169.254.169.254/app", /link-local/],
    ["localhost:5000/app", /loopback/],
    ["127.0.0.1:5001/app", /loopback address; Berth pulls only from public registries/],
  ])("image %j", (image, message) => {
    expectRefused({ image }, "image", message);
  });

  it.each([
    [{ privileged: true }, "privileged", /privileged mode is not available/],
    [{ networkMode: "host" }, "networkMode", /host networking/],
    [{ network: "host" }, "network", /host networking/],
    [{ pid: "host" }, "pid", /PID, IPC/],
    [{ ipc: "host" }, "ipc", /PID, IPC/],
    [{ devices: ["/dev/kvm"] }, "devices", /devices are not available/],
    [{ sysctls: { "net.ipv4.ip_forward": "1" } }, "sysctls", /sysctls are not available/],
    [{ logDriver: "syslog" }, "logDriver", /logging is fixed/],
    [{ aliases: ["db"] }, "aliases", /aliases are not available/],
    [{ capAdd: ["SYS_ADMIN"] }, "capAdd", /use "capabilities"/],
    [{ binds: ["/:/host"] }, "binds", /bind mounts are not available/],
    [{ securityOpt: ["seccomp=unconfined"] }, "securityOpt", /security settings are fixed/],
    [{ labels: { a: "b" } }, "labels", /labels are set by Berth/],
  ])("%j", (input, field, message) => {
    expectRefused(input, field, message);
  });

  it("puts a refused feature first, ahead of plain mistakes", () => {
    const error = refusal({ replicas: "two", privileged: true });
    expect(error.details.field).toBe("privileged");
  });

  it.each([
    [
      { name: "data", path: "/data", type: "bind" },
      "volumes[0].type",
      /bind mounts are not available/,
    ],
    [
      { name: "data", path: "/data", driverOpts: { o: "bind" } },
      "volumes[0].driverOpts",
      /driver options/,
    ],
    [
      { name: "/var/run/docker.sock", path: "/var/run/docker.sock" },
      "volumes[0].name",
      /Docker socket/,
    ],
    [{ name: "/etc", path: "/host" }, "volumes[0].name", /bind mounts are not available/],
    [{ name: "./data", path: "/data" }, "volumes[0].name", /bind mounts/],
    [{ name: "Data", path: "/data" }, "volumes[0].name", /lowercase/],
    [{ name: "data", path: "data" }, "volumes[0].path", /absolute path/],
    [{ name: "data", path: "/" }, "volumes[0].path", /plain absolute path/],
    [{ name: "data", path: "/a/../etc" }, "volumes[0].path", /plain absolute path/],
    [{ name: "data", path: "/data/" }, "volumes[0].path", /plain absolute path/],
    [{ name: "data", path: "/proc/x" }, "volumes[0].path", /cannot be covered/],
    [{ name: "data", path: "/run/secrets" }, "volumes[0].path", /cannot be covered/],
    [{ name: "data", path: "/tmp" }, "volumes[0].path", /cannot be covered/],
    [{ name: "data", path: "/a b" }, "volumes[0].path", /absolute path/],
  ])("volume %j", (volume, field, message) => {
    expectRefused({ volumes: [volume] }, field, message);
  });

  it("refuses two volumes at one path", () => {
    const volumes = [
      { name: "a", path: "/data" },
      { name: "b", path: "/data" },
    ];
    expectRefused({ volumes }, "volumes[1].path", /another volume/);
  });

  it.each(["1A", "A-B", "A B", "A=B", "", "É", "A;B"])("env var name %j", (name) => {
    expectRefused({ envVars: { [name]: "x" } }, `envVars.${name}`, /letters, digits and _/);
  });

  it("refuses __proto__ keys instead of dropping them", () => {
    const parse = (json: string) => ({ ...base, ...(JSON.parse(json) as Record<string, unknown>) });
    expect(() =>
      validateDeploymentRequest(
        parse('{"envVars":{"__proto__":{"value":"x","secret":true}}}'),
        policy,
      ),
    ).toThrow("envVars.__proto__: this name is reserved");
    expect(() =>
      validateDeploymentRequest(parse('{"__proto__":{"privileged":true}}'), policy),
    ).toThrow('__proto__: unknown field "__proto__"; remove it');
    expectRefused({ constructor: 1 }, "constructor", /unknown field "constructor"/);
  });

  it("refuses a NUL in a value, a non-string value and NAME_FILE beside a secret NAME", () => {
    expectRefused({ envVars: { A: "a\0b" } }, "envVars.A", /NUL/);
    expectRefused({ envVars: { A: 1 } }, "envVars.A", /give a string/);
    expectRefused(
      { envVars: { TOKEN: { value: "x", secret: true }, TOKEN_FILE: "/x" } },
      "envVars.TOKEN_FILE",
      /set by Berth/,
    );
  });

  it("allows only the operator's capabilities", () => {
    expectRefused(
      { capabilities: ["SYS_ADMIN"] },
      "capabilities[0]",
      /SYS_ADMIN is not available; this Berth allows CHOWN/,
    );
    expectRefused({ capabilities: ["CHOWN", "NET_RAW"] }, "capabilities[1]", /NET_RAW/);
    expectRefused({ capabilities: ["ALL"] }, "capabilities[0]", /ALL is not available/);
    const none = { ...policy, allowedCapabilities: [] };
    expectRefused({ capabilities: ["CHOWN"] }, "capabilities[0]", /allows none/, none);
  });

  it("refuses root, names and gid 0 when non-root is required", () => {
    for (const user of ["root", "0", "0:0", "root:root"])
      expectRefused({ user }, "user", /root is not allowed/);
    expectRefused({ user: "node" }, "user", /numeric uid/);
    expectRefused({ user: "1000:0" }, "user", /group 0/);
    expectRefused({ user: "1000;id" }, "user", /uid\[:gid\]/);
    const relaxed = { ...policy, requireNonRoot: false };
    expect(validateDeploymentRequest({ ...base, user: "root" }, relaxed).user).toBe("root");
    expect(validateDeploymentRequest(base, relaxed).user).toBeUndefined();
  });

  it("publishes ports only where the operator allows", () => {
    const ports = (publishedPort: number) => ({ ports: [{ containerPort: 8080, publishedPort }] });
    expectRefused(ports(8080), "ports[0].publishedPort", /not enabled on this Berth/);
    const open = { ...policy, allowPublishedPorts: true };
    expect(validateDeploymentRequest({ ...base, ...ports(8080) }, open).ports).toEqual([
      { containerPort: 8080, protocol: "tcp", publishedPort: 8080 },
    ]);
    expectRefused(ports(80), "ports[0].publishedPort", /reserved for the platform/, open);
    expectRefused(ports(3000), "ports[0].publishedPort", /reserved/, open);
    expectRefused(ports(2377), "ports[0].publishedPort", /reserved/, open);
    expectRefused(ports(1000), "ports[0].publishedPort", /below 1024/, open);
    expect(() =>
      validateDeploymentRequest(
        { ...base, ...ports(1000) },
        { ...open, allowPrivilegedPorts: true },
      ),
    ).not.toThrow();
    expectRefused(ports(0), "ports[0].publishedPort", /expected number to be >=1/, open);
    const twice = {
      ports: [
        { containerPort: 80, publishedPort: 8080 },
        { containerPort: 81, publishedPort: 8080 },
      ],
    };
    expectRefused(twice, "ports[1].publishedPort", /published twice/, open);
  });

  it("keeps resources within the operator's maxima", () => {
    expectRefused({ resources: { cpus: "4" } }, "resources.cpus", /at most 2 CPUs/);
    expectRefused({ resources: { memory: "3G" } }, "resources.memory", /at most 2G/);
    expectRefused({ resources: { memory: "1M" } }, "resources.memory", /at least 6M/);
    expectRefused({ resources: { memory: "lots" } }, "resources.memory", /"512M"/);
    expectRefused({ resources: { cpus: "-1" } }, "resources.cpus", /"0.5"/);
    expectRefused({ resources: { gpus: 1 } }, "resources.gpus", /unknown field/);
    expectRefused({ replicas: 11 }, "replicas", /at most 10/);
  });

  it("builds health checks in exec form only", () => {
    const withPort = { ports: [{ containerPort: 8080 }] };
    const http = validateDeploymentRequest(
      { ...base, ...withPort, healthcheck: { httpPath: "/health" } },
      policy,
    );
    expect(http.healthcheck?.test).toEqual([
      "CMD",
      "curl",
      "--fail",
      "--silent",
      "--show-error",
      "--output",
      "/dev/null",
      "http://127.0.0.1:8080/health",
    ]);
    const probe = validateDeploymentRequest(
      {
        ...base,
        healthcheck: { httpPath: "/h?x=1", port: 9000, probe: ["/usr/bin/node", "/app/probe.js"] },
      },
      policy,
    );
    expect(probe.healthcheck?.test).toEqual([
      "CMD",
      "/usr/bin/node",
      "/app/probe.js",
      "http://127.0.0.1:9000/h?x=1",
    ]);
    expectRefused({ healthcheck: { httpPath: "/health" } }, "healthcheck.port", /give the port/);
    expectRefused({ healthcheck: {} }, "healthcheck", /either command or httpPath/);
    expectRefused(
      { healthcheck: { command: ["x"], httpPath: "/" } },
      "healthcheck",
      /either command or httpPath/,
    );
    expectRefused({ healthcheck: { command: ["x"], port: 80 } }, "healthcheck", /go with httpPath/);
    expectRefused(
      { healthcheck: { httpPath: "/x; reboot", port: 80 } },
      "healthcheck.httpPath",
      /URL path/,
    );
    expectRefused(
      { healthcheck: { httpPath: "/x`id`", port: 80 } },
      "healthcheck.httpPath",
      /URL path/,
    );
    expectRefused(
      { healthcheck: { command: ["x"], interval: "0s" } },
      "healthcheck.interval",
      /at least 1s/,
    );
    expectRefused(
      { healthcheck: { command: ["x"], interval: "soon" } },
      "healthcheck.interval",
      /"30s"/,
    );
    expectRefused(
      { healthcheck: { test: ["CMD-SHELL", "x"] } },
      "healthcheck.test",
      /unknown field/,
    );
    expectRefused({ healthcheck: { command: [] } }, "healthcheck.command", />=1 items/);
  });

  it("refuses bad names, keys and argv", () => {
    expectRefused({ name: "Web" }, "name", /lowercase/);
    expectRefused({ name: "a".repeat(25) }, "name", /up to 24/);
    expectRefused({ command: ["a\0b"] }, "command[0]", /NUL/);
    expectRefused({ idempotencyKey: "a b" }, "idempotencyKey", /no spaces/);
    expectRefused(
      { registryAuth: { username: "u", password: "p", serverAddress: "evil" } },
      "registryAuth.serverAddress",
      /unknown field/,
    );
  });
});
