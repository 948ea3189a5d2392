// Input shape of making an environment public, shared by every door (the
// MCP tool uses it as its input schema). The domain's own rules, and the
// ones that need the database, are checked by make-public.ts.
import { z } from "zod";

export const makePublicSchema = z
  .strictObject({
    domain: z
      .string()
      .max(1024)
      .optional()
      .describe("e.g. app.example.com; default: <environment slug>.<PUBLIC_BASE_DOMAIN>"),
    deploymentId: z
      .string()
      .max(64)
      .optional()
      .describe("A deployment of the environment (its id or job id): its service is served"),
    service: z.string().max(64).optional().describe("Or the service's name within the environment"),
    port: z
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe("Port the service listens on; default: its one declared container port"),
  })
  .refine((input) => (input.deploymentId === undefined) !== (input.service === undefined), {
    message: "give either deploymentId or service",
    path: ["service"],
  });

export type MakePublicInput = z.input<typeof makePublicSchema>;
