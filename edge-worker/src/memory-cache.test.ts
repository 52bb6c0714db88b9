import { describe, expect, it } from "vitest";
import { MemoryLru } from "./memory-cache.ts";

describe("MemoryLru", () => {
  it("evicts the least recently used entry by count and by size", () => {
    const lru = new MemoryLru<string>(2, 100, 1000);
    lru.set("a", "A", 10, 0);
    lru.set("b", "B", 10, 0);
    expect(lru.get("a", 1)).toBe("A");
    lru.set("c", "C", 10, 1);
    expect(lru.get("b", 2)).toBeUndefined();
    expect(lru.get("a", 2)).toBe("A");
    lru.set("big", "X", 95, 3);
    expect(lru.size).toBe(1);
    lru.set("huge", "Y", 101, 3);
    expect(lru.get("huge", 3)).toBeUndefined();
  });

  it("expires entries and deletes by prefix", () => {
    const lru = new MemoryLru<string>(10, 100, 50);
    lru.set("ui/s/a", "1", 1, 0);
    lru.set("ui/s/b", "2", 1, 0);
    lru.set("ui/t/a", "3", 1, 0);
    expect(lru.get("ui/s/a", 49)).toBe("1");
    expect(lru.get("ui/s/a", 50)).toBeUndefined();
    expect(lru.deletePrefix("ui/s/")).toBe(1);
    expect(lru.get("ui/t/a", 10)).toBe("3");
  });
});
