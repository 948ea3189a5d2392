import { describe, expect, it } from "vitest";
import { defaultDeploymentPolicy } from "../../src/core/deployments/policy.js";
import { validateDeploymentRequest } from "../../src/core/deployments/schema.js";
import {
  buildServiceSpec,
  defaultSpecOptions,
  type Mount,
  type ServiceSpec,
} from "../../src/orchestrator/service-spec.js";
import { checkHardening, pruneZero } from "../../src/orchestrator/spec-check.js";

const deployment = validateDeploymentRequest(
  {
    environmentId: "env1",
    image: "ghcr.io/owner/web:1.0",
    capabilities: ["CHOWN"],
    healthcheck: { command: ["/bin/check"] },
  },
  defaultDeploymentPolicy,
);

function built(apiVersion: string): ServiceSpec {
  return buildServiceSpec({
    apiVersion,
    serviceName: "svc",
    labels: { "berth.managed-by": "berth" },
    networkId: "net1",
    deployment,
    options: defaultSpecOptions,
  }).spec;
}

/** The service as Docker 20.10 reports it: zero values dropped, a few defaults added. */
function readBack(spec: ServiceSpec): { Spec: ServiceSpec } {
  const copy = structuredClone(spec);
  copy.TaskTemplate.ContainerSpec.Isolation = "default";
  copy.TaskTemplate.ContainerSpec.Privileges ??= {
    CredentialSpec: undefined,
    SELinuxContext: undefined,
  };
  copy.TaskTemplate.ForceUpdate = 0;
  copy.TaskTemplate.Runtime = "container";
  delete copy.UpdateConfig!.Delay;
  copy.Labels!["com.example.other"] = "added by someone";
  return { Spec: copy };
}

describe("checkHardening", () => {
  it("passes a service that kept every field", () => {
    expect(checkHardening(built("1.41"), readBack(built("1.41")))).toEqual([]);
    expect(checkHardening(built("1.44"), readBack(built("1.44")))).toEqual([]);
  });

  it("reports a missing service", () => {
    expect(checkHardening(built("1.41"), null)).toEqual([
      "Spec: the service was not found or has no spec",
    ]);
  });

  it("reports each field the daemon dropped", () => {
    const actual = readBack(built("1.44"));
    delete actual.Spec.TaskTemplate.Resources!.Limits!.Pids;
    delete actual.Spec.TaskTemplate.ContainerSpec.Privileges;
    delete actual.Spec.TaskTemplate.ContainerSpec.ReadOnly;
    delete actual.Spec.TaskTemplate.ContainerSpec.CapabilityDrop;
    delete actual.Spec.TaskTemplate.ContainerSpec.Ulimits;
    expect(checkHardening(built("1.44"), actual)).toEqual([
      "TaskTemplate.ContainerSpec.ReadOnly: missing (expected true)",
      'TaskTemplate.ContainerSpec.CapabilityDrop: missing (expected ["ALL"])',
      'TaskTemplate.ContainerSpec.Privileges: missing (expected {"NoNewPrivileges":true})',
      'TaskTemplate.ContainerSpec.Ulimits: missing (expected [{"Name":"nofile","Soft":8192,"Hard":8192}])',
      "TaskTemplate.Resources.Limits.Pids: missing (expected 512)",
    ]);
  });

  it("reports wrong and extra values", () => {
    const actual = readBack(built("1.41"));
    const c = actual.Spec.TaskTemplate.ContainerSpec;
    c.CapabilityAdd!.push("CAP_SYS_ADMIN");
    c.Sysctls = { "net.ipv4.ip_forward": "1" };
    c.User = "0";
    c.Mounts!.push({
      Type: "bind",
      Source: "/var/run/docker.sock",
      Target: "/s",
    } as unknown as Mount);
    Object.assign(c, {
      Privileges: { Seccomp: { Mode: "unconfined" }, AppArmor: { Mode: "disabled" } },
    });
    actual.Spec.TaskTemplate.Networks!.push({ Target: "other" });
    actual.Spec.TaskTemplate.Networks![0]!.Aliases = ["db"];
    actual.Spec.EndpointSpec!.Mode = "dnsrr";
    expect(checkHardening(built("1.41"), actual)).toEqual([
      'TaskTemplate.ContainerSpec.User: expected "65534:65534", found "0"',
      'TaskTemplate.ContainerSpec.CapabilityAdd: expected ["CAP_CHOWN"], found ["CAP_CHOWN","CAP_SYS_ADMIN"]',
      expect.stringMatching(/^TaskTemplate\.ContainerSpec\.Mounts: expected .*docker\.sock/),
      'TaskTemplate.ContainerSpec.Sysctls: unexpected {"net.ipv4.ip_forward":"1"}',
      expect.stringMatching(/^TaskTemplate\.Networks: expected \[\{"Target":"net1"\}\], found/),
      'EndpointSpec.Mode: expected "vip", found "dnsrr"',
      'TaskTemplate.ContainerSpec.Privileges.Seccomp.Mode: not allowed (found "unconfined")',
      'TaskTemplate.ContainerSpec.Privileges.AppArmor.Mode: not allowed (found "disabled")',
    ]);
  });

  it("treats Go zero values as absent", () => {
    expect(
      pruneZero({ a: null, b: false, c: 0, d: "", e: [], f: {}, g: { h: [] } }),
    ).toBeUndefined();
    expect(pruneZero({ a: [0, 1], b: { c: true } })).toEqual({ a: [undefined, 1], b: { c: true } });
  });
});
