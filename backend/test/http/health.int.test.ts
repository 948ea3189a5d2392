// GET /health through a real Berth (real PostgreSQL, real Docker): 200 when
// every part is up, 503 naming the part that is down.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type Berth } from "../../src/main.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { testConfig } from "../helpers/context.js";
import { createLogger } from "../../src/log.js";

let database: TestDatabase;
const started: Berth[] = [];

async function start(overrides: Record<string, string> = {}) {
  const berth = await startBerth(testConfig(database.url, overrides), createLogger("silent"));
  started.push(berth);
  return `http://127.0.0.1:${berth.port}`;
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(started.map((b) => b.close()));
  await database.drop();
});

describe("GET /health", () => {
  it("answers 200 with every part up", async () => {
    const res = await fetch(`${await start()}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      ok: true,
      down: [],
      database: { ok: true },
      docker: { ok: true, apiVersion: expect.stringMatching(/^1\.\d+$/) },
      swarm: { ok: true, state: "active", manager: true },
    });
  });

  it("answers 503 naming Docker and Swarm when the daemon is unreachable", async () => {
    const base = await start({ DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { down: string[]; docker: { error: string } };
    expect(body.down).toEqual(["docker", "swarm"]);
    expect(body.docker.error).toMatch(/not reachable/);
  });

  it("answers 503 naming the database when it is unreachable", async () => {
    const url = new URL(database.url);
    url.port = "1";
    const berth = await startBerth(testConfig(url.toString()), createLogger("silent"));
    started.push(berth);
    const res = await fetch(`http://127.0.0.1:${berth.port}/health`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { down: string[] }).down).toEqual(["database"]);
  });

  it("answers unknown routes with a JSON 404 and bad JSON with a 400", async () => {
    const base = await start();
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "NOT_FOUND", message: "no route for GET /nope" },
    });
    const bad = await fetch(`${base}/nope`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("INVALID_INPUT");
  });
});
