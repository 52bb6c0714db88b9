import { applyD1Migrations, env } from "cloudflare:test";

// Storage is not isolated between tests: migrations are idempotent (applyD1Migrations tracks them).
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
