// whoami: which user and key the agent acts as, and what the key allows.
import { z } from "zod";
import { whoamiView } from "../../core/auth/scopes.js";
import { defineTool, READ_ONLY } from "./tool.js";
import { actorView } from "./views.js";

export const whoami = defineTool({
  name: "whoami",
  title: "Who am I",
  description:
    "Shows the Berth user this API key acts for, the key's scopes, the environments it is " +
    "limited to (empty: all of the user's) and when it expires. Call it first to learn what " +
    "you may do. Never shows the key itself.",
  scope: null,
  input: z.strictObject({}),
  output: actorView,
  annotations: READ_ONLY,
  run: (_input, { actor }) => Promise.resolve(whoamiView(actor)),
});
