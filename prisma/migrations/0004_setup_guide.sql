-- The setup guide on the admin's home (prisma/schema.prisma: ShopSettings.setupGuideDismissedAt):
-- when the merchant dismissed it once every step was done; NULL while it is shown.
ALTER TABLE "ShopSettings" ADD COLUMN "setupGuideDismissedAt" DATETIME;
