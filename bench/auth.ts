// Figure 1: authenticated GET /auth/whoami against the unauthenticated
// GET /ping of the same process, 50 connections, alternating runs.
import type { BenchBerth } from "./berth.js";
import { load, median, spread, type Figure } from "./lib.js";

export async function benchAuth(berth: BenchBerth, runs = 5, seconds = 5): Promise<Figure> {
  const key = { "x-api-key": berth.key };
  await load(`${berth.url}/auth/whoami`, key, 1); // the first verification runs bcrypt once
  const ratios: number[] = [];
  const authed: number[] = [];
  const open: number[] = [];
  const p99s: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = await load(`${berth.url}/ping`, {}, seconds);
    const b = await load(`${berth.url}/auth/whoami`, key, seconds);
    if (a.errors || b.errors) throw new Error(`errors during the run: ${a.errors} / ${b.errors}`);
    open.push(a.rps);
    authed.push(b.rps);
    p99s.push(b.p99);
    ratios.push(b.rps / a.rps);
  }
  const ratio = median(ratios);
  return {
    name: "1. Authenticated API: GET /auth/whoami vs GET /ping, 50 connections",
    berth: `${median(authed).toFixed(0)} req/s, p99 ${median(p99s)} ms`,
    baseline: `${median(open).toFixed(0)} req/s`,
    ratio,
    ratioSpread: spread(ratios),
    target: "≥ 0.7",
    met: ratio >= 0.7,
  };
}
