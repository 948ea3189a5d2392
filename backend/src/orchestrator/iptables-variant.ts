// iptables in a container that shares the host's network namespace (the
// netguard). The container's default `iptables` may not be the flavour the
// host's Docker uses (nf_tables or legacy); rules written with the other one
// land in tables nobody reads. So the flavour is named, or found by which one
// holds Docker's DOCKER-USER chain. Argv only, never a shell.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import type { Iptables } from "./egress.js";

const run = promisify(execFile);

export type IptablesVariant = "nft" | "legacy";

export function variantIptables(variant: IptablesVariant): Iptables {
  const binary = `iptables-${variant}`;
  return {
    async run(args) {
      const { stdout } = await run(binary, ["-w", "5", ...args]);
      return stdout;
    },
    restore(script) {
      return new Promise((resolve, reject) => {
        const child = spawn(`${binary}-restore`, ["-w", "5", "--noflush"], {
          stdio: ["pipe", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) =>
          code === 0 ? resolve() : reject(new Error(`${binary}-restore failed: ${stderr.trim()}`)),
        );
        child.stdin.end(script);
      });
    },
  };
}

async function holdsDockerUser(variant: IptablesVariant): Promise<boolean> {
  return variantIptables(variant)
    .run(["-S", "DOCKER-USER"])
    .then(
      () => true,
      () => false,
    );
}

/** The flavour whose tables hold DOCKER-USER; nft when neither (or both) do. */
export async function detectVariant(): Promise<IptablesVariant> {
  const [nft, legacy] = await Promise.all([holdsDockerUser("nft"), holdsDockerUser("legacy")]);
  return legacy && !nft ? "legacy" : "nft";
}
