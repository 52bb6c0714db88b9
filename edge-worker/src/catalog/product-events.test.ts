import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ProductEvent } from "../../../core/edge-api.ts";
import { PERSONAS } from "../../../core/types.ts";
import { syncEnded, testShop, type TestShop } from "../../test/catalog-helpers.ts";
import { fakeProductGid, fakeProductLine, fakeRestPayload } from "../../test/fake-catalog.ts";
import { eventually, uniqueStore } from "../../test/helpers.ts";
import { EVENT_MAX_DELAY_MS } from "./product-events.ts";
import { readProduct } from "./product-rows.ts";
import { readSelection } from "./selection-store.ts";
import { SyncStateStore } from "./sync-state.ts";

/** A shop whose catalog (n products) is synced and whose selections exist. */
async function syncedShop(label: string, n: number): Promise<TestShop> {
  const shop = await testShop(uniqueStore(label), { products: n });
  await shop.sync.start({ shopDomain: shop.shopDomain, trigger: "install" });
  expect(await syncEnded(shop)).toMatchObject({ state: "ok", liveProducts: n });
  return shop;
}

let eventCounter = 0;
const at = (minutes: number) => new Date(Date.parse("2026-11-30T10:00:00Z") + minutes * 60_000).toISOString();

function update(shop: TestShop, i: number, o: { minutes: number; title?: string; price?: string; eventId?: string; topic?: ProductEvent["topic"] }): ProductEvent {
  return {
    eventId: o.eventId ?? `evt-${++eventCounter}`,
    topic: o.topic ?? "products/update",
    triggeredAt: at(o.minutes),
    payload: fakeRestPayload(shop.token, i, { updatedAt: at(o.minutes), ...(o.title ? { title: o.title } : {}), ...(o.price ? { price: o.price } : {}) }),
  };
}

function remove(i: number, minutes: number): ProductEvent {
  return { eventId: `evt-${++eventCounter}`, topic: "products/delete", triggeredAt: at(minutes), payload: { id: Number(fakeProductGid(i).split("/").pop()) } };
}

/** Waits until every event is applied and the selection refresh they owe is done (read at one instant). */
async function settled(shop: TestShop) {
  await eventually(() =>
    runInDurableObject(shop.sync, (_instance, state) => {
      const sync = new SyncStateStore(state.storage.sql);
      return sync.pendingCount() === 0 && sync.read().selectionsDue === null;
    }),
  );
  return shop.sync.counters();
}

const product = async (shop: TestShop, i: number) => readProduct(env.DB, shop.store, fakeProductGid(i));

describe("product webhooks", () => {
  it("an older update delivered after a newer one changes nothing", { timeout: 30_000 }, async () => {
    const shop = await syncedShop("order", 20);
    expect(await shop.sync.productEvent(update(shop, 3, { minutes: 20, title: "Newer title" }))).toEqual({ status: "queued" });
    await settled(shop);
    await shop.sync.productEvent(update(shop, 3, { minutes: 10, title: "Older title" }));
    await settled(shop);
    expect((await product(shop, 3))?.product).toMatchObject({ title: "Newer title", updatedAt: Date.parse(at(20)) });

    // Delivered in one burst in the wrong order: the newest change wins too.
    await Promise.all([shop.sync.productEvent(update(shop, 4, { minutes: 30, title: "Third" })), shop.sync.productEvent(update(shop, 4, { minutes: 25, title: "Second" }))]);
    await settled(shop);
    expect((await product(shop, 4))?.product.title).toBe("Third");
  });

  it("an update older than a delete does not resurrect the product", { timeout: 30_000 }, async () => {
    const shop = await syncedShop("resurrect", 20);
    await shop.sync.productEvent(remove(5, 40));
    await settled(shop);
    expect(await product(shop, 5)).toMatchObject({ deleted: true });
    expect(await shop.sync.state()).toMatchObject({ liveProducts: 19 });

    await shop.sync.productEvent(update(shop, 5, { minutes: 35, title: "Late update" }));
    await settled(shop);
    expect(await product(shop, 5)).toMatchObject({ deleted: true });
    const shown = await Promise.all(PERSONAS.map((p) => readSelection(env, shop.store, p)));
    expect(shown.flatMap((s) => s.products.map((p) => p.handle))).not.toContain("p-5");
    expect(await shop.sync.state()).toMatchObject({ liveProducts: 19 });

    // A delete that overtakes the create of a new product keeps the late create out too.
    await shop.sync.productEvent(remove(30, 45));
    await settled(shop);
    await shop.sync.productEvent(update(shop, 30, { minutes: 44, topic: "products/create" }));
    await settled(shop);
    expect(await product(shop, 30)).toMatchObject({ deleted: true });
    expect(await shop.sync.state()).toMatchObject({ liveProducts: 19 });
  });

  it("applies a redelivered event (same X-Shopify-Event-Id) once", { timeout: 30_000 }, async () => {
    const shop = await syncedShop("dupe", 10);
    const event = update(shop, 2, { minutes: 50, title: "Once" });
    expect(await shop.sync.productEvent(event)).toEqual({ status: "queued" });
    expect(await shop.sync.productEvent(event)).toEqual({ status: "duplicate" });
    const counters = await settled(shop);
    // After it was applied, a retry is still recognised.
    expect(await shop.sync.productEvent({ ...event, payload: fakeRestPayload(shop.token, 2, { updatedAt: at(51), title: "Twice" }) })).toEqual({ status: "duplicate" });
    await settled(shop);
    expect(counters).toMatchObject({ eventsQueued: 1, eventsDuplicate: 1, eventsApplied: 1 });
    expect((await product(shop, 2))?.product.title).toBe("Once");
  });

  it("a new product or a new title reselects (the new product can enter a selection); a new price does not", { timeout: 30_000 }, async () => {
    const shop = await syncedShop("merch", 12);
    const before = await shop.sync.counters();
    // Product 12 is not in the shop yet: a products/create for it, listed after every other product.
    const created = update(shop, 12, { minutes: 60, topic: "products/create" });
    // In stock whatever the fake's seed says (1 product in 16 is sold out): loyalist shows only what can be bought.
    const payload = created.payload as Record<string, unknown>;
    payload.created_at = at(60);
    payload.variants = (payload.variants as Record<string, unknown>[]).map((v) => ({ ...v, inventory_quantity: 10 }));
    await shop.sync.productEvent(created);
    const after = await settled(shop);
    expect(after.refreshesAlways).toBe((before.refreshesAlways ?? 0) + 1);
    expect(await shop.sync.state()).toMatchObject({ liveProducts: 13 });
    const loyalist = await readSelection(env, shop.store, "loyalist");
    expect(loyalist.groups[0]?.handles[0]).toBe(fakeProductLine(shop.token, 12).handle);

    // A new title is merchandising: reselect. A new price is a fact: refresh only.
    const renamedEvent = update(shop, 12, { minutes: 61, title: "Renamed" });
    (renamedEvent.payload as Record<string, unknown>).variants = payload.variants;
    await shop.sync.productEvent(renamedEvent);
    const renamed = await settled(shop);
    expect(renamed.refreshesAlways).toBe((after.refreshesAlways ?? 0) + 1);
    expect((await readSelection(env, shop.store, "loyalist")).products.find((p) => p.handle === "p-12")?.title).toBe("Renamed");
    const repricedEvent = update(shop, 12, { minutes: 62, title: "Renamed", price: "1.23" });
    const variants = payload.variants as Record<string, unknown>[];
    (repricedEvent.payload as Record<string, unknown>).variants = variants.map((v, k) => (k === 0 ? { ...v, price: "1.23" } : v));
    await shop.sync.productEvent(repricedEvent);
    const repriced = await settled(shop);
    expect(repriced.refreshesAlways).toBe(renamed.refreshesAlways);
    expect(repriced.refreshesIfNeeded).toBe((renamed.refreshesIfNeeded ?? 0) + 1);
  });

  it("a burst of 1,000 price webhooks: one selection refresh, no membership change, new prices served", { timeout: 120_000 }, async () => {
    const shop = await syncedShop("burst", 1_000);
    const before = await Promise.all(PERSONAS.map((p) => readSelection(env, shop.store, p)));
    const countersBefore = await shop.sync.counters();
    const newPrice = (i: number) => `${200 + (i % 50)}.99`;

    const sending = Date.now();
    const answers = await Promise.all(Array.from({ length: 1_000 }, (_, i) => shop.sync.productEvent(update(shop, i, { minutes: 90, price: newPrice(i) }))));
    const sendMs = Date.now() - sending;
    expect(answers.every((a) => a.status === "queued")).toBe(true);
    const counters = await settled(shop);
    const delta = (name: string) => (counters[name] ?? 0) - (countersBefore[name] ?? 0);

    expect(delta("eventsApplied")).toBe(1_000);
    // One refresh per burst applied. The 1,000 events normally make one burst; a delivery slower
    // than EVENT_MAX_DELAY_MS or paused longer than EVENT_QUIET_MS (a loaded machine) splits it into
    // a few, each still coalescing many events.
    expect(delta("refreshesIfNeeded")).toBe(delta("eventBursts"));
    expect(delta("eventBursts")).toBeGreaterThanOrEqual(1);
    expect(delta("eventBursts")).toBeLessThanOrEqual(Math.max(20, 1 + Math.ceil(sendMs / EVENT_MAX_DELAY_MS)));
    expect(delta("refreshesAlways")).toBe(0);
    const after = await Promise.all(PERSONAS.map((p) => readSelection(env, shop.store, p)));
    for (const [k, selection] of after.entries()) {
      expect(selection.groups, selection.persona).toEqual(before[k]!.groups);
      expect(selection.merchVersion).toBe(before[k]!.merchVersion);
      for (const p of selection.products) expect(p.price).toBe(newPrice(Number(p.handle.slice(2))));
    }
  });

  it("refuses a malformed event with the reason", async () => {
    const shop = await testShop(uniqueStore("badevent"), { products: 1 });
    await runInDurableObject(shop.sync, async (sync) => {
      await expect(sync.productEvent({ eventId: "", topic: "products/update", triggeredAt: at(0), payload: {} })).rejects.toThrow(
        "invalid product event: eventId: Too small: expected string to have >=1 characters",
      );
      await expect(sync.productEvent({ eventId: "x", topic: "orders/create" as ProductEvent["topic"], triggeredAt: at(0), payload: {} })).rejects.toThrow(/^invalid product event: topic: /);
    });
  });
});
