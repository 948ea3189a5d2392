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
