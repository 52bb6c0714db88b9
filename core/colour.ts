/**
 * Colour arithmetic for accessible pages: WCAG 2 relative luminance and contrast ratio, so the
 * renderer can pick readable text on merchant-chosen brand colours.
 */

export const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** [r, g, b] in 0..255 of "#rgb" or "#rrggbb". Throws on anything else (settings are validated). */
export function parseHex(hex: string): [number, number, number] {
  if (!HEX_COLOUR.test(hex)) throw new RangeError(`not a hex colour: ${hex}`);
  const h = hex.length === 4 ? hex.slice(1).replace(/./g, (c) => c + c) : hex.slice(1);
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function relativeLuminance(hex: string): number {
  const [r, g, b] = parseHex(hex);
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG contrast ratio, 1..21. */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** WCAG AA for normal text. */
export const AA_TEXT = 4.5;

const WHITE = "#ffffff";
const NEAR_BLACK = "#111111";

/** White or near-black, whichever reads better on the background. */
export function readableOn(background: string): string {
  return contrastRatio(WHITE, background) >= contrastRatio(NEAR_BLACK, background) ? WHITE : NEAR_BLACK;
}

/** The preferred colour when it meets AA on the background, else a readable fallback. */
export function ensureContrast(preferred: string, background: string): string {
  return contrastRatio(preferred, background) >= AA_TEXT ? preferred : readableOn(background);
}
