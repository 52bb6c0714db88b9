import { describe, expect, it } from "vitest";
import { sanitizeCss } from "./sanitize-css.ts";

describe("sanitizeCss", () => {
  it("keeps ordinary layout CSS", () => {
    const css = ".hero{display:grid;gap:1rem;color:var(--wand-text);}\n@media (min-width:40rem){.hero{grid-template-columns:1fr 1fr;}}";
    expect(sanitizeCss(css)).toBe(".hero{display:grid;gap:1rem;color:var(--wand-text);}\n@media (min-width:40rem){.hero{grid-template-columns:1fr 1fr;} }");
  });

  it.each([
    ["url()", ".a{background:url(https://evil.example/x.png) no-repeat;}", /url|evil/],
    ["quoted url with parentheses", `.a{background:url("https://evil.example/a(b).png");color:red}`, /evil|url/],
    ["unclosed url", ".a{background:url(https://evil.example/x.png", /evil|url/],
    ["image-set with bare strings", `.a{background-image:image-set("https://evil.example/1x.png" 1x);}`, /evil|image-set/],
    ["@import", `@import "https://evil.example/a.css"; @import url(x.css) screen; .a{color:red}`, /@import|evil|x\.css/],
    ["@font-face", "@font-face{font-family:x;src:local(x)}.a{font-family:x}", /@font-face/],
    ["expression()", ".a{width:expression(alert(1))}", /expression|alert/],
    ["behavior and -moz-binding", ".a{behavior:url(x.htc);-moz-binding:url(x.xml#y)}", /behavior:|-moz-binding:|url/],
    ["javascript: anywhere", ".a{background:javascript:alert(1)}", /javascript:/],
    ["hex-escaped url(", ".a{background:\\75 \\72 \\6c (https://evil.example/x)}", /evil|url/],
    ["char-escaped url(", ".a{background:u\\rl(https://evil.example/x)}", /evil|url/],
    ["comment inside url", ".a{background:u/**/rl(https://evil.example/x)}", /url\(/],
    ["closing the style element", ".a{color:red}</style><script>alert(1)</script>", /<\/style|<script/i],
    ["content with a price", `.a::after{content:"$9.99"}`, /9\.99/],
    ["content running past a semicolon", `.a::after{content:"only;$5"}`, /\$5/],
  ])("removes %s", (_name, input, forbidden) => {
    expect(sanitizeCss(input)).not.toMatch(forbidden);
  });

  it("keeps decorative content", () => {
    expect(sanitizeCss(`.a::before{content:"";}.b::before{content:"→";}`)).toBe(`.a::before{content:"";}.b::before{content:"→";}`);
  });

  it("leaves no Liquid delimiter, keeping the CSS meaning", () => {
    const out = sanitizeCss("@media (min-width:1px){.a{width:100%}}.b{}{{ x }}{%y%}");
    expect(out).not.toMatch(/\{\{|\{%|%\}|\}\}/);
    expect(out).toContain("width:100% }");
  });

  it("bounds the stylesheet", () => {
    const out = sanitizeCss(".a{color:red}\n".repeat(5000));
    expect(out.length).toBeLessThanOrEqual(24_000);
    expect(out.endsWith("}")).toBe(true);
  });
});
