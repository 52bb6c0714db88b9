/**
 * What the merchant's live theme says about WandStore's theme app extension, read from the theme's
 * own files (the Admin API's `theme.files`, scope read_themes), and the theme editor deep links that
 * fix what is missing. Pure: the files come in as text.
 *
 * Facts this rests on (Shopify's theme architecture and app extension docs, and files as Shopify
 * writes them — see core/fixtures/theme/):
 * - App embeds live in `config/settings_data.json` under `current.blocks`, keyed by a numeric id; each
 *   `type` is `shopify://apps/<app handle>/blocks/<embed handle>/<extension uuid>`, and `disabled`
 *   says whether it is off. The entry appears only once the merchant (or the deep link) first turns
 *   the embed on, so no entry means "never activated".
 * - App blocks live in JSON templates (`templates/*.json`) and section groups (`sections/*.json`):
 *   sections → `blocks` (nested theme blocks may hold `blocks` again), with the same `type` shape, and
 *   `disabled: true` on a block or its section hides it. Themes with Liquid templates ("vintage")
 *   cannot hold app blocks at all: statically rendered sections do not support `@app` blocks.
 * - The theme editor writes a `/* … *\/` comment before the JSON, which JSON.parse refuses.
 * - Deep links: `…/editor?context=apps&activateAppId=<api key>/<embed handle>` turns an embed on;
 *   `…/editor?template=<t>&addAppBlockId=<api key>/<block handle>&target=newAppsSection` adds a block.
 * The handles are the extension's file names: extensions/wand-storefront/blocks/<handle>.liquid.
 */

export const WAND_APP_HANDLE = "wandstore";
export const WAND_EMBED_HANDLE = "wand-signals";
export const WAND_BLOCK_HANDLE = "persona-storefront";

/** How WandStore's embed and block are named in a theme's files. */
export interface ThemeAppIds {
  /** The app's handle (shopify.app.toml `handle`), the `<app handle>` of every block type. */
  appHandle: string;
  embedHandle: string;
  blockHandle: string;
  /**
   * The theme extension's uuid (the last segment of the type), when known: a block with this uuid
   * and the right handle is ours even if the app's handle was changed after it was added.
   */
  extensionUuid?: string | null;
}

export const WAND_THEME_IDS: ThemeAppIds = { appHandle: WAND_APP_HANDLE, embedHandle: WAND_EMBED_HANDLE, blockHandle: WAND_BLOCK_HANDLE };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Drops the comments Shopify puts before a theme JSON file (only leading ones: strings may hold "/*"). */
export function stripLeadingComments(text: string): string {
  let rest = text.replace(/^\uFEFF/, "");
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith("/*")) {
      const end = rest.indexOf("*/", 2);
      if (end < 0) return rest;
      rest = rest.slice(end + 2);
    } else if (rest.startsWith("//")) {
      const end = rest.indexOf("\n");
      rest = end < 0 ? "" : rest.slice(end + 1);
    } else return rest;
  }
}

/** A theme JSON file (settings_data.json, a template, a section group) as a plain object. */
export function parseThemeJson(text: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(stripLeadingComments(text));
  } catch (error) {
    return { ok: false, error: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  return isRecord(value) ? { ok: true, value } : { ok: false, error: "not a JSON object" };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export interface AppBlockType {
  appHandle: string;
  blockHandle: string;
  uuid: string;
}

/** `shopify://apps/<app>/blocks/<block>/<uuid>` → its parts; null for theme blocks ("heading", "@app"). */
export function parseAppBlockType(type: unknown): AppBlockType | null {
  if (typeof type !== "string") return null;
  const m = /^shopify:\/\/apps\/([^/]+)\/blocks\/([^/]+)\/([^/]+)$/.exec(type);
  return m ? { appHandle: m[1]!, blockHandle: m[2]!, uuid: m[3]! } : null;
}

function isOurs(type: unknown, handle: string, ids: ThemeAppIds): boolean {
  const ref = parseAppBlockType(type);
  if (!ref || ref.blockHandle !== handle) return false;
  return ref.appHandle === ids.appHandle || (!!ids.extensionUuid && ref.uuid === ids.extensionUuid);
}

// ---------------------------------------------------------------------------------------------------
// The app embed

/** on / off in the theme editor; never-activated: no entry yet; unreadable: the file could not be read. */
export type EmbedState = "on" | "off" | "never-activated" | "unreadable";

export interface EmbedDetection {
  state: EmbedState;
  /** Why the file could not be read (state "unreadable"). */
  error?: string;
}

/** The embed's state in `config/settings_data.json` (null: the theme has no such file). */
export function detectEmbed(settingsData: string | null, ids: ThemeAppIds = WAND_THEME_IDS): EmbedDetection {
  if (settingsData === null) return { state: "never-activated" };
  const parsed = parseThemeJson(settingsData);
  if (!parsed.ok) return { state: "unreadable", error: `config/settings_data.json is ${parsed.error}` };
  // `current` is normally the saved settings; an untouched theme may name one of its presets instead.
  let current = parsed.value.current;
  if (typeof current === "string" && isRecord(parsed.value.presets)) current = parsed.value.presets[current];
  const blocks = isRecord(current) && isRecord(current.blocks) ? Object.values(current.blocks) : [];
  const ours = blocks.filter((b) => isRecord(b) && isOurs(b.type, ids.embedHandle, ids)) as Record<string, unknown>[];
  if (ours.length === 0) return { state: "never-activated" };
  // A reinstall can leave a second entry behind: the embed is on when any of them is.
  return { state: ours.some((b) => b.disabled !== true) ? "on" : "off" };
}

// ---------------------------------------------------------------------------------------------------
// The app block

export interface ThemeFileText {
  filename: string;
  content: string;
}

export interface BlockPlacement {
  /** The theme file, e.g. "templates/index.json". */
  file: string;
  /** The section id in that file. */
  section: string;
  /** Hidden in the theme editor (the block, a parent block or its section is disabled). */
  hidden: boolean;
}

const isJsonTemplate = (f: string) => /^templates\/.+\.json$/.test(f);
const isSectionGroup = (f: string) => /^sections\/.+\.json$/.test(f);

/** Where one JSON template or section group holds the block. */
export function findBlockPlacements(file: ThemeFileText, ids: ThemeAppIds = WAND_THEME_IDS): Parsed<BlockPlacement[]> {
  const parsed = parseThemeJson(file.content);
  if (!parsed.ok) return { ok: false, error: `${file.filename} is ${parsed.error}` };
  const sections = isRecord(parsed.value.sections) ? parsed.value.sections : {};
  const found: BlockPlacement[] = [];
  const walk = (blocks: unknown, section: string, hidden: boolean): void => {
    if (!isRecord(blocks)) return;
    for (const block of Object.values(blocks)) {
      if (!isRecord(block)) continue;
      const blockHidden = hidden || block.disabled === true;
      if (isOurs(block.type, ids.blockHandle, ids)) found.push({ file: file.filename, section, hidden: blockHidden });
      walk(block.blocks, section, blockHidden);
    }
  };
  for (const [id, section] of Object.entries(sections)) {
    if (isRecord(section)) walk(section.blocks, id, section.disabled === true);
  }
  return { ok: true, value: found };
}

/**
 * added: visible somewhere; hidden: present but every copy is hidden; absent; no-json-templates: a
 * vintage theme, where the block cannot be added (nor detected).
 */
export type BlockState = "added" | "hidden" | "absent" | "no-json-templates";

export interface BlockDetection {
  state: BlockState;
  placements: BlockPlacement[];
  /** JSON templates and section groups read. */
  filesChecked: number;
  /** False when the reader stopped before every template was read (a theme with very many). */
  complete: boolean;
  /** Files that could not be parsed, with the reason. */
  unreadable: string[];
}

/** The block's state across the theme's JSON templates and section groups that were read. */
export function detectBlock(files: ThemeFileText[], o: { complete: boolean }, ids: ThemeAppIds = WAND_THEME_IDS): BlockDetection {
  const relevant = files.filter((f) => isJsonTemplate(f.filename) || isSectionGroup(f.filename));
  const placements: BlockPlacement[] = [];
  const unreadable: string[] = [];
  for (const file of relevant) {
    const found = findBlockPlacements(file, ids);
    if (found.ok) placements.push(...found.value);
    else unreadable.push(found.error);
  }
  const base = { placements, filesChecked: relevant.length, complete: o.complete, unreadable };
  if (placements.some((p) => !p.hidden)) return { state: "added", ...base };
  if (placements.length > 0) return { state: "hidden", ...base };
  if (o.complete && !relevant.some((f) => isJsonTemplate(f.filename))) return { state: "no-json-templates", ...base };
  return { state: "absent", ...base };
}

// ---------------------------------------------------------------------------------------------------
// Deep links into the theme editor

function editorUrl(shopDomain: string, query: string): string {
  // The deep links work on the shop's myshopify domain (a custom domain does not open the editor).
  if (!/^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/i.test(shopDomain)) throw new Error(`not a shop domain: ${JSON.stringify(shopDomain)}`);
  return `https://${shopDomain.toLowerCase()}/admin/themes/current/editor?${query}`;
}

function appId(apiKey: string, handle: string): string {
  if (!/^[\w-]+$/.test(apiKey)) throw new Error("the app's API key (client id) is missing or malformed");
  // Shopify's documented form keeps the slash literal: activateAppId=<api key>/<handle>.
  return `${encodeURIComponent(apiKey)}/${encodeURIComponent(handle)}`;
}

/** Opens the theme editor's App embeds with WandStore's embed switched on (the merchant saves). */
export function embedActivationLink(shopDomain: string, apiKey: string, embedHandle = WAND_EMBED_HANDLE): string {
  return editorUrl(shopDomain, `context=apps&activateAppId=${appId(apiKey, embedHandle)}`);
}

/** Opens the theme editor on `template` with WandStore's block added in a new Apps section. */
export function blockAdditionLink(shopDomain: string, apiKey: string, o: { blockHandle?: string; template?: string } = {}): string {
  const template = encodeURIComponent(o.template ?? "index");
  return editorUrl(shopDomain, `template=${template}&addAppBlockId=${appId(apiKey, o.blockHandle ?? WAND_BLOCK_HANDLE)}&target=newAppsSection`);
}
