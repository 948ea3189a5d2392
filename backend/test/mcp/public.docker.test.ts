// Public environments through MCP against a Berth with its proxy on (the
// test bed's image, a Pebble of this file's own): make public, follow the
// issuance, reach the app over HTTPS, take it off; and an honest refusal
// from a Berth whose proxy is off.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserWithKey, startTestBerth, type TestUser } from "../helpers/berth.js";
import { waitFor } from "../helpers/wait.js";
import {
  closePublicBed,
  environmentWithApp,
  served,
  startPublicBed,
  type PublicBed,
} from "../http/public-bed.js";
import { fails, ok, withKey } from "./helpers.js";

let b: PublicBed;
let owner: TestUser;
let stranger: TestUser;
let agent: Client;
let envId = "";

interface Answer {
  public: { status: string; domain: string | null; url: string | null; error: string | null };
  next_step: string;
}

beforeAll(async () => {
  b = await startPublicBed("mcppub");
  owner = await createUserWithKey(b.t);
  stranger = await createUserWithKey(b.t);
  envId = (await environmentWithApp(b, owner, "mcpshop", "v1")).id;
  agent = await withKey(b.t.url, owner.key);
});
afterAll(async () => {
  await agent?.close();
  await closePublicBed(b, [{ id: envId, key: owner.key }]);
});

describe("public environments through MCP", () => {
  it("makes a service public, follows the certificate to ACTIVE, and serves it over HTTPS", async () => {
    const made = await ok<Answer>(agent, "make_environment_public", {
      environment_id: envId,
      domain: "mcp.berth.test",
      service: "web",
      port: 8080,
    });
    expect(made.data.public).toMatchObject({ status: "PENDING_CERT", domain: "mcp.berth.test" });
    expect(made.data.next_step).toMatch(/get_public_status/);
    const active = await waitFor(
      async () => {
        const status = await ok<Answer>(agent, "get_public_status", { environment_id: envId });
        return status.data.public.status === "PENDING_CERT" ? null : status.data;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(active.public).toMatchObject({
      status: "ACTIVE",
      url: "https://mcp.berth.test",
      error: null,
    });
    expect(await served(b, "mcp.berth.test")).toMatchObject({ version: "v1" });
  });

  it("answers another user's environment as not found", async () => {
    const other = await withKey(b.t.url, stranger.key);
    for (const name of ["get_public_status", "unpublish_environment"]) {
      expect((await fails(other, name, { environment_id: envId })).error.code).toBe("NOT_FOUND");
    }
    const made = await fails(other, "make_environment_public", {
      environment_id: envId,
      service: "web",
    });
    expect(made.error.code).toBe("NOT_FOUND");
    await other.close();
  });

  it("takes it off the internet", async () => {
    const off = await ok<Answer>(agent, "unpublish_environment", { environment_id: envId });
    expect(off.data.public).toMatchObject({ status: "NONE", domain: null });
  });

  it("is unpublished when the service it serves is deleted", async () => {
    await ok(agent, "make_environment_public", {
      environment_id: envId,
      domain: "mcp.berth.test",
      service: "web",
      port: 8080,
    });
    const list = await ok<{ deployments: { id: string; status: string }[] }>(
      agent,
      "list_deployments",
      { environment_id: envId },
    );
    const web = list.data.deployments.find((d) => d.status === "RUNNING")!;
    const preview = await ok<{ confirmation_token: string }>(agent, "delete_deployment", {
      deployment_id: web.id,
    });
    await ok(agent, "delete_deployment", {
      deployment_id: web.id,
      confirmation_token: preview.data.confirmation_token,
    });
    await waitFor(
      async () => {
        const status = await ok<Answer>(agent, "get_public_status", { environment_id: envId });
        return status.data.public.status === "NONE";
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });
});

describe("a Berth with its proxy off", () => {
  it("refuses honestly instead of pretending", async () => {
    const t = await startTestBerth();
    try {
      const user = await createUserWithKey(t);
      const client = await withKey(t.url, user.key);
      const env = await ok<{ environment: { id: string } }>(client, "create_environment", {
        name: "private",
      });
      const refusal = await fails(client, "make_environment_public", {
        environment_id: env.data.environment.id,
        service: "web",
      });
      expect(refusal.error.code).toBe("NOT_IMPLEMENTED");
      expect(refusal.text).toMatch(/retrying will not help/i);
      const status = await ok<Answer>(client, "get_public_status", {
        environment_id: env.data.environment.id,
      });
      expect(status.data.public.status).toBe("NONE");
      await client.close();
    } finally {
      await t.close();
    }
  });
});
