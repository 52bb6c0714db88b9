import { PROMPT_VERSION } from "../../core/prompt-version.ts";
import { defaultSettings } from "../../core/settings.ts";
import type { GenerationJob, Persona, PersonaSelection, Product, SelectionGroup, ShopSettings } from "../../core/types.ts";

/** A small apparel selection and the request around it, shared by the generator's tests. */

function product(handle: string, title: string, price: string, compareAtPrice: string | null, extra: Partial<Product> = {}): Product {
  return {
    id: handle,
    handle,
    title,
    description: `${title}: made to last, easy to care for.`,
    vendor: "Demo Apparel",
    productType: extra.productType ?? "Tops",
    tags: ["demo"],
    price,
    compareAtPrice,
    currency: "USD",
    image: { url: `https://cdn.example.com/${handle}.jpg`, alt: title },
    available: true,
    firstVariantId: String(1000 + handle.length),
    ...extra,
  };
}

export const PRODUCTS: Product[] = [
  product("classic-tee", "Classic Tee", "25.00", "35.00", { firstVariantId: "40001" }),
  product("linen-shirt", "Linen Shirt", "60.00", null, { firstVariantId: "40002" }),
  product("wool-scarf", "Wool Scarf", "30.00", "45.00", { productType: "Accessories", firstVariantId: "40003" }),
  product("canvas-tote", "Canvas Tote", "18.00", null, { productType: "Bags", firstVariantId: "40004" }),
  product("rain-jacket", "Rain Jacket", "120.00", "150.00", { productType: "Outerwear", firstVariantId: "40005" }),
  product("leather-belt", "Leather Belt", "40.00", null, { productType: "Accessories", available: false, firstVariantId: "40006" }),
];

/**
 * A persona selection holding every fixture product, in two groups (the generator takes any
 * selection; core/selection.ts decides what goes into real ones).
 */
export function selectionOf(persona: Persona = "explorer", products: Product[] = PRODUCTS, groups?: SelectionGroup[]): PersonaSelection {
  const handles = products.map((p) => p.handle);
  return {
    store: "demo-apparel",
    persona,
    merchVersion: "merch-v1",
    factsVersion: "facts-v1",
    groups: groups ?? [
      { id: "picks", title: "Picked for you", handles: handles.slice(0, 3) },
      { id: "more", title: "More to love", handles: handles.slice(3) },
    ].filter((g) => g.handles.length > 0),
    merchHashes: Object.fromEntries(handles.map((h) => [h, `m-${h}`])),
    products,
    reasons: ["every fixture product"],
    selectedAt: 1_764_000_000_000,
  };
}

export const SETTINGS: ShopSettings = {
  ...defaultSettings({ store: "demo-apparel", shopName: "Demo Apparel", shopDomain: "demo-apparel.myshopify.com" }),
  brandVoice: "Relaxed, friendly, a little witty.",
};

export function job(persona: Persona = "explorer", overrides: Partial<GenerationJob> = {}): GenerationJob {
  return {
    key: `ui/demo-apparel/${persona}/v-test`,
    store: "demo-apparel",
    persona,
    variant: "v-test",
    merchVersion: "merch-v1",
    settingsVersion: SETTINGS.settingsVersion,
    promptVersion: PROMPT_VERSION,
    enqueuedAt: Date.now(),
    attempt: 1,
    ...overrides,
  };
}

export function generateBody(persona: Persona = "explorer", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { job: job(persona), selection: selectionOf(persona), settings: SETTINGS, ...extra };
}

/** A good answer: a style block, a headline and the given products as placeholders in a grid. */
export function pageWith(handles: string[], extraMarkup = ""): string {
  const items = handles.map((h) => `<li><wand-product handle="${h}"></wand-product></li>`).join("\n");
  return `<style>
.intro{padding:1rem;background:var(--wand-surface);}
@media (min-width:40rem){.intro{padding:2rem;}}
</style>
<section class="intro"><h1>Fresh finds for curious minds</h1><p class="lede">Wander through our favourites.</p></section>
${extraMarkup}
<section id="picks"><h2>Picked for you</h2>
<ul class="grid">
${items}
</ul></section>
<p class="more"><a href="/collections/all">See the whole shop</a></p>`;
}

export const GOOD_HANDLES = ["classic-tee", "linen-shirt", "wool-scarf", "canvas-tote"];
