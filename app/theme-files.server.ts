import { z } from "zod";
import { AdminGraphqlError, createAdminGraphql, type AdminGraphql } from "../core/admin-graphql.ts";
import type { ThemeReading } from "../core/setup-checklist.ts";
import { detectBlock, detectEmbed, findBlockPlacements, WAND_THEME_IDS, type ThemeAppIds, type ThemeFileText } from "../core/theme-setup.ts";
import { adminOrigin } from "./admin-origin.server";
import type { AppBindings } from "./env.server";

/**
 * Reads what the setup guide needs from the shop's live theme through the Admin GraphQL API (scope
 * read_themes): the published theme (`themes(roles: [MAIN])`), then its files (`theme.files`) —
 * `config/settings_data.json` for the app embed, JSON templates and section groups for the app block.
 *
 * Cheap on every dashboard load: the first files request asks for settings_data.json and the home
 * page template together (where the guide's deep link adds the block), and only when the block is
 * not there does it page through `templates/*.json` and `sections/*.json` — stopping at the first
 * visible copy, and after `maxFiles` files (a theme can hold a template per blog article). Bodies
 * come as text, base64 or a short-lived URL (Shopify's choice, by size); all three are read.
 * Never throws: a failure is a ThemeReading that says why, and the guide leaves the steps open.
 */

const MAIN_THEME_QUERY = `#graphql
  query WandMainTheme {
    themes(first: 1, roles: [MAIN]) {
      nodes {
        id
        name
        role
      }
    }
  }
`;

const THEME_FILES_QUERY = `#graphql
  query WandThemeFiles($id: ID!, $filenames: [String!], $first: Int!, $after: String) {
    theme(id: $id) {
      files(filenames: $filenames, first: $first, after: $after) {
        nodes {
          filename
          body {
            __typename
            ... on OnlineStoreThemeFileBodyText {
              content
            }
            ... on OnlineStoreThemeFileBodyBase64 {
              contentBase64
            }
            ... on OnlineStoreThemeFileBodyUrl {
              url
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
        userErrors {
          code
          filename
        }
      }
    }
  }
`;

const SETTINGS_DATA = "config/settings_data.json";
const HOME_TEMPLATE = "templates/index.json";
const ALL_JSON = ["templates/*.json", "sections/*.json"];
const PAGE_SIZE = 50;

const mainThemeSchema = z.object({ themes: z.object({ nodes: z.array(z.object({ id: z.string(), name: z.string() })) }) });

const bodySchema = z.union([
  z.object({ __typename: z.literal("OnlineStoreThemeFileBodyText"), content: z.string() }),
  z.object({ __typename: z.literal("OnlineStoreThemeFileBodyBase64"), contentBase64: z.string() }),
  z.object({ __typename: z.literal("OnlineStoreThemeFileBodyUrl"), url: z.string() }),
]);

const filesSchema = z.object({
  theme: z
    .object({
      files: z
        .object({
          nodes: z.array(z.object({ filename: z.string(), body: bodySchema })),
          pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
          userErrors: z.array(z.object({ code: z.string(), filename: z.string() })),
        })
        .nullable(),
    })
    .nullable(),
});

type FilesPage = NonNullable<NonNullable<z.infer<typeof filesSchema>["theme"]>["files"]>;
type FileBody = z.infer<typeof bodySchema>;

export interface ReadThemeOptions {
  ids?: ThemeAppIds;
  /** Template and section group files read at most while looking for the block (default 500). */
  maxFiles?: number;
  /** Fetches a body Shopify hands out as a short-lived URL; defaults to the platform's fetch. */
  fetchBody?: (url: string) => Promise<string>;
}

async function defaultFetchBody(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

async function bodyText(body: FileBody, fetchBody: (url: string) => Promise<string>): Promise<string> {
  if (body.__typename === "OnlineStoreThemeFileBodyText") return body.content;
  if (body.__typename === "OnlineStoreThemeFileBodyBase64") {
    return new TextDecoder().decode(Uint8Array.from(atob(body.contentBase64), (c) => c.charCodeAt(0)));
  }
  return fetchBody(body.url);
}

export async function readThemeSetup(graphql: AdminGraphql, o: ReadThemeOptions = {}): Promise<ThemeReading> {
  const ids = o.ids ?? WAND_THEME_IDS;
  const maxFiles = o.maxFiles ?? 500;
  const fetchBody = o.fetchBody ?? defaultFetchBody;
  try {
    const main = mainThemeSchema.parse(await graphql.request(MAIN_THEME_QUERY)).themes.nodes[0];
    if (!main) return { ok: false, reason: "no-main-theme", error: "the shop has no published theme" };

    const page = async (filenames: string[], first: number, after: string | null): Promise<FilesPage> => {
      const files = filesSchema.parse(await graphql.request(THEME_FILES_QUERY, { id: main.id, filenames, first, after })).theme?.files;
      if (!files) throw new Error(`theme ${main.id} is gone (published theme changed while reading?)`);
      return files;
    };
    const read = new Map<string, ThemeFileText>();
    // Each file is taken once: the home page template comes again in the wildcard pages.
    const seen = new Set<string>();
    const unreadable: string[] = [];
    const take = async (p: FilesPage): Promise<boolean> => {
      let found = false;
      for (const node of p.nodes) {
        if (seen.has(node.filename)) continue;
        seen.add(node.filename);
        try {
          const file = { filename: node.filename, content: await bodyText(node.body, fetchBody) };
          read.set(file.filename, file);
          const placements = findBlockPlacements(file, ids);
          if (placements.ok && placements.value.some((x) => !x.hidden)) found = true;
        } catch (error) {
          unreadable.push(`${node.filename} could not be downloaded (${error instanceof Error ? error.message : String(error)})`);
        }
      }
      for (const e of p.userErrors) {
        if (e.code !== "NOT_FOUND") unreadable.push(`Shopify could not read ${e.filename} (${e.code})`);
      }
      return found;
    };

    // Shopify may return fewer files than asked (its payload limit): follow the cursor, or a large
    // settings_data.json would read as "never activated".
    let found = false;
    for (let cursor: string | null = null; ; ) {
      const p: FilesPage = await page([SETTINGS_DATA, HOME_TEMPLATE], 2, cursor);
      found = (await take(p)) || found;
      cursor = p.pageInfo.endCursor;
      if (!p.pageInfo.hasNextPage || !cursor) break;
    }
    const settingsProblem = unreadable.find((u) => u.includes(SETTINGS_DATA));
    const settings = read.get(SETTINGS_DATA)?.content ?? null;
    const embed = settingsProblem ? { state: "unreadable" as const, error: settingsProblem } : detectEmbed(settings, ids);

    let complete = false;
    let after: string | null = null;
    while (!found) {
      const p: FilesPage = await page(ALL_JSON, PAGE_SIZE, after);
      found = await take(p);
      after = p.pageInfo.endCursor;
      if (!p.pageInfo.hasNextPage || !after) {
        complete = true;
        break;
      }
      if ([...seen].filter((f) => f !== SETTINGS_DATA).length >= maxFiles) break;
    }
    const files = [...read.values()].filter((f) => f.filename !== SETTINGS_DATA);
    const block = detectBlock(files, { complete }, ids);
    block.unreadable.push(...unreadable.filter((u) => !u.includes(SETTINGS_DATA)));
    return { ok: true, themeName: main.name, embed, block };
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): ThemeReading {
  const message = error instanceof Error ? error.message : String(error);
  // Shopify answers a missing scope with a GraphQL ACCESS_DENIED error naming the scope it needs.
  if (error instanceof AdminGraphqlError && error.kind === "graphql" && /access denied|read_themes/i.test(message)) {
    return { ok: false, reason: "access-denied", error: message };
  }
  if (error instanceof z.ZodError) return { ok: false, reason: "unavailable", error: "the Admin API answered in an unexpected shape" };
  return { ok: false, reason: "unavailable", error: message };
}

/**
 * The theme reading of a shop with its offline token, as the dashboard does it: few retries and
 * short waits, since a merchant is waiting for the page (the guide says "not checked" instead).
 */
export function readShopThemeSetup(env: AppBindings, shop: { shopDomain: string; accessToken: string }, apiVersion: string, o: ReadThemeOptions = {}): Promise<ThemeReading> {
  const graphql = createAdminGraphql({ shopDomain: shop.shopDomain, accessToken: shop.accessToken, apiVersion, origin: adminOrigin(env), maxAttempts: 2, maxWaitMs: 2000 });
  return readThemeSetup(graphql, o);
}
