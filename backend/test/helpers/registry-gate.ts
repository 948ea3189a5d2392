// A pass-through in front of the test bed's registry that can hold image
// manifest requests, so a test can catch Berth in PULLING_IMAGE for as
// long as it likes. Loopback only.
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";

export class RegistryGate {
  private server: Server | undefined;
  private closed = true;
  private waiting: (() => void)[] = [];
  /** Manifest requests seen while closed. */
  held = 0;
  port = 0;

  constructor(private readonly upstream = { host: "127.0.0.1", port: 5000 }) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Lets every held and future request through. */
  open(): void {
    this.closed = false;
    for (const go of this.waiting.splice(0)) go();
  }

  async stop(): Promise<void> {
    this.open();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    if (this.closed && /\/manifests\//.test(req.url ?? "")) {
      this.held++;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const upstream = request(
      {
        ...this.upstream,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `${this.upstream.host}:${this.upstream.port}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  }
}
