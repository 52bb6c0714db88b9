import { z } from "zod";
import { emptySelection, needsReselection, refreshSelection, selectForPersona, selectionHandles } from "../../../core/selection.ts";
import { selectionKey, selectionPrefix } from "../../../core/storage-keys.ts";
import { PERSONAS, type Persona, type PersonaSelection, type SelectionCandidates } from "../../../core/types.ts";
import { deleteKvPrefix } from "../kv-prefix.ts";
import { ValidatedSnapshots, jsonOrNull } from "../validated-snapshots.ts";
import { readCandidates, readProductsByHandles } from "./product-rows.ts";

/**
 * Where persona selections live: D1 `PersonaSelection` holds each persona's membership (the
 * truth), KV `selection/<store>/<persona>` a snapshot with the current products (what the edge and
 * the pool read). A snapshot is rewritten whenever the catalog sync refreshes the selection.
 */
type SelectionEnv = Pick<Env, "DB" | "CACHE">;

const ProductSchema = z.object({
  id: z.string(),
  handle: z.string(),
  title: z.string(),
  description: z.string(),
  vendor: z.string(),
  productType: z.string(),
  tags: z.array(z.string()),
  price: z.string(),
  compareAtPrice: z.string().nullable(),
  currency: z.string(),
  image: z.object({ url: z.string(), alt: z.string() }).nullable(),
  available: z.boolean(),
  firstVariantId: z.string(),
});

const GroupSchema = z.object({ id: z.string(), title: z.string(), handles: z.array(z.string()), badge: z.string().optional() });

export const SelectionSchema = z.object({
  store: z.string(),
  persona: z.enum(PERSONAS),
  merchVersion: z.string(),
  factsVersion: z.string(),
  groups: z.array(GroupSchema),
  merchHashes: z.record(z.string(), z.string()),
  products: z.array(ProductSchema),
  reasons: z.array(z.string()),
  selectedAt: z.number(),
}) satisfies z.ZodType<PersonaSelection>;

interface MembershipRow {
  persona: string;
  groups: string;
  merchHashes: string;
  merchVersion: string;
  reasons: string;
  selectedAt: number;
}

function membershipOf(store: string, row: MembershipRow): PersonaSelection | null {
  const parsed = SelectionSchema.safeParse({
    store,
    persona: row.persona,
    merchVersion: row.merchVersion,
    factsVersion: "",
    groups: JSON.parse(row.groups) as unknown,
    merchHashes: JSON.parse(row.merchHashes) as unknown,
    products: [],
    reasons: JSON.parse(row.reasons) as unknown,
    selectedAt: Number(row.selectedAt),
  });
  return parsed.success ? parsed.data : null;
}

async function readMemberships(env: SelectionEnv, store: string): Promise<Map<Persona, PersonaSelection>> {
  const { results } = await env.DB.prepare("SELECT * FROM PersonaSelection WHERE store = ?").bind(store).all<MembershipRow>();
  const out = new Map<Persona, PersonaSelection>();
  for (const row of results) {
    try {
      const s = membershipOf(store, row);
      if (s) out.set(s.persona, s);
    } catch (error) {
      // A corrupt row is recomputed rather than served.
      console.warn(`selection row of ${store}/${row.persona} is invalid, reselecting`, error);
    }
  }
  return out;
}

async function persist(env: SelectionEnv, selections: readonly PersonaSelection[]): Promise<void> {
  if (!selections.length) return;
  await env.DB.batch(
    selections.map((s) =>
      env.DB.prepare(
        `INSERT INTO PersonaSelection (store, persona, groups, merchHashes, merchVersion, reasons, selectedAt) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (store, persona) DO UPDATE SET groups = excluded.groups, merchHashes = excluded.merchHashes,
           merchVersion = excluded.merchVersion, reasons = excluded.reasons, selectedAt = excluded.selectedAt`,
      ).bind(s.store, s.persona, JSON.stringify(s.groups), JSON.stringify(s.merchHashes), s.merchVersion, JSON.stringify(s.reasons), s.selectedAt),
    ),
  );
  await Promise.all(selections.map((s) => env.CACHE.put(selectionKey(s.store, s.persona), JSON.stringify(s))));
}

/**
 * Refreshes the selections of a store and writes them to D1 and KV. "if-needed" keeps each
 * membership and refreshes its products' facts (reselecting only where too few are left);
 * "always" recomputes the memberships from the candidate queries.
 */
export async function refreshSelections(
  env: SelectionEnv,
  store: string,
  o: { reselect: "always" | "if-needed"; personas?: readonly Persona[] },
): Promise<PersonaSelection[]> {
  const out = await computeSelections(env, store, o);
  await persist(env, out);
  return out;
}

async function computeSelections(
  env: SelectionEnv,
  store: string,
  o: { reselect: "always" | "if-needed"; personas?: readonly Persona[] },
): Promise<PersonaSelection[]> {
  const personas = o.personas ?? PERSONAS;
  const now = Date.now();
  let candidates: SelectionCandidates | null = null;
  const candidatesOnce = async () => (candidates ??= await readCandidates(env.DB, store));
  const memberships = o.reselect === "always" ? new Map<Persona, PersonaSelection>() : await readMemberships(env, store);
  const kept = personas.flatMap((p) => {
    const m = memberships.get(p);
    return m ? [m] : [];
  });
  const current = await readProductsByHandles(env.DB, store, kept.flatMap(selectionHandles));
  const out: PersonaSelection[] = [];
  for (const persona of personas) {
    const membership = memberships.get(persona);
    let selection = membership ? refreshSelection(membership, current) : null;
    if (!selection || needsReselection(selection)) selection = selectForPersona({ store, persona, candidates: await candidatesOnce(), now });
    out.push(selection);
  }
  return out;
}

// Snapshot bytes validated per selection key (bounded like the edge's selection memo).
const validated = new ValidatedSnapshots<PersonaSelection>(256);

/**
 * A persona's selection: the KV snapshot, else from D1 (computed and stored on first use). With a
 * waiter (a shopper's request) the store's D1 and KV writes go to its waitUntil, never awaited.
 */
export async function readSelection(
  env: SelectionEnv,
  store: string,
  persona: Persona,
  waiter?: Pick<ExecutionContext, "waitUntil"> | null,
): Promise<PersonaSelection> {
  const key = selectionKey(store, persona);
  const raw = await env.CACHE.get(key, "text");
  if (raw !== null) {
    const valid = validated.parse(key, raw, (text) => {
      const parsed = SelectionSchema.safeParse(jsonOrNull(text));
      return parsed.success && parsed.data.store === store && parsed.data.persona === persona ? parsed.data : null;
    });
    if (valid) return valid;
    console.warn(`selection snapshot of ${store}/${persona} is invalid, reading D1`);
  }
  const computed = await computeSelections(env, store, { reselect: "if-needed", personas: [persona] });
  const writes = persist(env, computed);
  if (waiter) waiter.waitUntil(writes.catch((error: unknown) => console.warn(`selection snapshot of ${store}/${persona} not stored`, error)));
  else await writes;
  return computed[0] ?? emptySelection(store, persona, Date.now());
}

export async function forgetSelections(env: SelectionEnv, store: string): Promise<void> {
  await env.DB.prepare("DELETE FROM PersonaSelection WHERE store = ?").bind(store).run();
  await deleteKvPrefix(env.CACHE, selectionPrefix(store));
}
