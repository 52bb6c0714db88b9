/**
 * Stored snapshots (KV text) parsed and validated once per content. An isolate reads each snapshot
 * again every SNAPSHOT_TTL_SECONDS; bytes it has already validated give back the object it made of
 * them, so a refresh that changed nothing costs a string compare instead of JSON.parse and a schema
 * check, and every memo keyed by that object — a memory hit's plan, the direct route's parsed
 * requests — stays warm across refreshes (docs/decisions/0006-memory-hits-by-snapshot-identity.md).
 * Changed bytes give a new object, so a change is seen at the next refresh as before. Kept apart
 * from SnapshotMemo (store-data.ts), which decides *when* a snapshot is read again: the readers are
 * also called without it (the pool's alarms, the markets step), and they too get the known object.
 */
export class ValidatedSnapshots<T> {
  private readonly known = new Map<string, { raw: string; value: T }>();

  /** `limit` bounds the entries (oldest dropped first): one per snapshot key the isolate reads. */
  constructor(private readonly limit: number) {}

  /**
   * The value of `raw` stored under `key`: the object made last time when `raw` is the same text,
   * else `parse(raw)`, kept for next time unless it is null (invalid bytes are parsed again, and
   * reported again, on every read: they are never served from here).
   */
  parse(key: string, raw: string, parse: (raw: string) => T | null): T | null {
    const known = this.known.get(key);
    if (known && known.raw === raw) return known.value;
    const value = parse(raw);
    if (value === null) {
      this.known.delete(key);
      return null;
    }
    if (!known && this.known.size >= this.limit) this.known.delete(this.known.keys().next().value as string);
    this.known.set(key, { raw, value });
    return value;
  }

  /** Forgets a key (its store's data was cleared). */
  delete(key: string): void {
    this.known.delete(key);
  }

  /** Forgets the keys `match` accepts (a store's data was cleared). */
  forgetWhere(match: (key: string) => boolean): void {
    for (const key of [...this.known.keys()]) if (match(key)) this.known.delete(key);
  }
}

/** JSON.parse that answers null for text that is not JSON (then reported as an invalid snapshot). */
export function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
