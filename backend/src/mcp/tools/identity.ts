// whoami: which user and key the agent acts as, and what the key allows.
import { z } from "zod";
import { defineTool } from "./tool.js";
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
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  run: (_input, { actor }) =>
    Promise.resolve({
      user: { id: actor.userId, name: actor.userName, role: actor.role },
      key: actor.key && {
        keyId: actor.key.keyId,
        name: actor.key.name,
        scopes: actor.scopes,
        environmentIds: actor.environmentIds,
        expiresAt: actor.key.expiresAt,
      },
    }),
});
