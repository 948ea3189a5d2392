// What a Berth tool is, and how one is put on a per-request server: its
// input is checked by the SDK against the zod schema, its answer is checked
// against the output schema and sent twice (structuredContent and a JSON
// text copy for clients that only read text), and any failure becomes an
// isError result through errors.ts.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { Actor, Scope } from "../../core/auth/scopes.js";
import type { Context } from "../../core/context.js";
import type { Confirmations } from "../confirm.js";
import { toolError } from "../errors.js";
import { progressReporter, type Progress, type ToolExtra } from "../progress.js";

/** What a tool's `run` gets besides its arguments. */
export interface ToolCall {
  ctx: Context;
  actor: Actor;
  /** Aborted when the client cancels the call or goes away. */
  signal: AbortSignal;
  progress: Progress;
  confirmations: Confirmations;
}

/** The core's views hold Dates; they reach the client as ISO strings. */
type Serializable<T> = T extends string
  ? string | Date
  : T extends (infer U)[]
    ? Serializable<U>[]
    : T extends object
      ? { [K in keyof T]: Serializable<T[K]> }
      : T;

type Hints = "readOnlyHint" | "destructiveHint" | "idempotentHint" | "openWorldHint";

/** Hint presets; a tool spreads one and overrides what differs. */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
export const DESTRUCTIVE = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
} as const;

export interface BerthTool<
  I extends z.ZodObject = z.ZodObject,
  O extends z.ZodObject = z.ZodObject,
> {
  name: string;
  title: string;
  description: string;
  /** The scope a key needs for the tool to be listed at all; null: any key. */
  scope: Scope | null;
  input: I;
  output: O;
  /** All four hints, always: clients assume the worst for a missing one. */
  annotations: Required<Pick<ToolAnnotations, Hints>>;
  run(input: z.output<I>, call: ToolCall): Promise<Serializable<z.output<O>>>;
}

/** Typed at the definition, erased for the list of tools. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  tool: BerthTool<I, O>,
): BerthTool {
  return tool;
}

/** The same object schema with a description on some fields (for agents). */
export function describeFields<S extends z.ZodObject>(
  schema: S,
  descriptions: Partial<Record<keyof S["shape"] & string, string>>,
): S {
  const described = Object.entries(descriptions).map(([field, text]) => [
    field,
    (schema.shape[field] as z.ZodType).describe(text as string),
  ]);
  return schema.extend(Object.fromEntries(described)) as unknown as S;
}

function success(value: unknown): CallToolResult {
  const text = JSON.stringify(value);
  const structured = JSON.parse(text) as Record<string, unknown>;
  return { structuredContent: structured, content: [{ type: "text", text }] };
}

export interface ToolBinding {
  ctx: Context;
  actor: Actor;
  confirmations: Confirmations;
}

export function registerTool(server: McpServer, tool: BerthTool, binding: ToolBinding): void {
  const { ctx, actor } = binding;
  const handler = async (args: unknown, extra: ToolExtra): Promise<CallToolResult> => {
    const started = Date.now();
    const call: ToolCall = { ...binding, signal: extra.signal, progress: progressReporter(extra) };
    try {
      const result = success(await tool.run(args as never, call));
      ctx.log.debug(
        { tool: tool.name, userId: actor.userId, ms: Date.now() - started },
        "MCP tool",
      );
      return result;
    } catch (error) {
      ctx.log.debug({ tool: tool.name, userId: actor.userId, failed: true }, "MCP tool");
      return toolError(error, ctx.log, tool.name);
    }
  };
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: { title: tool.title, ...tool.annotations },
    },
    handler,
  );
}
