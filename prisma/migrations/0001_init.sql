-- WandStore initial schema (matches prisma/schema.prisma; a test proves every model works on it).
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN,
    "locale" TEXT,
    "collaborator" BOOLEAN,
    "emailVerified" BOOLEAN,
    "refreshToken" TEXT,
    "refreshTokenExpires" DATETIME
);
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

CREATE TABLE "ShopSettings" (
    "store" TEXT NOT NULL PRIMARY KEY,
    "shopDomain" TEXT NOT NULL,
    "shopName" TEXT NOT NULL,
    "installed" BOOLEAN NOT NULL DEFAULT true,
    "enabledPersonas" TEXT NOT NULL DEFAULT '["minimalist","explorer","dealhunter","loyalist"]',
    "defaultPersona" TEXT NOT NULL DEFAULT 'explorer',
    "brandVoice" TEXT NOT NULL DEFAULT '',
    "colours" TEXT NOT NULL DEFAULT '{"primary":"#1f2937","accent":"#b45309","background":"#ffffff","text":"#111827"}',
    "scope" TEXT NOT NULL DEFAULT 'persona',
    "holdoutPercent" INTEGER NOT NULL DEFAULT 0,
    "settingsVersion" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "ShopSettings_shopDomain_key" ON "ShopSettings"("shopDomain");

CREATE TABLE "Catalog" (
    "store" TEXT NOT NULL PRIMARY KEY,
    "version" TEXT NOT NULL,
    "products" TEXT NOT NULL,
    "productCount" INTEGER NOT NULL,
    "syncedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "syncState" TEXT NOT NULL DEFAULT 'ok'
);

CREATE TABLE "CustomerProfile" (
    "store" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "ordersCount" INTEGER NOT NULL DEFAULT 0,
    "totalSpent" REAL NOT NULL DEFAULT 0,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "fetchedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY ("store", "customerId")
);
