import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { uniqueStore } from "../../test/helpers.ts";
import { APPLIED_EVENT_TTL_MS, SyncStateStore, type StoredEvent } from "./sync-state.ts";

/** A fresh CatalogSync object's SQLite storage, through the store class the object uses. */
function withStore<T>(run: (s: SyncStateStore, sql: SqlStorage) => T): Promise<T> {
  return runInDurableObject(env.CATALOG_SYNC.getByName(uniqueStore("state")), (_instance, state) => run(new SyncStateStore(state.storage.sql), state.storage.sql));
}

const event = (id: string, orderAt: number, receivedAt = 1_000): StoredEvent => ({
  eventId: id,
  topic: "products/update",
  productId: `gid://shopify/Product/${id}`,
  orderAt,
  payload: JSON.stringify({ id }),
  receivedAt,
});

describe("catalog sync state (the object's SQLite tables)", () => {
  it("keeps one sync record, idle until written, and writes a checkpoint whole", () =>
    withStore((s) => {
      expect(s.read()).toMatchObject({ state: "idle", runId: null, offset: 0, productsSynced: 0, selectionsDue: null });
      s.update({ state: "running", runId: 7, phase: "bulk-read", offset: 1234 });
      s.update({ offset: 5678, productsSynced: 2000 });
      expect(s.read()).toMatchObject({ state: "running", runId: 7, phase: "bulk-read", offset: 5678, productsSynced: 2000 });
    }));

  it("refuses a known event id, lists pending events by change time, and forgets payloads once applied", () =>
    withStore((s, sql) => {
      expect(s.addEvent(event("b", 20))).toBe(true);
      expect(s.addEvent(event("a", 30))).toBe(true);
      expect(s.addEvent(event("c", 10, 1_500))).toBe(true);
      expect(s.addEvent({ ...event("a", 99), payload: "{}" })).toBe(false);
      expect(s.pendingEvents(10).map((e) => [e.eventId, e.orderAt])).toEqual([["c", 10], ["b", 20], ["a", 30]]);
      expect(s.pendingWindow()).toEqual({ first: 1_000, last: 1_500 });
      s.markApplied([{ eventId: "c", outcome: "applied" }], 2_000);
      expect(s.pendingCount()).toBe(2);
      expect(s.outcomeOf("c")).toEqual({ appliedAt: 2_000, outcome: "applied" });
      expect(sql.exec<{ payload: string | null }>("SELECT payload FROM product_event WHERE event_id = 'c'").one().payload).toBeNull();
      // Still a duplicate after it was applied.
      expect(s.addEvent(event("c", 10))).toBe(false);
    }));

  it("prunes applied events by age and by count, never pending ones", () =>
    withStore((s) => {
      const now = 10 * APPLIED_EVENT_TTL_MS;
      for (let i = 0; i < 6; i++) s.addEvent(event(`e${i}`, i));
      s.markApplied([{ eventId: "e0", outcome: "applied" }], now - APPLIED_EVENT_TTL_MS - 1);
      s.markApplied(["e1", "e2", "e3"].map((eventId) => ({ eventId, outcome: "applied" })), now - 1_000);
      s.markApplied([{ eventId: "e4", outcome: "applied" }], now - 10);
      s.pruneApplied(now, 3);
      expect(s.outcomeOf("e0")).toBeNull();
      expect(["e1", "e2", "e3", "e4"].filter((id) => s.outcomeOf(id) !== null)).toHaveLength(3);
      expect(s.outcomeOf("e4")).not.toBeNull();
      expect(s.pendingEvents(10).map((e) => e.eventId)).toEqual(["e5"]);
    }));

  it("counts", () =>
    withStore((s) => {
      s.bump("eventsQueued");
      s.bump("eventsQueued", 2);
      expect(s.counters()).toEqual({ eventsQueued: 3 });
    }));
});
