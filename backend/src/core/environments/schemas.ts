// Input shapes of the environment operations, shared by every door.
import { z } from "zod";
import { environmentNameSchema } from "./names.js";

export const createEnvironmentSchema = z.strictObject({ name: environmentNameSchema });
export type CreateEnvironmentInput = z.infer<typeof createEnvironmentSchema>;

export const listEnvironmentsSchema = z.strictObject({
  cursor: z.uuid("cursor must come from a previous page").optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListEnvironmentsInput = z.input<typeof listEnvironmentsSchema>;
