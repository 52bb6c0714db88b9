/**
 * A bounded LRU of strings in isolate memory, by entry count and total size, with a per-entry
 * lifetime. Cached pages are immutable per key, but a purge or a forced regeneration in another
 * isolate cannot reach this memory, so entries live only briefly.
 */
interface Item<V> {
  value: V;
  size: number;
  expires: number;
  /** When the entry last moved to the recent end. */
  touched: number;
}

// A hit moves its entry to the recent end at most once per this interval: a hot entry stays
// recent without a Map delete + insert on every request.
const TOUCH_INTERVAL_MS = 1000;

export class MemoryLru<V> {
  private readonly items = new Map<string, Item<V>>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string, now = Date.now()): V | undefined {
    const item = this.items.get(key);
    if (!item) return undefined;
    if (item.expires <= now) {
      this.remove(key, item);
      return undefined;
    }
    if (now - item.touched >= TOUCH_INTERVAL_MS) {
      // Re-insert: Map order is recency order.
      item.touched = now;
      this.items.delete(key);
      this.items.set(key, item);
    }
    return item.value;
  }

  set(key: string, value: V, size: number, now = Date.now()): void {
    if (size > this.maxBytes) return;
    const old = this.items.get(key);
    if (old) this.remove(key, old);
    this.items.set(key, { value, size, expires: now + this.ttlMs, touched: now });
    this.bytes += size;
    while (this.items.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.items.keys().next().value as string;
      this.remove(oldest, this.items.get(oldest)!);
    }
  }

  delete(key: string): void {
    const item = this.items.get(key);
    if (item) this.remove(key, item);
  }

  deletePrefix(prefix: string): number {
    let n = 0;
    for (const [key, item] of this.items) {
      if (key.startsWith(prefix)) {
        this.remove(key, item);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.items.size;
  }

  private remove(key: string, item: Item<V>): void {
    this.items.delete(key);
    this.bytes -= item.size;
  }
}
