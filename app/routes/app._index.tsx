import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useEffect } from "react";
import type { PersonaCacheState, PersonaStats } from "../../core/edge-api.ts";
import { PERSONAS, type Persona } from "../../core/types.ts";
import { requireAdmin } from "../admin-context.server";
import { catalogStatus } from "../catalog-status";
import { CatalogCard } from "../components/catalog-card";
import { SetupGuide } from "../components/setup-guide";
import { useAppHref } from "../components/use-app-href";
import { formatMs, formatTime } from "../components/format";
import { Sparkline } from "../components/sparkline";
import { db } from "../db.server";
import { tryEdge } from "../edge-call.server";
import { edgeApi, type AppBindings } from "../env.server";
import { httpError } from "../http-error";
import { languagePageLabel, summariseLanguages } from "../language-pages";
import { llmStatusLine } from "../llm-status";
import { loadSettings } from "../settings.server";
import { dismissSetupGuide, loadSetupGuide } from "../setup-guide.server";

/** While a full sync runs, the dashboard reloads its figures this often (progress bar). */
const RUNNING_POLL_MS = 4000;

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request, context);
  const settings = await loadSettings(admin);
  const edge = edgeApi(admin.env);
  const [summary, sync, cache, stats] = await Promise.all([
    db(admin.env).catalog.findUnique({ where: { store: admin.store }, select: { productCount: true, syncedAt: true, syncState: true } }),
    tryEdge(() => edge.catalogSyncState(admin.store)),
    tryEdge(() => edge.cacheState(admin.store)),
    tryEdge(() => edge.stats(admin.store)),
  ]);
  const setupGuide = await loadSetupGuide(admin, { cache, sync });
  const localSync = admin.mode === "local" && (await localShopSyncs(admin));
  const personas = PERSONAS.map((persona) => ({
    persona,
    enabled: settings.enabledPersonas.includes(persona),
    isDefault: settings.defaultPersona === persona,
    cache: cache.ok ? (cache.value.find((c) => c.persona === persona) ?? null) : null,
    stats: stats.ok ? (stats.value.find((s) => s.persona === persona) ?? null) : null,
  }));
  // Pages per language over the enabled personas (the edge lists one entry per generated language).
  const languages = summariseLanguages(personas.map((p) => ({ persona: p.persona, enabled: p.enabled, languages: p.cache?.languages })));
  // The catalog card says itself when the sync state is missing.
  const edgeError = !cache.ok ? cache.error : !stats.ok ? stats.error : null;
  return {
    mode: admin.mode,
    /** A demo shop with an offline session syncs from its (fake) Admin API like a real shop. */
    localSync,
    shopName: settings.shopName,
    settingsVersion: settings.settingsVersion,
    catalog: catalogStatus({
      mode: localSync ? "shopify" : admin.mode,
      sync,
      summary: summary ? { ...summary, syncedAt: summary.syncedAt.toISOString() } : null,
    }),
    personas,
    languages,
    edgeError,
    setupGuide,
  };
};

export type SyncActionResult = { ok: boolean; message: string };

/**
 * A demo shop syncs like a real one only when an offline session for it is in D1: put there by a test
 * (or a developer) whose edge talks to a fake Admin API on 127.0.0.1 (its SHOPIFY_ADMIN_API_ORIGIN).
 * Otherwise its catalog is the seeded sample, and "sync" only refreshes the edge's snapshot.
 */
async function localShopSyncs(admin: { env: AppBindings; shopDomain: string }): Promise<boolean> {
  const session = await db(admin.env).session.findUnique({ where: { id: `offline_${admin.shopDomain}` }, select: { accessToken: true } });
  return Boolean(session?.accessToken);
}

export const action = async ({ request, context }: ActionFunctionArgs): Promise<SyncActionResult> => {
  const admin = await requireAdmin(request, context);
  const form = await request.formData();
  if (form.get("intent") === "dismiss-setup-guide") return dismissSetupGuide(admin);
  if (form.get("intent") !== "sync") throw httpError(400, "Unknown action.");
  const edge = edgeApi(admin.env);
  if (admin.mode === "local" && !(await localShopSyncs(admin))) {
    // The demo catalogs come from the sample CSVs, not from Shopify: the edge only re-reads D1.
    const refreshed = await tryEdge(() => edge.refreshSnapshot(admin.store));
    return refreshed.ok
      ? { ok: true, message: `Demo shop: the edge snapshot was refreshed from D1 (${refreshed.value.productCount.toLocaleString("en-US")} products).` }
      : { ok: false, message: `The edge did not refresh: ${refreshed.error}` };
  }
  // The sync runs in the store's CatalogSync Durable Object; this only starts (or joins) it.
  const started = await tryEdge(() => edge.startCatalogSync(admin.store, admin.shopDomain, "manual"));
  if (!started.ok) return { ok: false, message: `The catalog sync did not start: ${started.error}` };
  const state = started.value;
  if (state.state === "error") return { ok: false, message: `The catalog sync did not start: ${state.error ?? "no reason given"}` };
  if (state.state !== "running") return { ok: false, message: `The catalog sync did not start (state: ${state.state}).` };
  return { ok: true, message: "Catalog sync running in the background: its progress shows on this page." };
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

/** One badge per generated language: AI page (fresh or older) or template — never a template shown as generated. */
function languageBadges(cache: PersonaCacheState | null) {
  if (!cache || cache.languages.length === 0) return "—";
  return (
    <InlineStack key="languages" gap="100">
      {cache.languages.map((page) => {
        const { tone, label } = languagePageLabel(page);
        return (
          <Badge key={page.language} tone={tone}>
            {label}
          </Badge>
        );
      })}
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
  const revalidator = useRevalidator();
  const dismiss = useFetcher<typeof action>();
  const appHref = useAppHref();
  const syncing = sync.state !== "idle";
  const running = data.catalog.kind === "running";
  useEffect(() => {
    if (!running || revalidator.state !== "idle") return;
    const timer = setTimeout(() => revalidator.revalidate(), RUNNING_POLL_MS);
    return () => clearTimeout(timer);
  }, [running, revalidator]);
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
    languageBadges(p.cache),
    ...statsCells(p.stats, p.persona),
  ]);
  const local = data.mode === "local" && !data.localSync;
  const syncForm = (
    <BlockStack gap="200">
      <sync.Form method="post">
        <input type="hidden" name="intent" value="sync" />
        <Button submit loading={syncing} disabled={!local && !data.catalog.canSync}>
          {local ? "Refresh edge snapshot" : data.catalog.canSync ? "Sync catalog now" : "Sync running…"}
        </Button>
      </sync.Form>
      {sync.data ? (
        <Banner tone={sync.data.ok ? "info" : "critical"}>
          <p>{sync.data.message}</p>
        </Banner>
      ) : null}
    </BlockStack>
  );
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
        {data.setupGuide.dismissed || dismiss.data?.ok ? null : (
          <Layout.Section>
            <BlockStack gap="200">
              <SetupGuide
                checklist={data.setupGuide.checklist}
                onDismiss={() => dismiss.submit({ intent: "dismiss-setup-guide" }, { method: "post" })}
                onRecheck={() => revalidator.revalidate()}
                rechecking={revalidator.state !== "idle"}
                href={(path) => appHref(path)}
              />
              {dismiss.data && !dismiss.data.ok ? (
                <Banner tone="warning">
                  <p>{dismiss.data.message}</p>
                </Banner>
              ) : null}
            </BlockStack>
          </Layout.Section>
        )}
        <Layout.Section>
          <LlmCard line={llmStatusLine(data.setupGuide.llm, formatTime)} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Personas
              </Text>
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "numeric", "numeric", "numeric", "numeric", "text"]}
                headings={["Persona", "Cache", "Generated", "Pages per language", "Hits / misses", "Generations ok / failed", "Median latency", "Tokens", "Latency trend"]}
                rows={rows}
              />
              {data.languages.length > 0 ? (
                <Text as="p" tone="subdued">
                  {`Pages per language (enabled personas): ${data.languages.map((l) => l.text).join(" · ")}. Shoppers get a template until a language's AI page is generated.`}
                </Text>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <CatalogCard status={data.catalog} action={syncForm} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function LlmCard({ line }: { line: ReturnType<typeof llmStatusLine> }) {
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            LLM
          </Text>
          <Badge tone={line.tone}>{line.badge}</Badge>
        </InlineStack>
        <Text as="p">{line.text}</Text>
      </BlockStack>
    </Card>
  );
}
