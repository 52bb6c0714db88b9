/**
 * The one export of @shopify/web-pixels-extension this pixel uses, typed by what funnel.ts needs.
 * The package itself is this extension's dependency (package.json), installed where the extension is
 * built (`shopify app build`); this declaration lets the repository's typecheck run without it.
 */
declare module "@shopify/web-pixels-extension" {
  export function register(extension: (api: import("./funnel.ts").PixelApi) => void): void;
}
