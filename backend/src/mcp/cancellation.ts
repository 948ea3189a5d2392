// Cancellation without sessions. Each POST gets its own server, so a
// client's notifications/cancelled arrives in a later POST, at a server that
// never saw the request. Requests in flight are therefore noted here by key
// and JSON-RPC id, and a cancellation from the same key is handed to the
// server that runs the request, which then aborts it as the SDK always does
// (the tool's signal fires and no response is sent). A client that simply
// disconnects is handled by transport.ts closing the server.
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { CancelledNotificationSchema, isJSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";

type Deliver = (message: JSONRPCMessage) => void;

function messagesOf(body: unknown): unknown[] {
  return Array.isArray(body) ? body : [body];
}

export class InFlightRequests {
  private readonly running = new Map<string, Deliver>();

  /**
   * Notes the requests in `body`, sent by `owner` (a key), as handled by
   * `deliver`; passes on any cancellations in it. Call the returned
   * function when the response is over.
   */
  track(owner: string, body: unknown, deliver: Deliver): () => void {
    const ids: string[] = [];
    for (const message of messagesOf(body)) {
      if (isJSONRPCRequest(message)) {
        const id = `${owner}\0${JSON.stringify(message.id)}`;
        this.running.set(id, deliver);
        ids.push(id);
      }
      this.forwardCancellation(owner, message);
    }
    return () => {
      for (const id of ids) if (this.running.get(id) === deliver) this.running.delete(id);
    };
  }

  private forwardCancellation(owner: string, message: unknown): void {
    const parsed = CancelledNotificationSchema.safeParse(message);
    if (!parsed.success || parsed.data.params.requestId === undefined) return;
    const deliver = this.running.get(`${owner}\0${JSON.stringify(parsed.data.params.requestId)}`);
    deliver?.({ jsonrpc: "2.0", ...parsed.data });
  }
}
