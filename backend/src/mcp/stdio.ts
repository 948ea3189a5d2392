#!/usr/bin/env node
// berth-mcp: the MCP door for assistants that only speak stdio (they start
// it as a child process). It forwards JSON-RPC messages unchanged between
// stdin/stdout and Berth's /mcp endpoint, adding the API key, so every rule
// is still applied by the server. Settings: BERTH_URL, BERTH_API_KEY.
// stdout carries only protocol messages; diagnostics go to stderr.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

/** BERTH_URL may be Berth's base URL or the /mcp endpoint itself. */
export function endpointOf(base: string): URL {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = path.endsWith("/mcp") ? path : `${path}/mcp`;
  return url;
}

/** Why a message could not be delivered, in words an assistant can relay. */
export function describeFailure(error: unknown, endpoint: URL): string {
  const status = error instanceof StreamableHTTPError ? error.code : undefined;
  if (status === 401) return "Berth refused the API key (HTTP 401): check BERTH_API_KEY";
  if (status === 403)
    return `Berth refused the request (HTTP 403): check that BERTH_URL (${endpoint.origin}) is Berth's public address`;
  if (status === 429) return "Berth is rate limiting this key (HTTP 429): wait a minute";
  const reason = error instanceof Error ? error.message : String(error);
  return `cannot reach Berth at ${endpoint.origin}: ${reason}`;
}

function log(message: string): void {
  process.stderr.write(`berth-mcp: ${message}\n`);
}

export async function runBridge(endpoint: URL, apiKey: string): Promise<void> {
  const local = new StdioServerTransport();
  const remote = new StreamableHTTPClientTransport(endpoint, {
    requestInit: { headers: { "X-API-Key": apiKey } },
  });
  let initializeId: RequestId | undefined;

  const fail = async (message: JSONRPCMessage, error: unknown) => {
    const text = describeFailure(error, endpoint);
    log(text);
    if (!isJSONRPCRequest(message)) return;
    await local.send({ jsonrpc: "2.0", id: message.id, error: { code: -32000, message: text } });
  };
  local.onmessage = (message) => {
    if (isJSONRPCRequest(message) && message.method === "initialize") initializeId = message.id;
    remote.send(message).catch((error: unknown) => fail(message, error));
  };
  remote.onmessage = (message) => {
    // Later requests must name the negotiated protocol version in a header.
    if (isJSONRPCResultResponse(message) && message.id === initializeId) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === "string") remote.setProtocolVersion(version);
    }
    local.send(message).catch((error: unknown) => log(`stdout: ${String(error)}`));
  };
  remote.onerror = (error) => log(error.message);
  local.onerror = (error) => log(error.message);

  await remote.start();
  await local.start();
  // The assistant closing our stdin is the end of the session.
  await new Promise<void>((resolve) => process.stdin.once("end", resolve));
  await remote.close();
}

async function main(): Promise<void> {
  const url = process.env.BERTH_URL;
  const apiKey = process.env.BERTH_API_KEY;
  if (!url || !apiKey) {
    log("set BERTH_URL (e.g. https://berth.example.org) and BERTH_API_KEY");
    process.exit(2);
  }
  let endpoint: URL;
  try {
    endpoint = endpointOf(url);
  } catch {
    log(`BERTH_URL is not a URL: ${url}`);
    process.exit(2);
  }
  await runBridge(endpoint, apiKey);
  process.exit(0);
}

// Run when started as a program (also through npm's bin symlink), not when imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
