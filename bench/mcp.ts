// Figure 4: the MCP door's get_deployment_status round trip (a new stateless
// server per request, over Streamable HTTP, with the SDK's own client)
// against REST GET /deployments/:id, same deployment, same process.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { call } from "../backend/test/helpers/berth.js";
import type { BenchBerth } from "./berth.js";
import { median, spread, type Figure } from "./lib.js";

async function timed(work: () => Promise<unknown>, requests: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

export async function benchMcp(berth: BenchBerth, runs = 5, requests = 200): Promise<Figure> {
  const running = await berth.db.deployment.findFirst({ where: { status: "RUNNING" } });
  if (!running)
    throw new Error("the MCP figure needs a RUNNING deployment: run the deploy figure first");
  const client = new Client({ name: "berth-bench", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${berth.url}/mcp`), {
      requestInit: { headers: { "X-API-Key": berth.key } },
    }),
  );
  const viaMcp = () =>
    client.callTool({ name: "get_deployment_status", arguments: { deployment_id: running.id } });
  const viaRest = () => call(`${berth.url}/deployments/${running.id}`, { key: berth.key });
  await timed(viaMcp, 20);
  await timed(viaRest, 20);
  const mcp: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < runs; i++) {
    mcp.push(await timed(viaMcp, requests));
    rest.push(await timed(viaRest, requests));
  }
  await client.close();
  const ratios = mcp.map((m, i) => m / rest[i]!);
  const ratio = median(ratios);
  return {
    name: "4. MCP overhead: get_deployment_status over MCP vs REST GET /deployments/:id",
    berth: `${median(mcp).toFixed(2)} ms per call (median)`,
    baseline: `${median(rest).toFixed(2)} ms per request (median)`,
    ratio,
    ratioSpread: spread(ratios),
    target: "≤ 1.5",
    met: ratio <= 1.5,
  };
}
