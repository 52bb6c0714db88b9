import { edgeConfig } from "../config.ts";
import { SnapshotMemo } from "../store-data.ts";
import { ValidatedSnapshots, jsonOrNull } from "../validated-snapshots.ts";
import { askMarketsRefresh, type MarketsWork } from "./markets-refresh.ts";

/**
 * One kind of per-store KV snapshot the markets step writes and the edge reads — a market's prices
 * (one per market) or a language's translations (one per language): validated on write and read (a
 * bad value is ignored, never served), kept in the isolate like the settings (store-data.ts
 * SnapshotMemo), and when missing or older than `ttlMs` served as it is while the store's
 * CatalogSync object reads it again (markets-refresh.ts), never on the request path.
 */
type Waiter = Pick<ExecutionContext, "waitUntil"> | null;

export interface KvSnapshotKind<T extends { store: string; fetchedAt: number }> {
  /** The KV key of the snapshot of `part` (a country, a language). */
  key(store: string, part: string): string;
  /** The KV prefix of every `key` of a store. */
  prefix(store: string): string;
  /** The part a value is for. */
  partOf(value: T): string;
  /** Validates (throws on a bad value). */
  parse(value: unknown): T;
  /** The markets work that writes it, asked for when a reader finds it missing or old. */
  work: MarketsWork;
  ttlMs: number;
  /** What a bad stored value means for shoppers (in the warning). */
  meanwhile: string;
  /** Isolate memo entries. */
  limit: number;
}

export class KvSnapshots<T extends { store: string; fetchedAt: number }> {
  private readonly memo: SnapshotMemo<T | null>;
  // The snapshots' bytes and what they parsed to: an unchanged refresh keeps the object.
  private readonly validated: ValidatedSnapshots<T>;

  constructor(private readonly kind: KvSnapshotKind<T>) {
    this.memo = new SnapshotMemo<T | null>(kind.limit);
    this.validated = new ValidatedSnapshots<T>(kind.limit);
  }

  async write(env: Pick<Env, "CACHE">, value: T): Promise<void> {
    const valid = this.kind.parse(value);
    const part = this.kind.partOf(valid);
    await env.CACHE.put(this.kind.key(valid.store, part), JSON.stringify(valid));
    this.memo.delete(memoKey(valid.store, part));
  }

  async read(env: Pick<Env, "CACHE">, store: string, part: string): Promise<T | null> {
    const key = this.kind.key(store, part);
    const raw = await env.CACHE.get(key, "text");
    if (raw === null) return null;
    return this.validated.parse(key, raw, (text) => {
      try {
        const value = this.kind.parse(jsonOrNull(text));
        return value.store === store && this.kind.partOf(value) === part ? value : null;
      } catch (error) {
        console.warn(`${key} is invalid; ${this.kind.meanwhile} until the next refresh`, error);
        return null;
      }
    });
  }

  async load(env: Env, store: string, part: string, waiter: Waiter): Promise<T | null> {
    return this.checked(env, store, await this.memo.get(memoKey(store, part), edgeConfig(env).snapshotTtlMs, waiter, () => this.read(env, store, part)), waiter);
  }

  /** `{ value }` from this isolate's fresh copy without a promise; undefined when it has to be read. */
  peek(env: Env, store: string, part: string, waiter: Waiter): { value: T | null } | undefined {
    const hit = this.memo.peek(memoKey(store, part), edgeConfig(env).snapshotTtlMs);
    return hit === undefined ? undefined : { value: this.checked(env, store, hit, waiter) };
  }

  /** Forgets this isolate's copies of a store's snapshots. */
  forget(store: string): void {
    this.memo.deleteWhere((key) => key.startsWith(`${store}\u0000`));
    const prefix = this.kind.prefix(store);
    this.validated.forgetWhere((key) => key.startsWith(prefix));
  }

  private checked(env: Env, store: string, value: T | null, waiter: Waiter): T | null {
    if (value === null || Date.now() - value.fetchedAt > this.kind.ttlMs) askMarketsRefresh(env, store, [this.kind.work], waiter);
    return value;
  }
}

function memoKey(store: string, part: string): string {
  return `${store}\u0000${part}`;
}
