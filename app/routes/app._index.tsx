import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import type { PersonaCacheState, PersonaStats } from "../../core/edge-api.ts";
import { PERSONAS, type Persona } from "../../core/types.ts";
import { requireAdmin } from "../admin-context.server";
import { formatMs, formatTime } from "../components/format";
import { Sparkline } from "../components/sparkline";
import { db } from "../db.server";
import { tryEdge } from "../edge-call.server";
import { edgeApi } from "../env.server";
import { httpError } from "../http-error";
import { loadSettings } from "../settings.server";
import { API_VERSION } from "../shopify.server";
import { syncShopCatalog } from "../sync-shop-catalog.server";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request, context);
  const settings = await loadSettings(admin);
  const prisma = db(admin.env);
  const edge = edgeApi(admin.env);
  const [catalog, lastRun, cache, stats] = await Promise.all([
    prisma.catalog.findUnique({
      where: { store: admin.store },
      select: { version: true, productCount: true, syncedAt: true, syncState: true },
    }),
    prisma.catalogSyncRun.findFirst({ where: { store: admin.store }, orderBy: { id: "desc" } }),
    tryEdge(() => edge.cacheState(admin.store)),
    tryEdge(() => edge.stats(admin.store)),
  ]);
  const personas = PERSONAS.map((persona) => ({
    persona,
    enabled: settings.enabledPersonas.includes(persona),
    isDefault: settings.defaultPersona === persona,
    cache: cache.ok ? (cache.value.find((c) => c.persona === persona) ?? null) : null,
    stats: stats.ok ? (stats.value.find((s) => s.persona === persona) ?? null) : null,
  }));
  const edgeError = !cache.ok ? cache.error : !stats.ok ? stats.error : null;
  return {
    mode: admin.mode,
    shopName: settings.shopName,
    settingsVersion: settings.settingsVersion,
    catalog: catalog ? { ...catalog, syncedAt: catalog.syncedAt.toISOString() } : null,
    lastRun: lastRun
      ? {
          trigger: lastRun.trigger,
          state: lastRun.state,
          startedAt: lastRun.startedAt.toISOString(),
          finishedAt: lastRun.finishedAt?.toISOString() ?? null,
          productCount: lastRun.productCount,
          pages: lastRun.pages,
          throttledMs: lastRun.throttledMs,
          error: lastRun.error,
        }
      : null,
    personas,
    edgeError,
  };
};

export type SyncActionResult = { ok: boolean; message: string };

export const action = async ({ request, context }: ActionFunctionArgs): Promise<SyncActionResult> => {
  const admin = await requireAdmin(request, context);
  const form = await request.formData();
  if (form.get("intent") !== "sync") throw httpError(400, "Unknown action.");
  if (admin.mode === "local") {
    // The demo catalogs come from the sample CSVs, not from Shopify: refresh the edge from D1 only.
    const refreshed = await tryEdge(() => edgeApi(admin.env).refreshSnapshot(admin.store));
    return refreshed.ok
      ? { ok: true, message: `Demo shop: the edge snapshot was refreshed from D1 (catalog ${refreshed.value.catalogVersion ?? "none"}).` }
      : { ok: false, message: `The edge did not refresh: ${refreshed.error}` };
  }
  const result = await syncShopCatalog(admin.env, { session: admin.session, store: admin.store, trigger: "manual", apiVersion: API_VERSION });
  if (!result.ok) return { ok: false, message: `Catalog sync failed: ${result.error}` };
  const edgeNote = result.snapshotRefreshed ? "" : " The edge has not taken the new catalog yet.";
  return { ok: true, message: `Synced ${result.productCount} products (${result.pages} pages), catalog ${result.version}.${edgeNote}` };
};

const CACHE_TONE = { fresh: "success", stale: "warning", missing: "critical" } as const;

function cacheBadge(cache: PersonaCacheState | null) {
  if (!cache) return <Badge>unknown</Badge>;
  return (
    <InlineStack gap="100" wrap={false}>
      <Badge tone={CACHE_TONE[cache.state]}>{cache.state}</Badge>
      {cache.queued ? <Badge tone="attention">queued</Badge> : null}
    </InlineStack>
  );
}


function statsCells(stats: PersonaStats | null, persona: Persona) {
  if (!stats) return ["—", "—", "—", "—", "—"];
  return [
    `${stats.hits} / ${stats.misses}`,
    <InlineStack key="jobs" gap="100" wrap={false} align="end">
      <Text as="span">{`${stats.jobsDone} /`}</Text>
      {stats.jobsFailed > 0 ? <Badge tone="critical">{String(stats.jobsFailed)}</Badge> : <Text as="span">0</Text>}
    </InlineStack>,
    formatMs(stats.medianLatencyMs),
    (stats.promptTokens + stats.completionTokens).toLocaleString("en-US"),
    <Sparkline key="trend" values={stats.recentLatenciesMs} label={`Recent generation latencies of ${persona}`} />,
  ];
}

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  const sync = useFetcher<typeof action>();
  const syncing = sync.state !== "idle";
  const rows = data.personas.map((p) => [
    <InlineStack key="name" gap="100" wrap={false}>
      <Text as="span" fontWeight="semibold">
        {p.persona}
      </Text>
      {p.isDefault ? <Badge tone="info">default</Badge> : null}
      {p.enabled ? null : <Badge>off</Badge>}
    </InlineStack>,
    cacheBadge(p.cache),
    p.cache?.generatedAt ? `${formatTime(p.cache.generatedAt)} · ${p.cache.source ?? "?"}` : "—",
    ...statsCells(p.stats, p.persona),
  ]);
  const catalog = data.catalog;
  const run = data.lastRun;
  return (
    <Page fullWidth title="Dashboard" subtitle={`${data.shopName} · settings version ${data.settingsVersion}`}>
      <Layout>
        {data.edgeError ? (
          <Layout.Section>
            <Banner tone="critical" title="The edge worker did not answer">
              <p>Cache state and statistics are unavailable: {data.edgeError}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Personas
              </Text>
              <DataTable
                columnContentTypes={["text", "text", "text", "numeric", "numeric", "numeric", "numeric", "text"]}
                headings={["Persona", "Cache", "Generated", "Hits / misses", "Generations ok / failed", "Median latency", "Tokens", "Latency trend"]}
                rows={rows}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Catalog
              </Text>
              {catalog ? (
                <BlockStack gap="100">
                  <Text as="p">
                    {catalog.productCount} products · version <code>{catalog.version}</code>
                  </Text>
                  <Text as="p" tone="subdued">
                    Synced {formatTime(catalog.syncedAt)}
                  </Text>
                  <InlineStack gap="100">
                    <Text as="span">Sync state:</Text>
                    <Badge tone={catalog.syncState === "ok" ? "success" : catalog.syncState === "syncing" ? "attention" : "critical"}>
                      {catalog.syncState}
                    </Badge>
                  </InlineStack>
                </BlockStack>
              ) : (
                <Text as="p">No catalog yet: the first sync runs after install.</Text>
              )}
              {run ? (
                <Text as="p" tone="subdued">
                  Last sync ({run.trigger}): {run.state}
                  {run.productCount !== null ? `, ${run.productCount} products` : ""}
                  {run.pages > 0 ? ` in ${run.pages} pages` : ""}
                  {run.throttledMs > 0 ? `, waited ${run.throttledMs} ms for rate limits` : ""}
                  {run.error ? ` — ${run.error}` : ""}
                </Text>
              ) : null}
              <sync.Form method="post">
                <input type="hidden" name="intent" value="sync" />
                <Button submit loading={syncing}>
                  {data.mode === "local" ? "Refresh edge snapshot" : "Sync catalog now"}
                </Button>
              </sync.Form>
              {sync.data ? (
                <Banner tone={sync.data.ok ? "success" : "critical"}>
                  <p>{sync.data.message}</p>
                </Banner>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
