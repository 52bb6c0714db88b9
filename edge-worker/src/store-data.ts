import { parseSettings, parseSettingsRow } from "../../core/settings.ts";
import { settingsKey } from "../../core/storage-keys.ts";
import { PERSONAS, type CatalogProduct, type Persona, type PersonaSelection, type ShopSettings } from "../../core/types.ts";
import { readProductsByHandles } from "./catalog/product-rows.ts";
import { readSelection, refreshSelections } from "./catalog/selection-store.ts";
import { edgeConfig } from "./config.ts";
import { ValidatedSnapshots, jsonOrNull } from "./validated-snapshots.ts";

/**
 * What the edge reads of a store per request, all of it bounded whatever the catalog's size
 * (docs/decisions/0001-catalog-rows-and-selections.md): its settings (KV `settings/<store>`, D1 the
 * truth), one persona's selection (catalog/selection-store.ts: ≤ 24 products) and, for a stale page
 * that shows products the current selection no longer holds, those few products by handle.
 *
 * Each isolate keeps what it read for SNAPSHOT_TTL_SECONDS. Once a copy has expired it is still
 * served while ONE background read (ctx.waitUntil of the request that noticed) replaces it, so no
 * request waits on KV or D1 for a snapshot the isolate already had; only the first read of a key
 * waits. An unknown store is remembered as unknown just as briefly, so a flood of requests for it
 * does not become a flood of D1 queries. With a TTL of 0 nothing is kept (every call reads).
 */

interface Entry<T> {
  value: T;
  expires: number;
  /** When the background read replacing this entry started; 0 when none runs. */
  refreshing: number;
}

// A refresh that has not settled after this long is given up on (its request's waitUntil was cut,
// or storage never answered): the next request starts another rather than the copy aging forever.
const REFRESH_ABANDONED_MS = 30_000;

type Waiter = Pick<ExecutionContext, "waitUntil"> | null;

/** Also used for the markets snapshots (markets/*-store.ts), with the same refresh-ahead rule. */
export class SnapshotMemo<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** `limit` bounds the memory a scan of many stores can take (entries are dropped oldest first). */
  constructor(private readonly limit: number) {}

  /**
   * Only settled values are shared between requests, never a promise in flight: workerd refuses I/O
   * objects (a KV read's stream) used on behalf of another request, so concurrent first reads each
   * read for themselves, and a refresh runs entirely inside the waitUntil of the request that
   * started it. Without a waiter (the pool's alarms) an expired copy is read again in line.
   */
  async get(key: string, ttlMs: number, waiter: Waiter, load: () => Promise<T>): Promise<T> {
    if (ttlMs <= 0) return load();
    const hit = this.entries.get(key);
    if (hit) {
      const now = Date.now();
      if (hit.expires > now) return hit.value;
      if (waiter) {
        if (hit.refreshing === 0 || now - hit.refreshing > REFRESH_ABANDONED_MS) {
          hit.refreshing = now;
          waiter.waitUntil(
            load().then(
              (value) => {
                // A forget (or a newer read) since the refresh started wins over it.
                if (this.entries.get(key) === hit) this.set(key, value, ttlMs);
              },
              (error: unknown) => {
                // Keep serving the copy we have; try again after another TTL, not on every request.
                console.warn("snapshot refresh failed, serving the previous copy", key, error);
                hit.refreshing = 0;
                hit.expires = Date.now() + ttlMs;
              },
            ),
          );
        }
        return hit.value;
      }
    }
    const value = await load();
    this.set(key, value, ttlMs);
    return value;
  }

  /** The value while it is fresh (no read, no refresh): a memo hit without a promise. */
  peek(key: string, ttlMs: number): T | undefined {
    if (ttlMs <= 0) return undefined;
    const hit = this.entries.get(key);
    return hit && hit.expires > Date.now() ? hit.value : undefined;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  deleteWhere(match: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (match(key)) this.entries.delete(key);
  }

  private set(key: string, value: T, ttlMs: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expires: Date.now() + ttlMs, refreshing: 0 });
  }
}

// Settings are ~1 KB: one per store. A selection is up to ~40 KB (24 products, clipped
// descriptions): 256 of them stay near 10 MB of an isolate's 128 MB.
const settingsMemo = new SnapshotMemo<ShopSettings | null>(1000);
const selectionMemo = new SnapshotMemo<PersonaSelection>(256);
const productsMemo = new SnapshotMemo<CatalogProduct[]>(128);
// The settings snapshots' bytes and what they parsed to: an unchanged refresh keeps the object.
const settingsSnapshots = new ValidatedSnapshots<ShopSettings>(1000);

/** At most this many handles are looked up for one page (readProductsByHandles' own bound). */
export const MAX_LOOKUP_HANDLES = 100;

/** Forgets this isolate's copies of a store's snapshots (after a refresh, a purge or an uninstall). */
export function forgetSnapshots(store: string): void {
  settingsMemo.delete(store);
  settingsSnapshots.delete(store);
  for (const persona of PERSONAS) selectionMemo.delete(selectionMemoKey(store, persona));
  productsMemo.deleteWhere((key) => key.startsWith(`${store}\u0000`));
}

/** Settings of an installed store, or null when the store is unknown or uninstalled. */
export function loadSettings(env: Env, store: string, waiter: Waiter): Promise<ShopSettings | null> {
  return settingsMemo.get(store, edgeConfig(env).snapshotTtlMs, waiter, () => readSettings(env, store, waiter));
}

/**
 * The stored settings: the KV snapshot (the same object again while its bytes are unchanged), else
 * D1, whose answer is written back to KV.
 */
export async function readSettings(env: Pick<Env, "CACHE" | "DB">, store: string, waiter: Waiter): Promise<ShopSettings | null> {
  const raw = await env.CACHE.get(settingsKey(store), "text");
  if (raw !== null) {
    const valid = settingsSnapshots.parse(store, raw, (text) => {
      try {
        return parseSettings(jsonOrNull(text));
      } catch (error) {
        // A bad snapshot is ignored in favour of D1 (and rewritten below).
        console.warn(`settings snapshot of ${store} is invalid, reading D1`, error);
        return null;
      }
    });
    if (valid) return valid;
  }
  const settings = await readSettingsFromD1(env, store);
  if (settings) later(waiter, env.CACHE.put(settingsKey(store), JSON.stringify(settings)));
  return settings;
}

/**
 * This isolate's fresh copy of a store's settings (null: known to be unknown), or undefined when
 * loadSettings has to read or refresh them. Lets a memory hit stay synchronous.
 */
export function peekSettings(env: Env, store: string): ShopSettings | null | undefined {
  return settingsMemo.peek(store, edgeConfig(env).snapshotTtlMs);
}

/** This isolate's fresh copy of a persona's selection, or undefined (then loadSelection). */
export function peekSelection(env: Env, store: string, persona: Persona): PersonaSelection | undefined {
  return selectionMemo.peek(selectionMemoKey(store, persona), edgeConfig(env).snapshotTtlMs);
}

/** The persona's bounded selection (an empty store gets an empty one: the template still renders). */
export function loadSelection(env: Env, store: string, persona: Persona, waiter: Waiter): Promise<PersonaSelection> {
  return selectionMemo.get(selectionMemoKey(store, persona), edgeConfig(env).snapshotTtlMs, waiter, () => readSelection(env, store, persona, waiter));
}

/**
 * Products of the store by handle, not deleted (a handle not found is a removed product), for the
 * slots of a page that the current selection does not hold. `handles` come sorted and unique from
 * the caller, so one page's set is one memo entry.
 */
export function loadProductsByHandles(env: Env, store: string, handles: readonly string[], waiter: Waiter): Promise<CatalogProduct[]> {
  const bounded = handles.slice(0, MAX_LOOKUP_HANDLES);
  if (bounded.length === 0) return Promise.resolve([]);
  return productsMemo.get(`${store}\u0000${bounded.join("\u0000")}`, edgeConfig(env).snapshotTtlMs, waiter, () => readProductsByHandles(env.DB, store, bounded));
}

export async function readSettingsFromD1(env: Pick<Env, "DB">, store: string): Promise<ShopSettings | null> {
  const row = await env.DB.prepare("SELECT * FROM ShopSettings WHERE store = ?").bind(store).first<Record<string, unknown>>();
  if (!row || !row.installed) return null;
  return parseSettingsRow(row);
}

/**
 * Rewrites the settings snapshot from D1 and refreshes the persona selections (membership kept,
 * facts of the selected products re-read; reselected only where too few are still available). An
 * uninstalled or unknown store loses its settings snapshot so the edge answers 404 for it.
 */
export async function refreshSnapshots(env: Env, store: string): Promise<{ settings: ShopSettings | null; selections: PersonaSelection[] }> {
  const settings = await readSettingsFromD1(env, store);
  let selections: PersonaSelection[] = [];
  if (settings) {
    await env.CACHE.put(settingsKey(store), JSON.stringify(settings));
    selections = await refreshSelections(env, store, { reselect: "if-needed" });
  } else {
    await env.CACHE.delete(settingsKey(store));
  }
  forgetSnapshots(store);
  return { settings, selections };
}

// One key string per store and persona, made once: a key joined on every hit is a new string the
// memo's Map must flatten and hash again.
const selectionKeys = new Map<string, Partial<Record<Persona, string>>>();

function selectionMemoKey(store: string, persona: Persona): string {
  let keys = selectionKeys.get(store);
  if (!keys) {
    if (selectionKeys.size >= 1000) selectionKeys.clear();
    selectionKeys.set(store, (keys = {}));
  }
  return (keys[persona] ??= `${store}\u0000${persona}`);
}

function later(waiter: Waiter, work: Promise<unknown>): void {
  const guarded = work.catch((error: unknown) => console.warn("snapshot backfill failed", error));
  if (waiter) waiter.waitUntil(guarded);
}
