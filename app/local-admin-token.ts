/**
 * The token a local admin shows the fake Admin API that `npm start` and the browser tests run on
 * 127.0.0.1 (SHOPIFY_ADMIN_API_ORIGIN) for the setup guide's theme reading. Not a secret: nothing
 * but those loopback fakes accepts it, and without a loopback origin a local admin calls no Admin API.
 * A file of its own, without imports, so Node scripts and tests can start a fake that accepts it.
 */
export const LOCAL_ADMIN_API_TOKEN = "wand-local-demo-token";
