import { setTimeout as sleep } from "node:timers/promises";
import type { ProductEvent } from "../core/edge-api.ts";
import { PERSONAS, type Persona } from "../core/types.ts";
import { FAKE_UPDATED_AT, fakeRestPayload } from "../edge-worker/test/fake-catalog.ts";
import type { Control } from "./edge-runtime.ts";
import { storedSelection } from "./edge-stores.ts";

/**
 * A burst of products/update webhooks that change only live facts — prices of every product the
 * persona pages show, and prices and stock of other products — delivered the way the admin app
 * hands them on (EdgeApi.catalogEvent, one call per verified webhook, 16 in flight). Then: how long
 * until every persona page of the store, served as a cache hit, shows every new price, and how many
 * generator (LLM) calls the burst caused (target 0: prices are expanded into cards at serve time).
 *
 * Payloads are the fake catalog's own products (edge-worker/test/fake-catalog.ts fakeRestPayload)
 * with the merchandising unchanged, so no page's cache variant changes.
 */
export interface BurstFigures {
  events: number;
  /** From the first webhook sent to the last acknowledged. */
  deliverSeconds: number;
  /** From the last webhook acknowledged until every page showed every new price. */
  visibleSeconds: number;
  /** Selected products whose new price was checked on the pages. */
  checkedProducts: number;
}

/** The fake catalog's product index of a handle `p-<i>`. */
const indexOf = (handle: string): number => {
  const m = /^p-(\d+)$/.exec(handle);
  if (!m) throw new Error(`not a fake catalog handle: ${handle}`);
  return Number(m[1]);
};

/** Prices a card shows: `<data class="price" value="…">` (core/product-card.ts). */
const shownPrices = (html: string): Set<string> => new Set([...html.matchAll(/<data class="price" value="([^"]*)"/g)].map((m) => m[1]!));

export async function priceBurst(o: { control: Control; edgeUrl: string; store: string; seed: string; products: number; events: number; timeoutMs: number }): Promise<BurstFigures> {
  const selections = await Promise.all(PERSONAS.map((p) => storedSelection(o.control, o.store, p)));
  const onPage = new Map<Persona, number[]>();
  for (const s of selections) onPage.set(s.persona, [...new Set(s.groups.flatMap((g) => g.handles))].map(indexOf));
  const selected = [...new Set([...onPage.values()].flat())];
  const isSelected = new Set(selected);
  // Every selected product first, then others (up to the catalog's size), round-robin over the burst.
  const others = Array.from({ length: Math.min(o.products, o.events) }, (_, i) => i).filter((i) => !isSelected.has(i));
  const targets = [...selected, ...others];
  const base = Date.parse(FAKE_UPDATED_AT) + 60_000 + Math.floor(Math.random() * 1e6) * 1000;
  const finalPrice = new Map<number, string>();
  const events: ProductEvent[] = Array.from({ length: o.events }, (_, j) => {
    const i = targets[j % targets.length]!;
    const updatedAt = new Date(base + j).toISOString();
    // A distinct price per event (cents vary with j), so the page must show the last one.
    const price = `${100 + (j % 800)}.${String(j % 100).padStart(2, "0")}`;
    finalPrice.set(i, price);
    // Stock changes only on products no page shows (a sold-out selected product would change the page's shape).
    const payload = fakeRestPayload(o.seed, i, { updatedAt, price, ...(isSelected.has(i) ? {} : { inventoryQuantity: j % 2 ? 0 : 7 }) });
    return { eventId: `bench-burst-${o.store}-${base}-${j}`, topic: "products/update", triggeredAt: updatedAt, payload };
  });

  const started = performance.now();
  const queue = [...events];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let e = queue.shift(); e; e = queue.shift()) {
        const r = await o.control.rpc<{ status: string }>("catalogEvent", o.store, e);
        if (r.status !== "queued") throw new Error(`webhook ${e.eventId}: ${r.status}`);
      }
    }),
  );
  const delivered = performance.now();

  let shopper = 0;
  const pending = new Set<Persona>(PERSONAS);
  while (pending.size) {
    if (performance.now() - delivered > o.timeoutMs) {
      throw new Error(`${o.store}: ${[...pending].join(", ")} still showed old prices ${o.timeoutMs} ms after the burst`);
    }
    for (const persona of [...pending]) {
      const response = await fetch(`${o.edgeUrl}/s/${o.store}?persona=${persona}&shopper=burst-${shopper++}`);
      const html = await response.text();
      const prices = shownPrices(html);
      if (onPage.get(persona)!.every((i) => prices.has(finalPrice.get(i)!))) pending.delete(persona);
    }
    if (pending.size) await sleep(50);
  }
  return { events: events.length, deliverSeconds: (delivered - started) / 1000, visibleSeconds: (performance.now() - delivered) / 1000, checkedProducts: selected.length };
}
