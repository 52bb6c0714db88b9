import { defaultSettings, generatedLanguagesToColumn, parseSettingsRow, settingsToRow } from "../core/settings.ts";
import type { ShopSettings } from "../core/types.ts";
import type { AdminContext } from "./admin-context.server";
import { db } from "./db.server";
import { edgeApi } from "./env.server";
import type { PersonaSettingsInput } from "./settings-form";

/** The shop's settings; a shop without a row yet (install still running) gets the defaults stored. */
export async function loadSettings(admin: AdminContext): Promise<ShopSettings> {
  const prisma = db(admin.env);
  const row = await prisma.shopSettings.findUnique({ where: { store: admin.store } });
  if (row) return parseSettingsRow(row);
  const created = defaultSettings({ store: admin.store, shopName: admin.store, shopDomain: admin.shopDomain });
  await prisma.shopSettings.upsert({
    where: { store: admin.store },
    create: { ...settingsToRow(created), installed: true },
    update: {},
  });
  return created;
}

export interface SaveResult {
  settings: ShopSettings;
  /** null when the edge took the new snapshot; the reason otherwise (settings are saved either way). */
  refreshError: string | null;
}

/**
 * Saves validated settings for the authenticated shop and bumps settingsVersion in the same
 * statement (D1 has no interactive transactions), then asks the edge to rewrite its KV snapshot.
 */
export async function saveSettings(admin: AdminContext, input: PersonaSettingsInput): Promise<SaveResult> {
  const prisma = db(admin.env);
  await loadSettings(admin);
  const row = await prisma.shopSettings.update({
    where: { store: admin.store },
    data: {
      enabledPersonas: JSON.stringify(input.enabledPersonas),
      defaultPersona: input.defaultPersona,
      brandVoice: input.brandVoice,
      colours: JSON.stringify(input.colours),
      scope: input.scope,
      holdoutPercent: input.holdoutPercent,
      // Absent from the input: the merchant's language choice stays as saved.
      ...(input.generatedLanguages === undefined ? {} : { generatedLanguages: generatedLanguagesToColumn({ generatedLanguages: input.generatedLanguages }) }),
      settingsVersion: { increment: 1 },
    },
  });
  let refreshError: string | null = null;
  try {
    await edgeApi(admin.env).refreshSnapshot(admin.store);
  } catch (error) {
    refreshError = error instanceof Error ? error.message : String(error);
  }
  return { settings: parseSettingsRow(row), refreshError };
}
