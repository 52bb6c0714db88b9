import type { EnqueueResult } from "../../core/edge-api.ts";
import { bucketOf } from "../../core/hash.ts";
import type { GenerationJob } from "../../core/types.ts";
import { edgeConfig } from "./config.ts";

/**
 * Which pool member owns a cache key: `pool-<hash(key) % POOL_SIZE>`. One key always lands on one
 * member, so its queue's dedupe is a natural single flight for that key.
 */
export function poolMemberName(key: string, poolSize: number): string {
  return `pool-${bucketOf(key, poolSize)}`;
}

export function poolMemberFor(env: Env, key: string): DurableObjectStub<import("./pool-member.ts").PoolMember> {
  return env.POOL.getByName(poolMemberName(key, edgeConfig(env).poolSize));
}

/** Every member, pool-0..pool-(POOL_SIZE-1) (stats and cache state fan out to all of them). */
export function allPoolMembers(env: Env): DurableObjectStub<import("./pool-member.ts").PoolMember>[] {
  return Array.from({ length: edgeConfig(env).poolSize }, (_, i) => env.POOL.getByName(`pool-${i}`));
}

// Keys this isolate enqueued recently: a burst of misses for one key costs one RPC, not one per
// request (the member would dedupe them anyway).
const recentlyEnqueued = new Map<string, number>();
const RECENT_MS = 10_000;
const RECENT_LIMIT = 2000;

/** Enqueue from the shopper's path (inside ctx.waitUntil): never throws, never retried inline. */
export async function enqueueInBackground(env: Env, job: GenerationJob): Promise<EnqueueResult | null> {
  const now = Date.now();
  const last = recentlyEnqueued.get(job.key);
  if (last !== undefined && now - last < RECENT_MS) return null;
  if (recentlyEnqueued.size >= RECENT_LIMIT) recentlyEnqueued.clear();
  recentlyEnqueued.set(job.key, now);
  try {
    return await poolMemberFor(env, job.key).enqueue(job);
  } catch (error) {
    recentlyEnqueued.delete(job.key);
    console.warn("enqueue failed", job.key, error);
    return null;
  }
}

/** Forgets the burst filter (a purge or a forced regeneration should enqueue again at once). */
export function forgetRecentEnqueues(prefix: string): void {
  for (const key of recentlyEnqueued.keys()) if (key.startsWith(prefix)) recentlyEnqueued.delete(key);
}
