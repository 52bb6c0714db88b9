import { describe, expect, it } from "vitest";
import { importShopifyCsv } from "./catalog-import.ts";
import { defaultSettings } from "./settings.ts";
import { renderTemplatePage } from "./template.ts";
import { PERSONAS } from "./types.ts";

const CSV = `Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Variant Inventory Qty,Variant Inventory Policy,Variant Price,Variant Compare At Price,Image Src,Image Alt Text
a-pot,Clay Pot,<p>A pot</p>,Co,Outdoor,"Pot, Plants",true,Title,Default Title,3,deny,10,15,https://cdn.example/pot.jpg,
b-lamp,{{ customer.email }} Lamp,<b>Bright</b>,Co,Indoor,Lamp,true,Title,Default Title,1,deny,59.99,,https://cdn.example/lamp.jpg,A lamp
`;

describe("renderTemplatePage (basic)", () => {
  const catalog = importShopifyCsv("shop", CSV);
  const settings = defaultSettings({ store: "shop", shopName: "Shop <&>", shopDomain: "shop.myshopify.com" });
  it.each(PERSONAS)("renders a full %s page with escaped, Liquid-neutral text", (persona) => {
    const html = renderTemplatePage({ catalog, settings, persona, baseUrl: "" });
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain(`data-wand-persona="${persona}"`);
    expect(html).toContain('action="/cart/add"');
    expect(html).toContain("Shop &lt;&amp;&gt;");
    expect(html).not.toMatch(/\{\{|\}\}|\{%|%\}/);
    expect(html).not.toMatch(/<script/i);
  });
});
