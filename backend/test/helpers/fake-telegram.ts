// A fake Telegram Bot API server on 127.0.0.1 (TESTBED.md: api.telegram.org
// is unreachable). The real grammY bot talks to it through `apiRoot`: it
// answers getMe, serves queued updates to getUpdates (long polling), accepts
// sendMessage, editMessageText, answerCallbackQuery, setMyCommands,
// setWebhook, deleteWebhook, ... and records every call. Messages sent with
// parse_mode HTML are checked the way Telegram checks them, so a missing
// escape fails a test instead of a user's message.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Update } from "grammy/types";
import { waitFor } from "./wait.js";

// Bot API parameters are whatever JSON grammY sent; tests read them freely.

export type Params = Record<string, any>;

export interface ApiCall {
  /** Order of arrival, from 1. */
  seq: number;
  method: string;
  params: Params;
  /** What the fake answered: `result` when ok, `error` when it refused. */
  result?: unknown;
  error?: string;
}

export interface FakeUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
}

interface Failure {
  error_code: number;
  description: string;
  /** Only for calls to this chat. */
  chatId?: number;
  /** Only this many times (then the method works again). */
  times?: number;
}

const BOT = {
  id: 700000001,
  is_bot: true,
  first_name: "Berth",
  username: "berth_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

const TRUE_METHODS = new Set([
  "answerCallbackQuery",
  "setMyCommands",
  "deleteMyCommands",
  "setWebhook",
  "deleteWebhook",
  "deleteMessage",
  "setChatMenuButton",
  "sendChatAction",
]);

// Telegram's HTML parse mode: these tags, and only &lt; &gt; &amp; &quot; or numeric entities.
const TAGS = new Set(
  "b strong i em u ins s strike del span tg-spoiler a tg-emoji code pre blockquote".split(" "),
);

/** The text a user sees for HTML `text`, or an error like Telegram's. */
export function parseHtml(text: string): { plain: string } | { error: string } {
  const stack: string[] = [];
  let plain = "";
  const token =
    /<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>|&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);|[<>&]|[^<>&]+/giy;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    const [whole, closing, tag, , entity] = m;
    if (tag) {
      if (!TAGS.has(tag.toLowerCase())) return { error: `unsupported start tag "${tag}"` };
      if (!closing) stack.push(tag);
      else if (stack.pop() !== tag) return { error: `unmatched end tag "${tag}"` };
    } else if (entity) {
      plain += { lt: "<", gt: ">", amp: "&", quot: '"' }[entity] ?? "?";
    } else if (whole === "<" || whole === ">" || whole === "&") {
      return { error: `unescaped "${whole}" at byte offset ${m.index}` };
    } else {
      plain += whole;
    }
  }
  if (stack.length > 0) return { error: `unclosed tag "${stack.at(-1)}"` };
  return { plain };
}

/** The text of a sent or edited message as its reader sees it. */
export function plainText(call: ApiCall): string {
  const text = String(call.params.text ?? "");
  if (call.params.parse_mode !== "HTML") return text;
  const parsed = parseHtml(text);
  return "plain" in parsed ? parsed.plain : text;
}

async function body(req: IncomingMessage): Promise<Params> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString();
  if (!raw) return {};
  return (req.headers["content-type"] ?? "").includes("json")
    ? (JSON.parse(raw) as Params)
    : Object.fromEntries(new URLSearchParams(raw));
}

export class FakeTelegram {
  readonly token = "700000001:TEST-fake_telegram_token";
  readonly calls: ApiCall[] = [];
  private readonly queue: Update[] = [];
  private readonly pollers = new Set<() => void>();
  private readonly failures = new Map<string, Failure>();
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeTelegram> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const fake = new FakeTelegram(server, `http://127.0.0.1:${port}`);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res));
    return fake;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.pollers) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- updates --------------------------------------------------------------

  /** A private-chat (or group) message update from `from`; commands get their entity. */
  message(from: FakeUser, text: string, chat?: Params): Update {
    const command = /^\/[\w@]+/.exec(text);
    return {
      update_id: this.nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: chat ?? { id: from.id, type: "private", first_name: from.first_name },
        from: { is_bot: false, ...from },
        text,
        ...(command
          ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] }
          : {}),
      },
    } as Update;
  }

  /** A button press on a message the bot sent (its recorded result). */
  callback(from: FakeUser, data: string, message: unknown): Update {
    return {
      update_id: this.nextUpdateId++,
      callback_query: {
        id: String(this.nextUpdateId * 1000),
        from: { is_bot: false, ...from },
        chat_instance: `ci${from.id}`,
        data,
        message,
      },
    } as Update;
  }

  /** Queues an update for getUpdates; returns its id. */
  push(update: Update): number {
    this.queue.push(update);
    for (const wake of this.pollers) wake();
    return update.update_id;
  }

  // ---- failures -------------------------------------------------------------

  /** Makes `method` fail (for one chat, or for all) until `heal`. */
  fail(method: string, failure: Failure): void {
    this.failures.set(method, failure);
  }

  heal(method: string): void {
    this.failures.delete(method);
  }

  // ---- assertions -----------------------------------------------------------

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Calls the fake refused (bad HTML, too long, injected failures). */
  refused(): ApiCall[] {
    return this.calls.filter((c) => c.error !== undefined);
  }

  get lastSeq(): number {
    return this.calls.length;
  }

  waitForCall(
    predicate: (call: ApiCall) => boolean,
    after = 0,
    timeoutMs = 20_000,
  ): Promise<ApiCall> {
    return waitFor(() => this.calls.find((c) => c.seq > after && predicate(c)), {
      timeoutMs,
      intervalMs: 20,
    });
  }

  /** Messages sent or edited in `chatId` after `after`. */
  messagesTo(chatId: number, after = 0): ApiCall[] {
    return this.calls.filter(
      (c) =>
        c.seq > after &&
        (c.method === "sendMessage" || c.method === "editMessageText") &&
        Number(c.params.chat_id) === chatId &&
        c.error === undefined,
    );
  }

  /** Resolves once the poller has handled `updateId`: grammY handles a batch
   * before asking for the next, so a getUpdates past it means it is done. */
  async processed(updateId: number): Promise<void> {
    await this.waitForCall((c) => c.method === "getUpdates" && Number(c.params.offset) > updateId);
  }

  // ---- the server -----------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    const params: Params = await body(req).catch(() => ({}));
    if (!match || match[1] !== this.token) {
      this.send(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      return;
    }
    const call: ApiCall = { seq: this.calls.length + 1, method: match[2]!, params };
    this.calls.push(call);
    if (call.method === "getUpdates") {
      await this.getUpdates(res, call);
      return;
    }
    const failure = this.failures.get(call.method);
    if (failure && (failure.chatId === undefined || failure.chatId === Number(params.chat_id))) {
      if (failure.times !== undefined && --failure.times <= 0) this.failures.delete(call.method);
      this.refuse(res, call, failure.error_code, failure.description);
      return;
    }
    const answer = this.answer(call);
    if ("error" in answer) this.refuse(res, call, 400, answer.error);
    else {
      call.result = answer.result;
      this.send(res, 200, { ok: true, result: answer.result });
    }
  }

  private answer(call: ApiCall): { result: unknown } | { error: string } {
    const { method, params } = call;
    if (method === "getMe") return { result: BOT };
    if (TRUE_METHODS.has(method)) return { result: true };
    if (method === "getWebhookInfo") return { result: { url: "", pending_update_count: 0 } };
    if (method === "sendMessage" || method === "editMessageText") return this.messageResult(params);
    return { error: "Not Found: method not found" };
  }

  private messageResult(params: Params): { result: unknown } | { error: string } {
    const text = String(params.text ?? "");
    let plain = text;
    if (params.parse_mode === "HTML") {
      const parsed = parseHtml(text);
      if ("error" in parsed) return { error: `Bad Request: can't parse entities: ${parsed.error}` };
      plain = parsed.plain;
    }
    if (plain.trim().length === 0) return { error: "Bad Request: message text is empty" };
    if ([...plain].length > 4096) return { error: "Bad Request: message is too long" };
    const chatId = Number(params.chat_id);
    return {
      result: {
        message_id: Number(params.message_id ?? this.nextMessageId++),
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: chatId > 0 ? "private" : "supergroup" },
        from: BOT,
        text: plain,
        ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}),
      },
    };
  }

  private async getUpdates(res: ServerResponse, call: ApiCall) {
    const offset = Number(call.params.offset ?? 0);
    const limit = Number(call.params.limit ?? 100);
    // Updates below the offset are confirmed: Telegram forgets them.
    while (this.queue.length > 0 && this.queue[0]!.update_id < offset) this.queue.shift();
    const timeoutMs = Number(call.params.timeout ?? 0) * 1000;
    if (this.queue.length === 0 && timeoutMs > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.pollers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, timeoutMs);
        this.pollers.add(wake);
        res.once("close", wake); // grammY aborted the poll (bot.stop)
      });
    }
    call.result = this.queue.slice(0, limit);
    if (!res.destroyed) this.send(res, 200, { ok: true, result: call.result });
  }

  private refuse(res: ServerResponse, call: ApiCall, code: number, description: string) {
    call.error = description;
    this.send(res, code, { ok: false, error_code: code, description });
  }

  private send(res: ServerResponse, status: number, payload: unknown) {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(payload));
  }
}
