import { build } from "esbuild";
import { fileURLToPath } from "node:url";

/**
 * Bundles the generator (container/src/main.ts and everything it imports, node_modules included)
 * into one CommonJS file for the container image: `node container/build.ts [outfile]`.
 * The image, `npm run build:container` and bundle.test.ts all build through this file.
 * Plain Node runs it (type stripping, Node ≥ 22.18), so the image needs no tsx.
 */

const root = fileURLToPath(new URL("../", import.meta.url));
const outfile = process.argv[2] ?? `${root}dist/container/server.cjs`;

await build({
  entryPoints: [`${root}container/src/main.ts`],
  outfile,
  bundle: true,
  platform: "node",
  target: "node22",
  // CommonJS: several dependencies (express, sanitize-html) are CommonJS and require() Node built-ins.
  format: "cjs",
  legalComments: "none",
  // Stack traces through `node --enable-source-maps` point at the TypeScript lines; no sources inlined.
  sourcemap: "linked",
  sourcesContent: false,
  logLevel: "warning",
});
console.log(`generator bundled into ${outfile}`);
