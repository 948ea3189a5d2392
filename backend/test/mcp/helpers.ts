// An MCP client for tests: the SDK's own Client over Streamable HTTP with
// the key in a header, as any assistant would connect.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";

export async function connectClient(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "berth-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers },
  });
  await client.connect(transport);
  return client;
}

export const withKey = (url: string, key: string) => connectClient(url, { "X-API-Key": key });

export interface ToolAnswer<T> {
  result: CallToolResult;
  data: T;
}

/** Calls a tool that must succeed; checks the JSON text copy matches. */
export async function ok<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolAnswer<T>> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const text = result.content[0];
  expect(text?.type).toBe("text");
  expect(JSON.parse((text as { text: string }).text)).toEqual(result.structuredContent);
  return { result, data: result.structuredContent as T };
}

export interface ToolFailure {
  /** The sentence for the agent (message and what to do next). */
  text: string;
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Calls a tool that must fail with an isError result. */
export async function fails(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolFailure> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, JSON.stringify(result.content)).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  const [first, second] = result.content as { type: string; text: string }[];
  const error = second
    ? (JSON.parse(second.text) as { error: ToolFailure["error"] }).error
    : { code: "SDK", message: first!.text };
  return { text: first!.text, error };
}
