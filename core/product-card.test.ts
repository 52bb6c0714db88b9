import { describe, expect, it } from "vitest";
import { LOCALES } from "./locales/index.ts";
import { PERSONA_PROPERTY, renderProductCard, type CardLocale } from "./product-card.ts";
import { PERSONAS, type Product } from "./types.ts";

const product: Product = {
  id: "copper-light",
  handle: "copper-light",
  title: "Copper Light",
  description: "Stylish copper bedside light. Warm glow.",
  vendor: "Company 123",
  productType: "Indoor",
  tags: ["Copper", "Bedroom"],
  price: "59.99",
  compareAtPrice: "75.00",
  currency: "USD",
  image: { url: "https://burst.shopifycdn.com/photos/copper-light-in-bedroom_925x.jpg", alt: "" },
  available: true,
  firstVariantId: "4401234567890",
};

const base = "https://demo-home.myshopify.com";

describe("renderProductCard", () => {
  it.each(PERSONAS)("carries every product fact for %s", (persona) => {
    const html = renderProductCard(product, { persona, baseUrl: base });
    expect(html).toContain(`<a href="${base}/products/copper-light">Copper Light</a>`);
    expect(html).toContain('<data class="price" value="59.99">$59.99</data>');
    expect(html).toContain('<s class="compare"><data value="75.00">$75.00</data></s>');
    expect(html).toContain('<span class="visually-hidden">Regular price:</span>');
    expect(html).toContain(`<form method="post" action="${base}/cart/add">`);
    expect(html).toContain('<input type="hidden" name="id" value="4401234567890">');
    expect(html).toContain('<input type="hidden" name="quantity" value="1">');
    expect(html).toContain(`<input type="hidden" name="${PERSONA_PROPERTY}" value="${persona}">`);
    expect(html).toContain('<button type="submit" class="add">Add to cart<span class="visually-hidden">: Copper Light</span></button>');
    // An empty alt in the catalog falls back to the title: the image is never unlabelled.
    expect(html).toContain('alt="Copper Light"');
    expect(html).toMatch(/<img [^>]*width="600" height="600"/);
  });

  it("leads with the saving for dealhunter", () => {
    const html = renderProductCard(product, { persona: "dealhunter", baseUrl: "" });
    expect(html).toContain('<p class="save" data-wand-savings="15.01">Save $15.01 (20%)</p>');
    expect(html.indexOf('class="save"')).toBeLessThan(html.indexOf("card-title"));
  });

  it("shows the first sentence for minimalist and type and vendor for explorer", () => {
    expect(renderProductCard(product, { persona: "minimalist", baseUrl: "" })).toContain('<p class="card-desc">Stylish copper bedside light.</p>');
    expect(renderProductCard(product, { persona: "explorer", baseUrl: "" })).toContain('<p class="card-meta">Indoor · Company 123</p>');
  });

  it("uses relative URLs for the app proxy", () => {
    const html = renderProductCard(product, { persona: "loyalist", baseUrl: "" });
    expect(html).toContain('href="/products/copper-light"');
    expect(html).toContain('action="/cart/add"');
  });

  it("has no savings markup when not on sale", () => {
    const html = renderProductCard({ ...product, compareAtPrice: null }, { persona: "dealhunter", baseUrl: "" });
    expect(html).not.toMatch(/compare|save|Regular price/);
  });

  it.each(PERSONAS)("keeps a sold-out product's card for %s, with a visible label and no add-to-cart form", (persona) => {
    const html = renderProductCard({ ...product, available: false }, { persona, baseUrl: base });
    expect(html).toContain(`<a href="${base}/products/copper-light">Copper Light</a>`);
    expect(html).toContain('<data class="price" value="59.99">$59.99</data>');
    expect(html).toContain('<p class="sold-out">Sold out</p>');
    expect(html).not.toMatch(/<form|<button|<input|\/cart\/add/);
    expect(html.endsWith('<p class="sold-out">Sold out</p></article>')).toBe(true);
  });

  it("an available product has no sold-out label", () => {
    expect(renderProductCard(product, { persona: "explorer", baseUrl: "" })).not.toContain("sold-out");
  });

  it("shows a labelled neutral box instead of an unsafe or missing image", () => {
    for (const image of [null, { url: "javascript:alert(1)", alt: "x" }, { url: 'https://x/a.jpg" onerror="alert(1)', alt: "x" }]) {
      const html = renderProductCard({ ...product, image }, { persona: "explorer", baseUrl: "" });
      expect(html).not.toContain("<img");
      expect(html).toContain('<div class="media"><span>Indoor</span></div>');
    }
  });

  it("escapes hostile catalog text and neutralises Liquid everywhere", () => {
    const hostile: Product = {
      ...product,
      handle: 'x"><script>',
      title: '<img src=x onerror=alert(1)> {{ customer.email }}',
      description: "{% render 'evil' %} <b>",
      vendor: "</p><script>",
      productType: "{{ 'x' }}",
      image: { url: "https://cdn.example/a.jpg", alt: '" onload="alert(1)' },
      firstVariantId: '1" formaction="https://evil.example',
    };
    for (const persona of PERSONAS) {
      const html = renderProductCard(hostile, { persona, baseUrl: "" });
      expect(html).not.toMatch(/<script|<img src=x|" onload=|" formaction=/);
      expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
      expect(html).not.toMatch(/\{\{|\}\}|\{%|%\}/);
      expect(html).toContain("/products/x%22%3E%3Cscript%3E");
    }
  });

  it("adds a badge when asked", () => {
    expect(renderProductCard(product, { persona: "loyalist", baseUrl: "", badge: "New" })).toContain('<span class="badge">New</span>');
  });
});

describe("renderProductCard in the shopper's language and market", () => {
  const spaced = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");
  const french: CardLocale = { messages: LOCALES.fr, formatLocale: "fr-FR" };
  // The product as the French market prices it (core/market-prices.ts applies these facts).
  const inEuros: Product = { ...product, price: "54.00", compareAtPrice: "69.00", currency: "EUR" };

  it.each(PERSONAS)("%s: French strings and euro amounts written the French way", (persona) => {
    const html = spaced(renderProductCard(inEuros, { persona, baseUrl: "/fr", locale: french }));
    expect(html).toContain('<span class="visually-hidden">Prix :</span> <data class="price" value="54.00">54,00 €</data>');
    expect(html).toContain('<span class="visually-hidden">Prix habituel :</span> <s class="compare"><data value="69.00">69,00 €</data></s>');
    expect(html).toContain('<button type="submit" class="add">Ajouter au panier<span class="visually-hidden">: Copper Light</span></button>');
    // Links and the cart form keep the market's locale prefix.
    expect(html).toContain('<a href="/fr/products/copper-light">Copper Light</a>');
    expect(html).toContain('<form method="post" action="/fr/cart/add">');
    expect(html).not.toMatch(/\$|Add to cart|Price:/);
  });

  it("words the saving per locale", () => {
    expect(spaced(renderProductCard(inEuros, { persona: "dealhunter", baseUrl: "", locale: french }))).toContain('<p class="save" data-wand-savings="15.00">Économisez 15,00 € (21 %)</p>');
    const german = renderProductCard(inEuros, { persona: "dealhunter", baseUrl: "", locale: { messages: LOCALES.de, formatLocale: "de-DE" } });
    expect(spaced(german)).toContain("15,00 € sparen (21 %)");
    // An English shopper in France: English words, euro amounts in the English format.
    const english = renderProductCard(inEuros, { persona: "dealhunter", baseUrl: "", locale: { messages: LOCALES.en, formatLocale: "en-FR" } });
    expect(english).toContain("Save €15.00 (21%)");
  });

  it("labels sold out and a missing image in the page language", () => {
    const html = renderProductCard({ ...inEuros, available: false, image: null, productType: "" }, { persona: "explorer", baseUrl: "", locale: { messages: LOCALES.es, formatLocale: "es-ES" } });
    expect(html).toContain('<p class="sold-out">Agotado</p>');
    expect(html).toContain('<div class="media"><span>Sin imagen</span></div>');
  });
});
