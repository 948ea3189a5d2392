// Berth's benchmarks, side by side with their baselines in one run:
//   npm run bench [-- figure...]     figures: auth deploy mcp concurrency growth proxy
// Brings the test bed up, runs a built Berth in a process of its own, prints
// each figure (Berth, baseline, ratio with the spread of the runs) and writes
// bench/RESULTS.md with the machine and the command. Not part of the tests.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { benchAuth } from "./auth.js";
import { startBenchBerth, type BenchBerth } from "./berth.js";
import { benchConcurrency, benchDeployLatency, cleanRaw } from "./deploy.js";
import { benchGrowth } from "./growth.js";
import { benchMcp } from "./mcp.js";
import { printFigure, ROOT, type Figure } from "./lib.js";

const ALL = ["auth", "deploy", "mcp", "concurrency", "growth", "proxy"];
const wanted = process.argv.slice(2).filter((a) => ALL.includes(a));
const figures = wanted.length > 0 ? wanted : ALL;

function proxyFigure(): Figure {
  const out = execFileSync("npx", ["tsx", join(ROOT, "bench/proxy.ts"), "10", "32", "--json"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  }).toString();
  return JSON.parse(out.trim().split("\n").pop()!) as Figure;
}

function footprint(samples: Record<string, number>): Figure {
  const idle = samples.idle ?? 0;
  const text = Object.entries(samples)
    .map(([k, v]) => `${k} ${v.toFixed(0)} MB`)
    .join(", ");
  return {
    name: "6. Footprint: the backend's resident memory",
    berth: text,
    baseline: "goal: under 150 MB idle",
    ratio: idle / 150,
    ratioSpread: "idle / 150 MB",
    target: "idle < 150 MB",
    met: idle < 150,
  };
}

function markdown(results: Figure[], command: string): string {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`;
  const rows = results.map(
    (f) =>
      `| ${f.name} | ${f.berth} | ${f.baseline} | ${f.ratio.toFixed(2)} (${f.ratioSpread}) | ${f.target} | ${f.met ? "met" : "**missed**"} |`,
  );
  const notes = results.filter((f) => f.note).map((f) => `- ${f.name.split(":")[0]}: ${f.note}`);
  return [
    "# Benchmark results",
    "",
    `Run on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${machine}, with \`${command}\`.`,
    "Ratios compare Berth with a baseline measured in the same run; absolute numbers on a shared 2-core machine are noise.",
    "",
    "| figure | Berth | baseline | ratio | target | |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    ...(notes.length ? ["Notes:", ...notes, ""] : []),
  ].join("\n");
}

async function main() {
  const results: Figure[] = [];
  const memory: Record<string, number> = {};
  let berth: BenchBerth | undefined;
  try {
    berth = await startBenchBerth({
      DEPLOY_WATCH_WINDOW: "0s",
      DEPLOY_RESERVATION_FRACTION: "0",
      RECONCILE_INTERVAL_SECONDS: "0",
    });
    await new Promise((r) => setTimeout(r, 3000));
    memory.idle = berth.rssMb();
    const run = async (name: string, figure: () => Promise<Figure>) => {
      if (!figures.includes(name)) return;
      const result = await figure();
      printFigure(result);
      results.push(result);
      memory[`after ${name}`] = berth!.rssMb();
    };
    await run("auth", () => benchAuth(berth!));
    await run("deploy", () => benchDeployLatency(berth!));
    await run("mcp", () => benchMcp(berth!));
    await run("concurrency", () => benchConcurrency(berth!));
    await run("growth", () => benchGrowth(berth!));
    results.push(footprint(memory));
    printFigure(results.at(-1)!);
  } finally {
    await cleanRaw();
    await berth?.close();
  }
  if (figures.includes("proxy")) {
    const proxy = proxyFigure();
    printFigure(proxy);
    results.push(proxy);
  }
  const command = `npm run bench${wanted.length ? ` -- ${wanted.join(" ")}` : ""}`;
  writeFileSync(join(ROOT, "bench/RESULTS.md"), markdown(results, command));
}

await main();
process.exit(0);
