/**
 * Marked slots for per-shopper touches. A cached persona page is shared by many shoppers; the edge
 * fills these empty elements per request (e.g. with HTMLRewriter), so the page still feels personal
 * without a cache entry per shopper.
 */
export const SLOT_NAMES = ["greeting", "recently-viewed", "loyalty-note"] as const;
export type SlotName = (typeof SLOT_NAMES)[number];

export const SLOT_ATTRIBUTE = "data-wand-slot";

export function isSlotName(value: unknown): value is SlotName {
  return typeof value === "string" && (SLOT_NAMES as readonly string[]).includes(value);
}

/** The empty slot element: `<div data-wand-slot="NAME"></div>`. */
export function renderSlot(name: SlotName): string {
  return `<div ${SLOT_ATTRIBUTE}="${name}"></div>`;
}

/** CSS selector of a slot, for HTMLRewriter or a DOM query. */
export function slotSelector(name: SlotName): string {
  return `[${SLOT_ATTRIBUTE}="${name}"]`;
}
