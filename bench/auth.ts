// Figure 1: authenticated GET /auth/whoami against the unauthenticated
// GET /ping of the same process, 50 connections, several alternating runs.
import { createApiKey, daysFromNow } from "../backend/src/core/auth/create-api-key.js";
import { SCOPES } from "../backend/src/core/auth/scopes.js";
import { createLogger } from "../backend/src/log.js";
import { startBerth } from "../backend/src/main.js";
import {
  benchConfig,
  benchDatabase,
  load,
  median,
  printFigure,
  spread,
  type Figure,
} from "./lib.js";

export async function benchAuth(runs = 5, seconds = 5): Promise<Figure> {
  const database = await benchDatabase();
  const berth = await startBerth(benchConfig(database.url), createLogger("silent"));
  try {
    const user = await berth.ctx.db.user.create({ data: { name: "bench" } });
    const { key } = await createApiKey(berth.ctx, {
      userId: user.id,
      name: "bench",
      scopes: [...SCOPES],
      environmentIds: [],
      expiresAt: daysFromNow(1),
    });
    const base = `http://127.0.0.1:${berth.port}`;
    await load(`${base}/auth/whoami`, { "x-api-key": key }, 1); // warm the key cache
    const ratios: number[] = [];
    const authed: number[] = [];
    const open: number[] = [];
    const p99s: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = await load(`${base}/ping`, {}, seconds);
      const b = await load(`${base}/auth/whoami`, { "x-api-key": key }, seconds);
      if (a.errors || b.errors) throw new Error(`errors during the run: ${a.errors} / ${b.errors}`);
      open.push(a.rps);
      authed.push(b.rps);
      p99s.push(b.p99);
      ratios.push(b.rps / a.rps);
    }
    const ratio = median(ratios);
    return {
      name: "1. Authenticated API (GET /auth/whoami vs GET /ping, 50 connections)",
      berth: `${median(authed).toFixed(0)} req/s, p99 ${median(p99s)} ms`,
      baseline: `${median(open).toFixed(0)} req/s`,
      ratio,
      ratioSpread: spread(ratios),
      target: "≥ 0.7",
      met: ratio >= 0.7,
    };
  } finally {
    await berth.close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printFigure(await benchAuth());
  process.exit(0);
}
