import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { PROMPT_TEMPLATES } from "./prompts.ts";

/**
 * Cached pages are keyed by PROMPT_VERSION: a prompt change without a new version would leave every
 * cached page on the old prompt forever. prompt-hashes.json records, per prompt version, the hash of
 * the prompt text it was released with.
 *
 * To change the prompt: bump PROMPT_VERSION in core/prompt-version.ts, then add
 * `"<new version>": "<hash printed by the failing test>"` to container/src/prompt-hashes.json.
 */

const history = JSON.parse(readFileSync(new URL("./prompt-hashes.json", import.meta.url), "utf8")) as Record<string, string>;
const currentHash = createHash("sha256").update(JSON.stringify(PROMPT_TEMPLATES)).digest("hex");

describe("PROMPT_VERSION follows the prompt text", () => {
  it("the prompt text is the one recorded for this version", () => {
    const recorded = history[PROMPT_VERSION];
    if (recorded !== undefined) {
      expect(currentHash, `The prompt text changed but PROMPT_VERSION is still "${PROMPT_VERSION}". Bump it in core/prompt-version.ts and record "<new version>": "${currentHash}" in container/src/prompt-hashes.json.`).toBe(recorded);
      return;
    }
    // A version bump for another reason (page shell, cards): the prompt text must be the latest recorded one.
    const latest = Object.values(history).at(-1);
    expect(currentHash, `PROMPT_VERSION "${PROMPT_VERSION}" is new and the prompt text changed: record "${PROMPT_VERSION}": "${currentHash}" in container/src/prompt-hashes.json.`).toBe(latest);
  });
});
