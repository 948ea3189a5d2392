// Every tool the MCP door offers, in the order clients list them. A key sees
// only the tools its scopes allow (server.ts filters by `scope`).
//
// Deployment tools slot in here as `...deploymentTools` from
// tools/deployments.ts once the core's deployment functions exist:
// create_deployment, wait_for_deployment (progress.ts: waitWithProgress),
// get_deployment_status, list_deployments, get_deployment_logs (untrusted.ts:
// frameUntrusted, capText), scale_deployment, rollback_deployment,
// delete_deployment (tools/confirmation.ts), then make_environment_public and
// get_public_status (errors.ts: notAvailable until the proxy lands).
import { environmentTools } from "./environments.js";
import { whoami } from "./identity.js";
import type { BerthTool } from "./tool.js";

export const BERTH_TOOLS: readonly BerthTool[] = [whoami, ...environmentTools];
