import { describe, expect, it } from "vitest";
import { htmlToText } from "./html-text.ts";

describe("htmlToText", () => {
  it.each([
    ["<p>Classic blown clay pot for plants</p>", "Classic blown clay pot for plants"],
    ["Plain text stays", "Plain text stays"],
    ["<p>One</p><p>Two</p>", "One\nTwo"],
    ["Line<br>break<br/>again", "Line\nbreak\nagain"],
    ["<ul><li>a</li><li>b</li></ul>", "a\nb"],
    ["Bold <strong>word</strong> inline", "Bold word inline"],
    ["Tom &amp; Jerry &lt;3 &#39;quoted&#39; &#x2014; &nbsp;end", "Tom & Jerry <3 'quoted' — end"],
    ["<script>alert(1)</script><style>p{}</style>Visible", "Visible"],
    ["<!-- hidden -->Shown", "Shown"],
    ["  lots   of\n\n  space  ", "lots of\nspace"],
    ["5 < 6 and 7 > 3", "5 < 6 and 7 > 3"],
    ["&unknown; stays", "&unknown; stays"],
  ])("%j → %j", (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});
