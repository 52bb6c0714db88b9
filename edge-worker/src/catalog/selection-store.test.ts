import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { selectionKey } from "../../../core/storage-keys.ts";
import { seedStore, uniqueStore } from "../../test/helpers.ts";
import { readSelection } from "./selection-store.ts";

describe("selection snapshots", () => {
  it("validates a snapshot's bytes once: the same bytes give the same object, changed bytes a new one, broken bytes D1's", async () => {
    const store = uniqueStore("revalidate");
    await seedStore(store);
    await readSelection(env, store, "explorer"); // computed from D1 and stored in KV if it was not there
    const first = await readSelection(env, store, "explorer");
    const again = await readSelection(env, store, "explorer");
    expect(again).toBe(first);

    const key = selectionKey(store, "explorer");
    const changed = { ...first, products: first.products.map((p, i) => (i === 0 ? { ...p, title: "A title changed in the snapshot" } : p)) };
    await env.CACHE.put(key, JSON.stringify(changed));
    const fresh = await readSelection(env, store, "explorer");
    expect(fresh).not.toBe(first);
    expect(fresh.products[0]!.title).toBe("A title changed in the snapshot");

    await env.CACHE.put(key, "{not json");
    const fromD1 = await readSelection(env, store, "explorer");
    expect(fromD1.store).toBe(store);
    expect(fromD1.products[0]!.title).toBe(first.products[0]!.title);
  });
});
