-- Admin app tables (prisma/schema.prisma: CatalogSyncRun, WebhookDelivery).
CREATE TABLE "CatalogSyncRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "store" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "productCount" INTEGER,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "throttledMs" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT
);
CREATE INDEX "CatalogSyncRun_store_startedAt_idx" ON "CatalogSyncRun"("store", "startedAt");

CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "WebhookDelivery_shop_idx" ON "WebhookDelivery"("shop");
