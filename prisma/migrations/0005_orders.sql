-- The holdout experiment's orders (prisma/schema.prisma: ExperimentOrder; docs/decisions/0003):
-- one row per order of the shop, written by the orders/create webhook (app/orders.server.ts) and
-- read by the experiment report. Attribution comes from the order's `_wand_*` cart attributes;
-- no name, e-mail, address or customer id is stored. Decimal amounts are text, as Shopify sends them.
CREATE TABLE "ExperimentOrder" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    -- "wand" | "holdout"; NULL: the order is not in the experiment.
    "arm" TEXT,
    "persona" TEXT,
    -- shopperHash(store, shopper id) from the _wand_shopper attribute (16 hex), never a raw id.
    "shopper" TEXT,
    "subtotal" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "orderedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY ("shop", "orderId")
);
CREATE INDEX "ExperimentOrder_shop_orderedAt_idx" ON "ExperimentOrder"("shop", "orderedAt");

-- The web pixel's activation per shop (prisma/schema.prisma: WebPixelActivation): the pixel id
-- webPixelCreate returned and the settings it holds, or the last failure, so the admin retries an
-- activation that failed at install the next time the merchant opens the app.
CREATE TABLE "WebPixelActivation" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "pixelId" TEXT,
    -- JSON of the settings the pixel was given.
    "settings" TEXT,
    -- "active" | "failed"
    "state" TEXT NOT NULL,
    "error" TEXT,
    "attemptedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
