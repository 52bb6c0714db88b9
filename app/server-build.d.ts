// The Remix server build (app/build/server/index.js, from `npm run build:admin`), imported by
// app/server.ts through the package.json "imports" alias #admin-server-build. It has no types of
// its own and does not exist before the first build, so its shape is declared here.
declare module "#admin-server-build" {
  import type { ServerBuild } from "@remix-run/cloudflare";
  export const assets: ServerBuild["assets"];
  export const assetsBuildDirectory: ServerBuild["assetsBuildDirectory"];
  export const basename: ServerBuild["basename"];
  export const entry: ServerBuild["entry"];
  export const future: ServerBuild["future"];
  export const isSpaMode: ServerBuild["isSpaMode"];
  export const mode: ServerBuild["mode"];
  export const publicPath: ServerBuild["publicPath"];
  export const routes: ServerBuild["routes"];
}
