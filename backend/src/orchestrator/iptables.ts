// Runs iptables on the machine Berth runs on (argv only, waiting for the
// xtables lock). A Berth inside a container needs the host's network
// namespace and NET_ADMIN for this; see the README's production section.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import type { Iptables } from "./egress.js";

const run = promisify(execFile);

export const localIptables: Iptables = {
  async run(args) {
    const { stdout } = await run("iptables", ["-w", "5", ...args]);
    return stdout;
  },
  restore(script) {
    return new Promise((resolve, reject) => {
      const child = spawn("iptables-restore", ["-w", "5", "--noflush"], {
        stdio: ["pipe", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve() : reject(new Error(`iptables-restore failed: ${stderr.trim()}`)),
      );
      child.stdin.end(script);
    });
  },
};
