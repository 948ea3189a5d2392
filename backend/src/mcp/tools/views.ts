// Output schemas of the core's views as agents receive them (JSON: times
// are ISO strings). Field names are the REST API's, so one vocabulary
// describes Berth's objects through every door; only the MCP envelope
// around them (next_cursor, next_step, ...) is snake_case like tool inputs.
import { z } from "zod";
import {
  DeploymentStatus,
  EnvironmentStatus,
  PublicStatus,
  Role,
} from "../../generated/prisma/enums.js";

const time = z.string().describe("ISO 8601 time");

export const environmentView = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(EnvironmentStatus),
  overlayNetworkId: z.string().nullable(),
  networkName: z.string(),
  createdAt: time,
  public: z.object({
    domain: z.string().nullable(),
    status: z.enum(PublicStatus),
    service: z.string().nullable(),
    port: z.number().nullable(),
    error: z.string().nullable(),
  }),
});

export const environmentDetail = environmentView.extend({
  deployments: z.array(
    z.object({
      id: z.string(),
      jobId: z.string(),
      serviceName: z.string(),
      image: z.string(),
      tag: z.string(),
      replicas: z.number(),
      status: z.enum(DeploymentStatus),
      createdAt: time,
    }),
  ),
  services: z.array(
    z.object({
      name: z.string(),
      dockerName: z.string(),
      desiredTasks: z.number(),
      runningTasks: z.number(),
    }),
  ),
});

export const actorView = z.object({
  user: z.object({ id: z.string(), name: z.string(), role: z.enum(Role) }),
  key: z
    .object({
      keyId: z.string().describe("the key's public id (never its secret)"),
      name: z.string(),
      scopes: z.array(z.string()),
      environmentIds: z
        .array(z.string())
        .describe("environments the key is limited to; empty means all of the user's"),
      expiresAt: time.nullable(),
    })
    .nullable(),
});

/** What the agent should do next, in one sentence. */
export const nextStep = z.string().describe("what to do next");

export const containerView = z.object({
  taskId: z.string(),
  nodeId: z.string().nullable(),
  slot: z.number().nullable(),
  state: z.string(),
  desiredState: z.string().nullable(),
  health: z.string().nullable(),
  exitCode: z.number().nullable(),
  error: z.string().nullable(),
});

export const deploymentView = z.object({
  id: z.string(),
  jobId: z.string(),
  environmentId: z.string(),
  kind: z.string(),
  serviceName: z.string(),
  image: z.string(),
  tag: z.string(),
  digest: z.string().nullable(),
  replicas: z.number(),
  status: z.enum(DeploymentStatus),
  errorMessage: z
    .string()
    .nullable()
    .describe("why it failed, in words (text from the app is framed)"),
  warnings: z.array(z.string()),
  ports: z.array(
    z.object({
      containerPort: z.number(),
      protocol: z.string(),
      publishedPort: z.number().optional(),
    }),
  ),
  resources: z.object({
    nanoCpus: z.number(),
    memoryBytes: z.number(),
    reservedNanoCpus: z.number(),
    reservedMemoryBytes: z.number(),
  }),
  volumes: z.array(z.object({ name: z.string(), path: z.string(), readOnly: z.boolean() })),
  healthcheck: z
    .object({
      test: z.array(z.string()),
      intervalNs: z.number(),
      timeoutNs: z.number(),
      startPeriodNs: z.number(),
      retries: z.number(),
    })
    .nullable(),
  command: z.object({
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    user: z.string().optional(),
    capabilities: z.array(z.string()),
  }),
  envVars: z
    .array(z.object({ name: z.string(), secret: z.boolean(), value: z.string() }))
    .describe("names only: values are never shown"),
  serviceId: z.string().nullable(),
  previousDeploymentId: z.string().nullable(),
  createdAt: time,
  startedAt: time.nullable(),
  finishedAt: time.nullable(),
  containers: z.array(containerView).optional(),
});
