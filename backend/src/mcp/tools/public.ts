// Public environments through MCP: put one service on the internet under a
// domain with a certificate, follow the issuance, take it off again. The
// rules (domain checks, claims, the proxy) are the core's.
import { z } from "zod";
import { getPublicStatus } from "../../core/public/get-public-status.js";
import { makeEnvironmentPublic } from "../../core/public/make-public.js";
import { makePublicSchema } from "../../core/public/schemas.js";
import { unpublishEnvironment } from "../../core/public/unpublish.js";
import type { PublicView } from "../../core/public/view.js";
import { PublicStatus } from "../../generated/prisma/enums.js";
import { defineTool, DESTRUCTIVE, READ_ONLY } from "./tool.js";
import { nextStep } from "./views.js";

const publicView = z.object({
  environmentId: z.string(),
  domain: z.string().nullable(),
  status: z.enum(PublicStatus),
  service: z.string().nullable(),
  port: z.number().nullable(),
  error: z.string().nullable().describe("why the last issuance failed, in certbot's words"),
  url: z.string().nullable(),
  certIssuedAt: z.string().nullable(),
});

const environmentId = z.string().describe("the environment's id");

function next({ status, error }: PublicView): string {
  if (status === "PENDING_CERT")
    return "The certificate is being issued: call get_public_status in a few seconds.";
  if (status === "ACTIVE") return "It is live at url.";
  if (status === "CERT_FAILED") {
    return `Issuance failed (${error ?? "see error"}): fix DNS for the domain, then call make_environment_public again to retry.`;
  }
  return "The environment is not public.";
}

/** Every public tool answers with the view and what to do next. */
const answerShape = z.object({ public: publicView, next_step: nextStep });
const answer = (view: PublicView) => ({ public: view, next_step: next(view) });

export const makeEnvironmentPublicTool = defineTool({
  name: "make_environment_public",
  title: "Make an environment public",
  description:
    "Serves one service of an environment on the internet under a domain with a Let's Encrypt " +
    "certificate (HTTPS; HTTP redirects). Give the service by deploymentId or by service name, " +
    "and its port when it declares several. The domain's DNS must already point at this Berth. " +
    "Answers at once with PENDING_CERT; follow it with get_public_status. Calling again after " +
    "CERT_FAILED retries the issuance; calling with another domain moves the environment there " +
    "(the old domain stops being served once the new one is live).",
  scope: "environments:write",
  input: z.strictObject({ environment_id: environmentId, ...makePublicSchema.shape }),
  output: answerShape,
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  run: async ({ environment_id, ...input }, { ctx, actor }) => {
    return answer(await makeEnvironmentPublic(ctx, { actor, id: environment_id, input }));
  },
});

export const getPublicStatusTool = defineTool({
  name: "get_public_status",
  title: "Get an environment's public state",
  description:
    "Shows whether an environment is public: its domain, the service and port served, and the " +
    "certificate's state (NONE, PENDING_CERT, ACTIVE, CERT_FAILED with the reason, REMOVING).",
  scope: "environments:read",
  input: z.strictObject({ environment_id: environmentId }),
  output: answerShape,
  annotations: READ_ONLY,
  run: async ({ environment_id }, { ctx, actor }) =>
    answer(await getPublicStatus(ctx, { actor, id: environment_id })),
});

export const unpublishEnvironmentTool = defineTool({
  name: "unpublish_environment",
  title: "Take an environment off the internet",
  description:
    "Removes the environment's public route: its site, its certificate and the proxy's access to " +
    "its network. The services keep running privately. Idempotent.",
  scope: "environments:write",
  input: z.strictObject({ environment_id: environmentId }),
  output: answerShape,
  annotations: { ...DESTRUCTIVE, openWorldHint: true },
  run: async ({ environment_id }, { ctx, actor }) =>
    answer(await unpublishEnvironment(ctx, { actor, id: environment_id })),
});

export const publicTools = [
  makeEnvironmentPublicTool,
  getPublicStatusTool,
  unpublishEnvironmentTool,
];
