-- Catalog as rows (docs/decisions/0001-catalog-rows-and-selections.md): one row per product, the
-- persona selections, and a Catalog summary row without products. Existing catalogs are moved into
-- rows here, so an installed shop keeps serving its products across the deploy.

CREATE TABLE "Product" (
    "store" TEXT NOT NULL,
    -- Shopify product GID when synced; the handle for CSV-imported catalogs.
    "productId" TEXT NOT NULL,
    -- Merchandising: what the LLM writes about.
    "handle" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "vendor" TEXT NOT NULL DEFAULT '',
    "productType" TEXT NOT NULL DEFAULT '',
    -- core/selection.ts categoryOf(): the product type, else the first tag, else a catch-all.
    "category" TEXT NOT NULL,
    -- JSON array of strings.
    "tags" TEXT NOT NULL DEFAULT '[]',
    -- Live facts: expanded into cards at serve time, never part of a cache variant.
    "price" TEXT NOT NULL,
    "compareAtPrice" TEXT,
    "currency" TEXT NOT NULL,
    "imageUrl" TEXT,
    "imageAlt" TEXT,
    "available" INTEGER NOT NULL,
    "variantId" TEXT NOT NULL,
    -- Derived from the facts for indexed selection queries (core/money.ts savingsOf, toCents).
    "priceCents" INTEGER NOT NULL,
    "savingsPercent" INTEGER NOT NULL DEFAULT 0,
    "savingsCents" INTEGER NOT NULL DEFAULT 0,
    -- Epoch ms: listing order (Shopify createdAt) and last change (Shopify updatedAt; a write with an
    -- older updatedAt never replaces a newer row).
    "listedAt" INTEGER NOT NULL,
    "updatedAt" INTEGER NOT NULL,
    -- Tombstone of products/delete (updatedAt = the delete's time), so a late update cannot resurrect it.
    "deleted" INTEGER NOT NULL DEFAULT 0,
    -- Id of the last full sync run that saw the product (rows no run saw are removed when it ends).
    "syncRun" INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY ("store", "productId")
);
CREATE INDEX "Product_store_handle_idx" ON "Product"("store", "handle");
CREATE INDEX "Product_store_category_idx" ON "Product"("store", "deleted", "category", "available", "listedAt");
CREATE INDEX "Product_store_deals_idx" ON "Product"("store", "deleted", "available", "savingsPercent", "savingsCents");
CREATE INDEX "Product_store_listed_idx" ON "Product"("store", "deleted", "available", "listedAt");
CREATE INDEX "Product_store_price_idx" ON "Product"("store", "deleted", "available", "priceCents");
CREATE INDEX "Product_store_syncRun_idx" ON "Product"("store", "syncRun");

-- The membership of each persona's selection (PersonaSelection in core/types.ts, without products).
CREATE TABLE "PersonaSelection" (
    "store" TEXT NOT NULL,
    "persona" TEXT NOT NULL,
    -- JSON SelectionGroup[].
    "groups" TEXT NOT NULL,
    -- JSON Record<handle, merchandising hash>.
    "merchHashes" TEXT NOT NULL,
    "merchVersion" TEXT NOT NULL,
    -- JSON string[].
    "reasons" TEXT NOT NULL DEFAULT '[]',
    "selectedAt" INTEGER NOT NULL,
    PRIMARY KEY ("store", "persona")
);

-- Existing catalogs → rows. listedAt keeps the old array order (CSV and API catalogs listed oldest
-- first); updatedAt 0 lets any later sync or webhook win.
INSERT INTO "Product" ("store", "productId", "handle", "title", "description", "vendor", "productType", "category", "tags",
    "price", "compareAtPrice", "currency", "imageUrl", "imageAlt", "available", "variantId",
    "priceCents", "savingsPercent", "savingsCents", "listedAt", "updatedAt")
SELECT c."store",
    json_extract(p.value, '$.id'),
    json_extract(p.value, '$.handle'),
    json_extract(p.value, '$.title'),
    coalesce(json_extract(p.value, '$.description'), ''),
    coalesce(json_extract(p.value, '$.vendor'), ''),
    coalesce(json_extract(p.value, '$.productType'), ''),
    CASE
        WHEN trim(coalesce(json_extract(p.value, '$.productType'), '')) <> ''
            THEN upper(substr(trim(json_extract(p.value, '$.productType')), 1, 1)) || substr(trim(json_extract(p.value, '$.productType')), 2)
        WHEN trim(coalesce(json_extract(p.value, '$.tags[0]'), '')) <> ''
            THEN upper(substr(trim(json_extract(p.value, '$.tags[0]')), 1, 1)) || substr(trim(json_extract(p.value, '$.tags[0]')), 2)
        ELSE 'More to discover'
    END,
    coalesce(json_extract(p.value, '$.tags'), '[]'),
    json_extract(p.value, '$.price'),
    json_extract(p.value, '$.compareAtPrice'),
    json_extract(p.value, '$.currency'),
    json_extract(p.value, '$.image.url'),
    json_extract(p.value, '$.image.alt'),
    CASE WHEN json_extract(p.value, '$.available') THEN 1 ELSE 0 END,
    json_extract(p.value, '$.firstVariantId'),
    CAST(round(CAST(json_extract(p.value, '$.price') AS REAL) * 100) AS INTEGER),
    CASE
        WHEN json_extract(p.value, '$.compareAtPrice') IS NOT NULL
            AND CAST(json_extract(p.value, '$.compareAtPrice') AS REAL) > CAST(json_extract(p.value, '$.price') AS REAL)
        THEN (CAST(round(CAST(json_extract(p.value, '$.compareAtPrice') AS REAL) * 100) AS INTEGER)
                - CAST(round(CAST(json_extract(p.value, '$.price') AS REAL) * 100) AS INTEGER)) * 100
            / CAST(round(CAST(json_extract(p.value, '$.compareAtPrice') AS REAL) * 100) AS INTEGER)
        ELSE 0
    END,
    CASE
        WHEN json_extract(p.value, '$.compareAtPrice') IS NOT NULL
            AND CAST(json_extract(p.value, '$.compareAtPrice') AS REAL) > CAST(json_extract(p.value, '$.price') AS REAL)
        THEN CAST(round(CAST(json_extract(p.value, '$.compareAtPrice') AS REAL) * 100) AS INTEGER)
            - CAST(round(CAST(json_extract(p.value, '$.price') AS REAL) * 100) AS INTEGER)
        ELSE 0
    END,
    CAST(p.key AS INTEGER),
    0
FROM "Catalog" c, json_each(c."products") p
WHERE json_valid(c."products");

-- Catalog becomes the per-store summary: no products, a count and the sync state.
ALTER TABLE "Catalog" DROP COLUMN "products";
ALTER TABLE "Catalog" DROP COLUMN "version";

-- Progress of a full sync (the admin's progress bar) and how it ran.
ALTER TABLE "CatalogSyncRun" ADD COLUMN "mode" TEXT;
ALTER TABLE "CatalogSyncRun" ADD COLUMN "productsTotal" INTEGER;
ALTER TABLE "CatalogSyncRun" ADD COLUMN "productsSynced" INTEGER NOT NULL DEFAULT 0;
