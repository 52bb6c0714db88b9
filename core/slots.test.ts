import { describe, expect, it } from "vitest";
import { SLOT_NAMES, isSlotName, renderSlot, slotSelector } from "./slots.ts";

describe("slots", () => {
  it("are the three per-shopper touches", () => {
    expect(SLOT_NAMES).toEqual(["greeting", "recently-viewed", "loyalty-note"]);
  });

  it("render as empty marked elements", () => {
    expect(renderSlot("greeting")).toBe('<div data-wand-slot="greeting"></div>');
    expect(slotSelector("loyalty-note")).toBe('[data-wand-slot="loyalty-note"]');
  });

  it("recognise their names", () => {
    expect(isSlotName("recently-viewed")).toBe(true);
    expect(isSlotName("footer")).toBe(false);
    expect(isSlotName(1)).toBe(false);
  });
});
