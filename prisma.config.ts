import { defineConfig } from "prisma/config";

// Only `prisma generate` reads this file; migrations run through
// backend/src/db/migrate.ts, which takes DATABASE_URL itself.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
