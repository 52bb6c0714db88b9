import type { CatalogSnapshot, GenerationJob, ShopSettings } from "../../core/types.ts";

/** The fake generator's control surface, shared by the Node server and the workerd tests. */
export type FakeBehaviour = "ok" | "fail" | "hang" | "hold";

export interface FakeStoreStats {
  /** Calls of /generate for the store. */
  calls: number;
  /** Calls not answered yet (held or hanging). */
  inProgress: number;
  /** Calls answered with a page. */
  answered: number;
  /** Calls answered with a failure. */
  failed: number;
}

export interface GenerateRequestBody {
  job: GenerationJob;
  catalog: CatalogSnapshot;
  settings: ShopSettings;
}

declare module "vitest" {
  interface ProvidedContext {
    /** Base URL of the fake generator the edge project's globalSetup started. */
    generatorUrl: string;
  }
}
