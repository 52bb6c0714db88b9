import type { TestProject } from "vitest/node";
import { startFakeAdminApi } from "./fake-admin-api.ts";
import "./fake-admin-control.ts";
import { startFakeGenerator } from "./fake-generator.ts";
import "./fake-generator-api.ts";

/**
 * Runs on Node before the edge project's workers start: the fake generator and the fake Shopify
 * Admin API listen on 127.0.0.1 (any free port) and their origins are provided to the Miniflare
 * bindings (GENERATOR_URL, SHOPIFY_ADMIN_API_ORIGIN, see vitest.config.ts) and to the tests
 * (`inject("generatorUrl")`, `inject("adminApiOrigin")`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const generator = await startFakeGenerator();
  const adminApi = await startFakeAdminApi();
  project.provide("generatorUrl", generator.url);
  project.provide("adminApiOrigin", adminApi.origin);
  return async () => {
    await Promise.all([generator.close(), adminApi.close()]);
  };
}
