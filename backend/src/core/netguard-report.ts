// The netguard's report: a small JSON file that the netguard process writes
// after every round and Berth reads for /health. A file on a shared volume,
// so the netguard needs no network port and Berth no extra privilege.
import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import type { EgressStatus } from "../orchestrator/egress.js";

const reportSchema = z.object({
  enabled: z.boolean(),
  applied: z.boolean(),
  error: z.string().optional(),
  checkedAt: z.iso.datetime(),
  intervalSeconds: z.number().int().positive(),
  iptables: z.string().optional(),
});
export type NetguardReport = z.infer<typeof reportSchema>;

/** Writes the report atomically (a reader never sees half a file). */
export async function writeNetguardReport(path: string, report: NetguardReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(report)}\n`, { mode: 0o644 });
  await rename(temporary, path);
}

/** The report, or why there is none. */
export function readNetguardReport(path: string): NetguardReport | string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "netguard has not reported yet" : `cannot read ${path}: ${code}`;
  }
  try {
    return reportSchema.parse(JSON.parse(text));
  } catch {
    return `netguard report ${path} is not valid`;
  }
}

/** A report missing three rounds in a row means the netguard is not running. */
export function staleAfterMs(intervalSeconds: number): number {
  return (3 * intervalSeconds + 5) * 1000;
}

/** The guard's status from a report: only a fresh "applied" counts. */
export function statusFromReport(
  report: NetguardReport | string,
  now: number = Date.now(),
): EgressStatus {
  if (typeof report === "string") return { enabled: true, applied: false, error: report };
  if (!report.enabled) return { enabled: false, applied: false };
  const age = now - Date.parse(report.checkedAt);
  if (age > staleAfterMs(report.intervalSeconds)) {
    const seconds = Math.round(age / 1000);
    return {
      enabled: true,
      applied: false,
      error: `netguard's last report is ${seconds}s old: is the netguard running?`,
    };
  }
  return report.error
    ? { enabled: true, applied: report.applied, error: report.error }
    : { enabled: true, applied: report.applied };
}
