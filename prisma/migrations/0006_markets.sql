-- Markets (issue 13): the shop's markets and published languages as the edge's catalog sync reads
-- them from Shopify (core/locale.ts ShopMarkets, validated by parseShopMarkets). D1 is the truth;
-- the edge serves a KV snapshot of it (markets/<store>), the way it serves settings. Market prices
-- and translations are not here: they are bounded, refreshable caches of the persona selections'
-- products, kept in KV only (core/storage-keys.ts).
CREATE TABLE "ShopMarkets" (
    "store" TEXT NOT NULL PRIMARY KEY,
    -- JSON ShopMarkets: primary {country, language, currency}, markets [{handle, countries, currency, languages}], languages.
    "markets" TEXT NOT NULL,
    -- "shopify": read from the Admin API; "seed": written by the demo seed.
    "source" TEXT NOT NULL DEFAULT 'shopify',
    -- Epoch ms of the read (the edge refreshes after MARKETS_TTL_MS).
    "syncedAt" INTEGER NOT NULL
);

-- The published languages the merchant has pages generated in (core/settings.ts generatedLanguages):
-- JSON array of BCP 47 tags; '[]' = every published language.
ALTER TABLE "ShopSettings" ADD COLUMN "generatedLanguages" TEXT NOT NULL DEFAULT '[]';
