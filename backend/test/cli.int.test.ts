// The operator's bootstrap: `npm run -s berth -- create-admin-key --name NAME`
// prints only the new key on standard output, messages on standard error.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyVerifier } from "../src/core/auth/key-verifier.js";
import { createTestDatabase, type TestDatabase } from "./helpers/db.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

function berth(...args: string[]) {
  return run("npm", ["run", "-s", "berth", "--", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database.url, BCRYPT_ROUNDS: "4" },
  });
}

describe("create-admin-key", () => {
  it("prints only a working admin key, and reuses the admin user", async () => {
    const first = await berth("create-admin-key", "--name", "ops laptop");
    expect(first.stdout).toMatch(/^berth_[0-9A-Za-z_]+\n$/);
    expect(first.stderr).toMatch(/created admin key \w{12} \(ops laptop\)/);
    expect(first.stderr).not.toContain(first.stdout.trim());
    const second = await berth("create-admin-key", "--name", "ci", "--days", "7");

    const verifier = new KeyVerifier(database.db);
    const a = await verifier.verify(first.stdout.trim());
    const b = await verifier.verify(second.stdout.trim());
    expect(a).toMatchObject({ role: "ADMIN", scopes: expect.arrayContaining(["admin"]) });
    expect(b?.userId).toBe(a?.userId);
    const days = (b!.key!.expiresAt!.getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(7);
    expect(await database.db.auditEvent.count({ where: { action: "key.created" } })).toBe(2);
  });

  it("refuses a missing name with a usage message", async () => {
    const failure = await berth("create-admin-key").catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(failure).toMatchObject({ code: 64, stdout: "" });
    expect((failure as { stderr: string }).stderr).toMatch(/--name/);
  });
});
