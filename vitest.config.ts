import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { hermeticEdgeConfig } from "./edge-worker/test/hermetic-config.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// One project per runtime: Node (core, generator, scripts, admin server code), workerd (edge worker),
// and headless Chromium (browser tests, run last and one file at a time). Timeouts only catch a hang:
// a test that polls until a background job lands can take several seconds on a busy 2-core machine.
const HANG_MS = 60_000;

export default defineConfig(async () => ({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          testTimeout: HANG_MS,
          include: ["core/**/*.test.ts", "container/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts", "extensions/**/*.test.ts", "prisma/**/*.test.ts"],
        },
      },
      {
        plugins: [
          // A function, so bindings can take what the globalSetup provides (the fake generator's URL).
          cloudflareTest(async ({ inject }) => ({
            // A copy of wrangler.jsonc in a directory of its own: no local `.dev.vars` reaches the tests.
            wrangler: { configPath: hermeticEdgeConfig(here("./edge-worker/wrangler.jsonc"), here("./node_modules/.cache/wand-edge-test")) },
            miniflare: {
              bindings: {
                // Edge pool (edge-worker/test/global-setup.ts): the fake generator, short timeouts and
                // retry delays, no in-isolate snapshot caching and a stats flush on every request.
                GENERATOR_URL: inject("generatorUrl"),
                GENERATOR_TIMEOUT_MS: "400",
                RETRY_BASE_MS: "20",
                SNAPSHOT_TTL_SECONDS: "0",
                STATS_FLUSH_SECONDS: "0",
                // Doubling cool-downs are off by default (max = cool-down); the breaker tests exercise them.
                LLM_BREAKER_MAX_COOLDOWN_MS: "300000",
                TEST_MIGRATIONS: await readD1Migrations(here("./prisma/migrations")),
                // App proxy (edge-worker/src/app-proxy): the secret tests sign with. The Admin API is
                // the fake one on 127.0.0.1 (edge-worker/test/fake-admin-api.ts; catalog sync), which
                // refuses unknown tokens, so no customer-profile refresh ever leaves the machine.
                SHOPIFY_API_SECRET: "wand-test-proxy-secret",
                SHOPIFY_ADMIN_API_ORIGIN: inject("adminApiOrigin"),
              },
            },
          })),
        ],
        test: {
          name: "edge",
          include: ["edge-worker/**/*.test.ts"],
          testTimeout: HANG_MS,
          globalSetup: [here("./edge-worker/test/global-setup.ts")],
          setupFiles: [here("./edge-worker/test/apply-migrations.ts")],
        },
      },
      {
        test: {
          name: "browser",
          environment: "node",
          include: ["e2e/**/*.test.ts"],
          // One browser file at a time: each starts its own servers and Chromium on 2 cores.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
}));
