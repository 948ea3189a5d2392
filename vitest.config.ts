import { defineConfig } from "vitest/config";

// One runner for every test. Files say what they need by name:
// *.test.ts (no I/O), *.int.test.ts (PostgreSQL), *.docker.test.ts (Docker).
// The global setup brings the test bed up (scripts/testbed.sh) first.
export default defineConfig({
  test: {
    include: ["backend/test/**/*.test.ts"],
    globalSetup: ["backend/test/helpers/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 4,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
