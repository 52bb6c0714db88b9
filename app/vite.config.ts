import { fileURLToPath } from "node:url";
import { cloudflareDevProxyVitePlugin, vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

// Run from the repository root (`remix vite:build --config app/vite.config.ts`): Remix reads the root
// package.json. The build lands in app/build (client assets for wrangler's `assets`, server bundle
// for app/server.ts).
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

declare module "@remix-run/cloudflare" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  root: here(".."),
  plugins: [
    cloudflareDevProxyVitePlugin({ configPath: here("./wrangler.jsonc") }),
    remix({
      appDirectory: "app",
      buildDirectory: "app/build",
      ignoredRouteFiles: ["**/*.test.ts", "**/*.test.tsx", "**/.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: true,
      },
    }),
  ],
  ssr: {
    // The Worker runtime resolves packages like a worker, not like Node.
    resolve: { conditions: ["workerd", "worker", "browser"], externalConditions: ["workerd", "worker"] },
  },
  build: {
    // Prisma's client loads its query compiler as a .wasm module; Vite cannot bundle that for the
    // server, wrangler can: keep it external here and let wrangler bundle app/server.ts.
    rollupOptions: { external: [/^@prisma\/client/, /^\.prisma\//] },
  },
});
