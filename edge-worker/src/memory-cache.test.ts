import { describe, expect, it } from "vitest";
import { MemoryLru } from "./memory-cache.ts";

describe("MemoryLru", () => {
  it("evicts the least recently used entry by count and by size", () => {
    const lru = new MemoryLru<string>(2, 100, 60_000);
    lru.set("a", "A", 10, 0);
    lru.set("b", "B", 10, 0);
    expect(lru.get("a", 5_000)).toBe("A");
    lru.set("c", "C", 10, 5_000);
    expect(lru.get("b", 5_001)).toBeUndefined();
    expect(lru.get("a", 5_001)).toBe("A");
    lru.set("big", "X", 95, 6_000);
    expect(lru.size).toBe(1);
    lru.set("huge", "Y", 101, 6_000);
    expect(lru.get("huge", 6_000)).toBeUndefined();
  });

  it("moves a hit to the recent end at most once a second (approximate LRU)", () => {
    const lru = new MemoryLru<string>(2, 100, 60_000);
    lru.set("a", "A", 1, 0);
    lru.set("b", "B", 1, 0);
    expect(lru.get("a", 500)).toBe("A"); // too soon after its insertion: stays oldest
    lru.set("c", "C", 1, 600);
    expect(lru.get("a", 700)).toBeUndefined();
    expect(lru.get("b", 700)).toBe("B");
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
