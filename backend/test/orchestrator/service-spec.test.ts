import { describe, expect, it } from "vitest";
import { defaultDeploymentPolicy } from "../../src/core/deployments/policy.js";
import {
  validateDeploymentRequest,
  type DeploymentRequest,
} from "../../src/core/deployments/schema.js";
import { LABEL } from "../../src/orchestrator/labels.js";
import {
  buildServiceSpec,
  defaultSpecOptions,
  type ServiceSpec,
  type ServiceSpecInput,
} from "../../src/orchestrator/service-spec.js";

const policy = { ...defaultDeploymentPolicy, allowPublishedPorts: true };
const SECRET_VALUE = "hunter2-do-not-leak";
const PASSWORD = "registry-password-do-not-leak";

const labels = {
  [LABEL.managedBy]: "berth",
  [LABEL.instance]: "berth",
  [LABEL.environment]: "env1",
  [LABEL.deployment]: "dep1",
  [LABEL.owner]: "user1",
  [LABEL.service]: "web",
};

const deployment = validateDeploymentRequest(
  {
    environmentId: "env1",
    image: "ghcr.io/owner/web:1.0",
    name: "web",
    replicas: 2,
    ports: [{ containerPort: 8080, publishedPort: 18080 }, { containerPort: 9090 }],
    envVars: { MODE: "serve; rm -rf /", DB_PASSWORD: { value: SECRET_VALUE, secret: true } },
    resources: { cpus: "1", memory: "512M" },
    volumes: [{ name: "data", path: "/data" }],
    healthcheck: { httpPath: "/health", probe: ["/usr/bin/node", "/app/probe.js"] },
    command: ["/usr/bin/node"],
    args: ["/app/server.js", "$(reboot)"],
    user: "1000:1000",
    capabilities: ["NET_BIND_SERVICE"],
    registryAuth: { username: "bot", password: PASSWORD },
  },
  policy,
);

function input(apiVersion: string, over: Partial<ServiceSpecInput> = {}): ServiceSpecInput {
  return {
    apiVersion,
    serviceName: "berth-env1-web",
    labels,
    networkId: "net123",
    deployment,
    volumeSources: { data: "berth-env1-data" },
    nodeId: "node42",
    secrets: { DB_PASSWORD: { secretId: "sec1", secretName: "berth-env1-web-db_password-1" } },
    options: { ...defaultSpecOptions, endpointMode: "dnsrr", publishMode: "host" },
    ...over,
  };
}

const S = 1e9;
const update = (order: string, failureAction: string) => ({
  Parallelism: 1,
  Delay: 0,
  Monitor: 15 * S,
  MaxFailureRatio: 0,
  Order: order,
  FailureAction: failureAction,
});

/** The whole spec at API 1.41 (Docker 20.10), written out by hand. */
const expected141: ServiceSpec = {
  Name: "berth-env1-web",
  Labels: labels,
  TaskTemplate: {
    ContainerSpec: {
      Image: "ghcr.io/owner/web:1.0",
      Labels: labels,
      Command: ["/usr/bin/node"],
      Args: ["/app/server.js", "$(reboot)"],
      Env: ["MODE=serve; rm -rf /", "DB_PASSWORD_FILE=/run/secrets/DB_PASSWORD"],
      User: "1000:1000",
      Init: true,
      ReadOnly: true,
      Mounts: [
        {
          Type: "tmpfs",
          Target: "/tmp",
          TmpfsOptions: { SizeBytes: 64 * 1024 ** 2, Mode: 0o1777 },
        },
        { Type: "volume", Source: "berth-env1-data", Target: "/data" },
      ],
      StopGracePeriod: 10 * S,
      CapabilityDrop: ["ALL"],
      CapabilityAdd: ["CAP_NET_BIND_SERVICE"],
      Ulimits: [{ Name: "nofile", Soft: 8192, Hard: 8192 }],
      Healthcheck: {
        Test: ["CMD", "/usr/bin/node", "/app/probe.js", "http://127.0.0.1:8080/health"],
        Interval: 30 * S,
        Timeout: 5 * S,
        StartPeriod: 10 * S,
        Retries: 3,
      },
      Secrets: [
        {
          SecretID: "sec1",
          SecretName: "berth-env1-web-db_password-1",
          File: { Name: "DB_PASSWORD", UID: "1000", GID: "1000", Mode: 0o400 },
        },
      ],
    },
    Resources: {
      Limits: { NanoCPUs: 1e9, MemoryBytes: 512 * 1024 ** 2, Pids: 512 },
      Reservations: { NanoCPUs: 0.25e9, MemoryBytes: 128 * 1024 ** 2 },
    },
    RestartPolicy: { Condition: "on-failure", Delay: 5 * S, MaxAttempts: 5, Window: 120 * S },
    Placement: { Constraints: ["node.id==node42"] },
    Networks: [{ Target: "net123" }],
    LogDriver: { Name: "json-file", Options: { "max-size": "10m", "max-file": "3" } },
  },
  Mode: { Replicated: { Replicas: 2 } },
  UpdateConfig: update("stop-first", "rollback"),
  RollbackConfig: update("stop-first", "pause"),
  EndpointSpec: {
    Mode: "dnsrr",
    Ports: [{ Protocol: "tcp", TargetPort: 8080, PublishedPort: 18080, PublishMode: "host" }],
  },
};

const expected144: ServiceSpec = {
  ...expected141,
  TaskTemplate: {
    ...expected141.TaskTemplate,
    ContainerSpec: {
      ...expected141.TaskTemplate.ContainerSpec,
      Privileges: { NoNewPrivileges: true },
    },
  },
};

describe("buildServiceSpec", () => {
  it("builds the whole hardened spec at API 1.41, warning about no-new-privileges", () => {
    expect(buildServiceSpec(input("1.41"))).toEqual({
      spec: expected141,
      warnings: [
        'no-new-privileges is not set: Docker Engine API 1.41 < 1.44; set "no-new-privileges": true in daemon.json',
      ],
    });
  });

  it("sets no-new-privileges from API 1.44, without a warning", () => {
    expect(buildServiceSpec(input("1.44"))).toEqual({ spec: expected144, warnings: [] });
    expect(buildServiceSpec(input("1.51")).spec).toEqual(expected144);
  });

  it("gates each field by version", () => {
    const at143 = buildServiceSpec(input("1.43"));
    expect(at143.spec.TaskTemplate.ContainerSpec.Privileges).toBeUndefined();
    expect(at143.warnings).toHaveLength(1);
    for (const old of ["1.40", "1.24", "0.9"]) {
      expect(() => buildServiceSpec(input(old))).toThrow(
        expect.objectContaining({
          code: "UNAVAILABLE",
          message: expect.stringMatching(/older than 1\.41/),
        }),
      );
    }
  });

  it("lets no tenant value reach a shell form and no secret reach the spec", () => {
    const json = JSON.stringify(buildServiceSpec(input("1.44")));
    expect(json).not.toContain("CMD-SHELL");
    expect(json).not.toMatch(/"\/bin\/sh"|"sh","-c"/);
    expect(json).not.toContain(SECRET_VALUE);
    expect(json).not.toContain(PASSWORD);
    expect(json).not.toContain("authconfig");
    // A request object forged past validation still cannot carry a shell form.
    const forged: DeploymentRequest = {
      ...deployment,
      healthcheck: { ...deployment.healthcheck!, test: ["CMD-SHELL", "curl x || exit 1"] },
    };
    expect(() => buildServiceSpec(input("1.44", { deployment: forged }))).toThrow(/exec form/);
  });

  it("pins a service with volumes to the node holding them, and stops before starting", () => {
    expect(() => buildServiceSpec(input("1.41", { nodeId: undefined }))).toThrow(
      /node that holds them/,
    );
    expect(() => buildServiceSpec(input("1.41", { volumeSources: {} }))).toThrow(
      /no Docker volume given for data/,
    );
    const bare = {
      ...deployment,
      volumes: [],
      ports: [{ containerPort: 8080, protocol: "tcp" as const }],
    };
    const { spec } = buildServiceSpec(input("1.41", { deployment: bare, nodeId: undefined }));
    expect(spec.TaskTemplate.Placement).toBeUndefined();
    expect(spec.UpdateConfig?.Order).toBe("start-first");
    expect(spec.RollbackConfig?.Order).toBe("start-first");
    expect(spec.EndpointSpec).toEqual({ Mode: "dnsrr" });
    expect(spec.TaskTemplate.ContainerSpec.Mounts).toEqual([
      expected141.TaskTemplate.ContainerSpec.Mounts![0],
    ]);
    const constrained = buildServiceSpec(
      input("1.41", {
        options: { ...input("1.41").options, placementConstraints: ["node.role==worker"] },
      }),
    );
    expect(constrained.spec.TaskTemplate.Placement?.Constraints).toEqual([
      "node.role==worker",
      "node.id==node42",
    ]);
  });

  it("turns secret env vars into secret references and NAME_FILE", () => {
    expect(() => buildServiceSpec(input("1.41", { secrets: {} }))).toThrow(
      /no secret given for DB_PASSWORD/,
    );
    const extra = { ...input("1.41").secrets, MODE: { secretId: "s", secretName: "n" } };
    expect(() => buildServiceSpec(input("1.41", { secrets: extra }))).toThrow(
      /not a secret env var/,
    );
    // Without a numeric user the file must be readable by whatever user the image runs as.
    const { spec } = buildServiceSpec(
      input("1.41", { deployment: { ...deployment, user: undefined } }),
    );
    expect(spec.TaskTemplate.ContainerSpec.User).toBeUndefined();
    expect(spec.TaskTemplate.ContainerSpec.Secrets?.[0]?.File).toEqual({
      Name: "DB_PASSWORD",
      UID: "0",
      GID: "0",
      Mode: 0o444,
    });
    const noEnv = buildServiceSpec(
      input("1.41", { deployment: { ...deployment, env: [] }, secrets: {} }),
    );
    expect(noEnv.spec.TaskTemplate.ContainerSpec.Env).toBeUndefined();
    expect(noEnv.spec.TaskTemplate.ContainerSpec.Secrets).toBeUndefined();
  });

  it("omits the capability adds, command and health check when none were asked for", () => {
    const plain = {
      ...deployment,
      capabilities: [],
      command: undefined,
      args: undefined,
      healthcheck: undefined,
    };
    const c = buildServiceSpec(input("1.41", { deployment: plain })).spec.TaskTemplate
      .ContainerSpec;
    expect(c).not.toHaveProperty("CapabilityAdd");
    expect(c).not.toHaveProperty("Command");
    expect(c).not.toHaveProperty("Args");
    expect(c).not.toHaveProperty("Healthcheck");
    expect(c.CapabilityDrop).toEqual(["ALL"]);
  });

  it("uses a pinned image and the endpoint and publish modes given", () => {
    const pinned = `ghcr.io/owner/web:1.0@sha256:${"ab".repeat(32)}`;
    const vip = {
      ...defaultSpecOptions,
      endpointMode: "vip" as const,
      publishMode: "ingress" as const,
    };
    const { spec } = buildServiceSpec(input("1.44", { image: pinned, options: vip }));
    expect(spec.TaskTemplate.ContainerSpec.Image).toBe(pinned);
    expect(spec.EndpointSpec).toEqual({
      Mode: "vip",
      Ports: [{ Protocol: "tcp", TargetPort: 8080, PublishedPort: 18080, PublishMode: "ingress" }],
    });
    const broken = { ...vip, endpointMode: "dnsrr" as const };
    expect(() => buildServiceSpec(input("1.44", { options: broken }))).toThrow(
      /need endpoint mode "vip"/,
    );
  });
});
