// A switchable stand-in for the Docker daemon's socket: a unix socket that
// forwards to the real one while "up" and refuses connections while "down",
// so a test can take the daemon away from one Berth without stopping the
// daemon every other test uses.
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class DockerSocketProxy {
  readonly path: string;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly dir = mkdtempSync(join(tmpdir(), "berth-docker-proxy-"));

  constructor(private readonly target = "/var/run/docker.sock") {
    this.path = join(this.dir, "docker.sock");
  }

  get dockerHost(): string {
    return `unix://${this.path}`;
  }

  up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve) => this.server!.listen(this.path, resolve));
  }

  down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  async dispose(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
