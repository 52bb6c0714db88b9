/** Deletes every KV key under `prefix`, page by page of the listing; returns the names deleted. */
export async function deleteKvPrefix(cache: KVNamespace, prefix: string): Promise<string[]> {
  const deleted: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await cache.list({ prefix, ...(cursor ? { cursor } : {}) });
    await Promise.all(page.keys.map((k) => cache.delete(k.name)));
    deleted.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return deleted;
}
