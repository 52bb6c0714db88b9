import type { TestProject } from "vitest/node";
import { startFakeGenerator } from "./fake-generator.ts";
import "./fake-generator-api.ts";

/**
 * Runs on Node before the edge project's workers start: the fake generator listens on 127.0.0.1
 * (any free port) and its URL is provided to the Miniflare bindings (GENERATOR_URL, see
 * vitest.config.ts) and to the tests (`inject("generatorUrl")`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const generator = await startFakeGenerator();
  project.provide("generatorUrl", generator.url);
  return () => generator.close();
}
