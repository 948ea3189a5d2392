// The second phase of every destructive tool (delete_*): the extra input
// field, and the check that refuses a missing, forged, expired or borrowed
// token before anything is removed.
import { z } from "zod";
import { AppError } from "../../core/errors.js";
import type { ConfirmationTarget } from "../confirm.js";
import type { ToolCall } from "./tool.js";

export const confirmationFields = {
  confirmation_token: z
    .string()
    .max(200)
    .optional()
    .describe(
      "omit on the first call; then pass the confirmation_token that call returned to really do it",
    ),
};

export function requireConfirmation(
  call: Pick<ToolCall, "confirmations">,
  target: ConfirmationTarget,
  token: string,
): void {
  const check = call.confirmations.check(token, target);
  if (check === "ok") return;
  const why =
    check === "expired"
      ? "the confirmation_token has expired (tokens last 2 minutes)"
      : "the confirmation_token is not valid for this action";
  throw new AppError(
    "INVALID_INPUT",
    `${why}; nothing was removed. Call ${target.tool} again without confirmation_token to ` +
      "see what would be removed and get a new token",
    { field: "confirmation_token" },
  );
}
