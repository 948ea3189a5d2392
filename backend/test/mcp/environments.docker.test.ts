// Environment tools through the MCP door, with the SDK's own client against
// a real Berth, PostgreSQL and Docker Engine; what Berth says is checked
// through the Docker API itself.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Confirmations } from "../../src/mcp/confirm.js";
import {
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";
import { waitFor } from "../helpers/wait.js";
import { fails, ok, withKey } from "./helpers.js";

interface Env {
  id: string;
  name: string;
  status: string;
  networkName: string;
  overlayNetworkId: string;
}

let t: TestBerth;
let alice: TestUser;
let bob: TestUser;
let a: Client;
let b: Client;

beforeAll(async () => {
  t = await startTestBerth({ QUOTA_ENVIRONMENTS_PER_USER: "4" });
  alice = await createUserWithKey(t);
  bob = await createUserWithKey(t);
  a = await withKey(t.url, alice.key);
  b = await withKey(t.url, bob.key);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await t.close();
});

const network = (name: string) =>
  t.ctx.engine.docker
    .getNetwork(name)
    .inspect()
    .then(
      (n) => n,
      () => null,
    );

async function deleteFully(client: Client, id: string) {
  const preview = await ok<{ confirmation_token: string }>(client, "delete_environment", {
    environment_id: id,
  });
  await ok(client, "delete_environment", {
    environment_id: id,
    confirmation_token: preview.data.confirmation_token,
  });
  await waitFor(
    async () =>
      (await fails(client, "get_environment", { environment_id: id })).error.code === "NOT_FOUND",
    { timeoutMs: 90_000 },
  );
}

describe("environment tools", () => {
  let web: Env;

  it("creates an environment whose overlay network really exists", async () => {
    const { data } = await ok<{ created: boolean; environment: Env; next_step: string }>(
      a,
      "create_environment",
      { name: "web" },
    );
    expect(data.created).toBe(true);
    expect(data.environment).toMatchObject({ name: "web", status: "ACTIVE" });
    expect(data.next_step).toContain(data.environment.id);
    web = data.environment;
    const net = await network(web.networkName);
    expect(net).toMatchObject({ Id: web.overlayNetworkId, Scope: "swarm", Attachable: true });
    expect(net!.Labels).toMatchObject({
      "berth.environment": web.id,
      "berth.owner": alice.userId,
    });
  });

  it("returns the existing environment when asked to create the same name again", async () => {
    const networks = (await t.ctx.engine.docker.listNetworks()).length;
    const { data } = await ok<{ created: boolean; environment: Env }>(a, "create_environment", {
      name: "web",
    });
    expect(data.created).toBe(false);
    expect(data.environment.id).toBe(web.id);
    expect((await t.ctx.engine.docker.listNetworks()).length).toBe(networks);
    // The same name is another user's own environment.
    const bobs = await ok<{ created: boolean; environment: Env }>(b, "create_environment", {
      name: "web",
    });
    expect(bobs.data.created).toBe(true);
    expect(bobs.data.environment.id).not.toBe(web.id);
  });

  it("refuses a bad name with a message saying what to fix", async () => {
    const failure = await fails(a, "create_environment", { name: "Web_1" });
    expect(failure.text).toMatch(/lowercase/);
  });

  it("gets an environment with its services and public state", async () => {
    const { data } = await ok<{ environment: Env & Record<string, unknown> }>(
      a,
      "get_environment",
      { environment_id: web.id },
    );
    expect(data.environment).toMatchObject({
      id: web.id,
      deployments: [],
      services: [],
      public: { status: "NONE", domain: null },
    });
    expect(typeof data.environment.createdAt).toBe("string");
  });

  it("lists a page at a time with a cursor", async () => {
    await ok(a, "create_environment", { name: "api" });
    await ok(a, "create_environment", { name: "db" });
    const first = await ok<{ environments: Env[]; next_cursor: string | null }>(
      a,
      "list_environments",
      { limit: 2 },
    );
    expect(first.data.environments.map((e) => e.name)).toEqual(["web", "api"]);
    expect(first.data.next_cursor).toEqual(expect.any(String));
    const second = await ok<{ environments: Env[]; next_cursor: string | null }>(
      a,
      "list_environments",
      { limit: 2, cursor: first.data.next_cursor },
    );
    expect(second.data.environments.map((e) => e.name)).toEqual(["db"]);
    expect(second.data.next_cursor).toBeNull();
    const bobs = await ok<{ environments: Env[] }>(b, "list_environments");
    expect(bobs.data.environments.map((e) => e.name)).toEqual(["web"]);
  });

  it("answers over quota with what to do next", async () => {
    await ok(a, "create_environment", { name: "four" });
    const failure = await fails(a, "create_environment", { name: "five" });
    expect(failure.error).toMatchObject({ code: "QUOTA_EXCEEDED", details: { limit: 4 } });
    expect(failure.text).toMatch(/quota/);
  });

  it("answers another user's ids as not found, on every tool", async () => {
    for (const [tool, args] of [
      ["get_environment", { environment_id: web.id }],
      ["delete_environment", { environment_id: web.id }],
      ["get_environment", { environment_id: "not-an-id" }],
    ] as const) {
      const failure = await fails(b, tool, args);
      expect(failure.error.code, tool).toBe("NOT_FOUND");
      expect(failure.text).toMatch(/no such environment/);
    }
    expect(await network(web.networkName)).not.toBeNull();
  });

  it("deletes in two phases: the first call removes nothing and returns a token", async () => {
    const { data } = await ok<{
      status: string;
      will_remove: { network: string; services: string[] };
      confirmation_token: string;
      expires_at: string;
    }>(a, "delete_environment", { environment_id: web.id });
    expect(data).toMatchObject({
      status: "confirmation_required",
      will_remove: { network: web.networkName, services: [] },
    });
    expect(new Date(data.expires_at).getTime()).toBeGreaterThan(Date.now());
    const still = await ok<{ environment: Env }>(a, "get_environment", { environment_id: web.id });
    expect(still.data.environment.status).toBe("ACTIVE");
    expect(await network(web.networkName)).not.toBeNull();
  });

  it("refuses wrong, expired, other-target and other-user tokens, and removes nothing", async () => {
    const api = (
      await ok<{ environments: Env[] }>(a, "list_environments", { limit: 100 })
    ).data.environments.find((e) => e.name === "api")!;
    const forApi = await ok<{ confirmation_token: string }>(a, "delete_environment", {
      environment_id: api.id,
    });
    // Signed with a key this Berth does not have, or for a moment already past.
    const forged = new Confirmations("x".repeat(32)).issue({
      tool: "delete_environment",
      targetId: web.id,
      userId: alice.userId,
    }).token;
    const [expiry, mac] = forApi.data.confirmation_token.split(".");
    const backdated = `${(parseInt(expiry!, 36) - 10 * 60_000).toString(36)}.${mac}`;
    for (const token of [forApi.data.confirmation_token, forged, backdated, "nonsense"]) {
      const failure = await fails(a, "delete_environment", {
        environment_id: web.id,
        confirmation_token: token,
      });
      expect(failure.error).toMatchObject({
        code: "INVALID_INPUT",
        details: { field: "confirmation_token" },
      });
      expect(failure.text).toMatch(/nothing was removed/);
    }
    // Bob cannot use Alice's token: he cannot even see her environment.
    const forWeb = await ok<{ confirmation_token: string }>(a, "delete_environment", {
      environment_id: web.id,
    });
    const bobs = await fails(b, "delete_environment", {
      environment_id: web.id,
      confirmation_token: forWeb.data.confirmation_token,
    });
    expect(bobs.error.code).toBe("NOT_FOUND");
    expect(
      (await ok<{ environment: Env }>(a, "get_environment", { environment_id: web.id })).data
        .environment.status,
    ).toBe("ACTIVE");
  });

  it("deletes with the token: services, network and row go", async () => {
    const preview = await ok<{ confirmation_token: string }>(a, "delete_environment", {
      environment_id: web.id,
    });
    const { data } = await ok<{ status: string; environment: Env; next_step: string }>(
      a,
      "delete_environment",
      { environment_id: web.id, confirmation_token: preview.data.confirmation_token },
    );
    expect(data.status).toBe("deleting");
    expect(data.environment.status).toBe("DELETING");
    await waitFor(
      async () =>
        (await fails(a, "get_environment", { environment_id: web.id })).error.code === "NOT_FOUND",
      { timeoutMs: 90_000 },
    );
    expect(await network(web.networkName)).toBeNull();
  });

  it("stays idempotent when two creates of one name race", async () => {
    const [one, two] = await Promise.all([
      ok<{ created: boolean; environment: Env }>(a, "create_environment", { name: "twin" }),
      ok<{ created: boolean; environment: Env }>(a, "create_environment", { name: "twin" }),
    ]);
    expect([one.data.created, two.data.created].sort()).toEqual([false, true]);
    expect(one.data.environment.id).toBe(two.data.environment.id);
  });

  it("cleans up every environment it made, through Berth", async () => {
    for (const client of [a, b]) {
      const { data } = await ok<{ environments: Env[] }>(client, "list_environments", {
        limit: 100,
      });
      for (const env of data.environments) await deleteFully(client, env.id);
    }
  });
});
