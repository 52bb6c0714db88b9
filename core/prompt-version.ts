/**
 * Version of the generator's prompt and output pipeline. Part of every cache variant: bump it when
 * the prompt, the product slots or the page shell changes in a way that should regenerate
 * every cached page (old pages are then served stale while the new ones are generated).
 */
export const PROMPT_VERSION: string = "p3-2026-12";
