// Every tool the MCP door offers, in the order clients list them. A key sees
// only the tools its scopes allow (server.ts filters by `scope`).
//
import { deploymentTools } from "./deployments.js";
import { environmentTools } from "./environments.js";
import { publicTools } from "./public.js";
import { whoami } from "./identity.js";
import type { BerthTool } from "./tool.js";

export const BERTH_TOOLS: readonly BerthTool[] = [
  whoami,
  ...environmentTools,
  ...deploymentTools,
  ...publicTools,
];
