import { register } from "@shopify/web-pixels-extension";
import { subscribeFunnel } from "./funnel.ts";

// Shopify runs this in its strict pixel sandbox with the standard API (analytics, browser, init, settings).
register((api) => {
  subscribeFunnel(api);
});
