import type { GenerationJob, PersonaSelection, ShopSettings } from "../../core/types.ts";

/** The fake generator's control surface, shared by the Node server and the workerd tests. */
export type FakeBehaviour = "ok" | "fail" | "hang" | "hold" | "fallback" | "unlabelled" | "template_mode" | "unusable";

export interface FakeStoreStats {
  /** Calls of /generate for the store. */
  calls: number;
  /** Calls not answered yet (held or hanging). */
  inProgress: number;
  /** Calls answered with a page. */
  answered: number;
  /** Calls answered with a failure. */
  failed: number;
  /** Size in bytes of the largest request body received for the store. */
  maxRequestBytes: number;
  /** The X-Wand-Breaker header of each call, in order (null when absent). */
  breakerHeaders: (string | null)[];
  /** Each call's job key and language and the selection's product titles by handle, in order. */
  jobs: { key: string; language: string | null; titles: Record<string, string> }[];
}

export interface GenerateRequestBody {
  job: GenerationJob;
  selection: PersonaSelection;
  settings: ShopSettings;
}

declare module "vitest" {
  interface ProvidedContext {
    /** Base URL of the fake generator the edge project's globalSetup started. */
    generatorUrl: string;
  }
}
