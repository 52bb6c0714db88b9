import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { Form, useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineStack,
  Layout,
  List,
  Page,
  ProgressBar,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";
import type { EnqueueResult, PersonaCacheState } from "../../core/edge-api.ts";
import type { LocaleQuery } from "../../core/locale.ts";
import { PERSONAS, isPersona } from "../../core/types.ts";
import { requireAdmin } from "../admin-context.server";
import { formatTime } from "../components/format";
import { LocaleCard, withAsked } from "../components/preview-locale";
import { useAppHref, useShopParam } from "../components/use-app-href";
import { tryEdge } from "../edge-call.server";
import { edgeApi } from "../env.server";
import { httpError } from "../http-error";
import { countryChoices, languageChoices, parseLocaleField } from "../market-choices";
import { parseSignals } from "../preview-signals";
import { SIGNAL_FIELDS, type SignalField } from "../signal-fields";
import { loadSettings } from "../settings.server";
import type { loader as cacheStateLoader } from "./app.cache-state";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request, context);
  const settings = await loadSettings(admin);
  const url = new URL(request.url);
  const asked = url.searchParams.get("persona");
  if (asked !== null && !isPersona(asked)) throw httpError(400, `Unknown persona: choose one of ${PERSONAS.join(", ")}.`);
  const persona = asked ?? settings.defaultPersona;
  const parsed = parseSignals(url.searchParams);
  // The market and language the sample shopper browses in (the theme sends the same two on the proxy).
  const country = parseLocaleField("country", url.searchParams.get("country"));
  const language = parseLocaleField("language", url.searchParams.get("language"));
  const localeErrors: Partial<Record<"country" | "language", string>> = {};
  if (!country.ok) localeErrors.country = country.error;
  if (!language.ok) localeErrors.language = language.error;
  const locale: LocaleQuery = { country: country.ok ? country.value : null, language: language.ok ? language.value : null };
  const asksEdge = parsed.ok && country.ok && language.ok;
  const edge = edgeApi(admin.env);
  const [preview, cache, markets] = await Promise.all([
    asksEdge ? tryEdge(() => edge.preview(admin.store, persona, parsed.signals, locale)) : Promise.resolve(null),
    tryEdge(() => edge.cacheState(admin.store)),
    tryEdge(() => edge.shopMarkets(admin.store)),
  ]);
  const cacheState = cache.ok ? (cache.value.find((c) => c.persona === persona) ?? null) : null;
  const resolved = preview?.ok ? preview.value.locale : null;
  return {
    persona,
    enabledPersonas: settings.enabledPersonas,
    values: parsed.values,
    signalErrors: parsed.ok ? {} : parsed.errors,
    // What the pickers show: the canonical value ("fr" → "FR"), or the malformed one beside its error.
    locale: {
      country: country.ok ? (country.value ?? "") : (url.searchParams.get("country") ?? ""),
      language: language.ok ? (language.value ?? "") : (url.searchParams.get("language") ?? ""),
    },
    localeErrors,
    countries: markets.ok ? countryChoices(markets.value) : [],
    languages: markets.ok ? languageChoices(markets.value) : [],
    marketsError: markets.ok ? null : markets.error,
    preview: preview?.ok ? preview.value : null,
    previewError: preview && !preview.ok ? preview.error : null,
    cacheState,
    /** The LLM page of the language the preview was served in (top-level cacheState = primary language). */
    languagePage: resolved && cacheState ? (cacheState.languages?.find((l) => l.language === resolved.pageLanguage) ?? null) : null,
  };
};

export type RegenerateResult = { ok: true; result: EnqueueResult } | { ok: false; error: string };

export const action = async ({ request, context }: ActionFunctionArgs): Promise<RegenerateResult> => {
  const admin = await requireAdmin(request, context);
  const form = await request.formData();
  const persona = form.get("persona");
  if (form.get("intent") !== "regenerate") throw httpError(400, "Unknown action.");
  if (!isPersona(persona)) throw httpError(400, `Unknown persona: choose one of ${PERSONAS.join(", ")}.`);
  const outcome = await tryEdge(() => edgeApi(admin.env).regenerate(admin.store, persona));
  return outcome.ok ? { ok: true, result: outcome.value } : { ok: false, error: outcome.error };
};

const SIGNAL_LABELS: Record<SignalField, { label: string; help?: string }> = {
  utm_source: { label: "UTM source", help: "e.g. newsletter, google" },
  utm_medium: { label: "UTM medium", help: "e.g. email, cpc" },
  utm_campaign: { label: "UTM campaign", help: "e.g. summer-sale" },
  referrer: { label: "Referrer", help: "e.g. https://www.pinterest.com/" },
  visits: { label: "Visit count" },
  categories: { label: "Categories seen", help: "comma-separated product types" },
  orders: { label: "Customer orders" },
  spent: { label: "Customer total spent" },
  tags: { label: "Customer tags", help: "comma-separated, e.g. vip" },
};

const POLL_MS = 1500;
const MAX_POLLS = 120;

type Progress = { phase: "idle" } | { phase: "waiting"; since: string | null; polls: number } | { phase: "done"; state: PersonaCacheState } | { phase: "gave-up" };

export default function Preview() {
  const data = useLoaderData<typeof loader>();
  const href = useAppHref();
  const shopParam = useShopParam();
  const regenerate = useFetcher<typeof action>();
  const poll = useFetcher<typeof cacheStateLoader>();
  const revalidator = useRevalidator();
  const [values, setValues] = useState(data.values);
  const [persona, setPersona] = useState<string>(data.persona);
  const [country, setCountry] = useState(data.locale.country);
  const [language, setLanguage] = useState(data.locale.language);
  const [progress, setProgress] = useState<Progress>({ phase: "idle" });
  const startedFrom = useRef<string | null>(null);

  useEffect(() => setValues(data.values), [data.values]);
  useEffect(() => setPersona(data.persona), [data.persona]);
  useEffect(() => setCountry(data.locale.country), [data.locale.country]);
  useEffect(() => setLanguage(data.locale.language), [data.locale.language]);

  // A regenerate request was answered: wait for the page unless nothing was queued.
  useEffect(() => {
    const r = regenerate.data;
    if (!r || !r.ok) return;
    if (r.result.status === "queued" || r.result.status === "duplicate") {
      startedFrom.current = data.cacheState?.generatedAt ?? null;
      setProgress({ phase: "waiting", since: startedFrom.current, polls: 0 });
    }
    // Only a new answer starts a wait.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [regenerate.data]);

  // Poll the cache state while waiting.
  useEffect(() => {
    if (progress.phase !== "waiting") return;
    if (progress.polls >= MAX_POLLS) {
      setProgress({ phase: "gave-up" });
      return;
    }
    const timer = setTimeout(() => {
      poll.load(href("/app/cache-state"));
      setProgress((p) => (p.phase === "waiting" ? { ...p, polls: p.polls + 1 } : p));
    }, POLL_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [progress]);

  useEffect(() => {
    if (progress.phase !== "waiting" || !poll.data?.states) return;
    const state = poll.data.states.find((s) => s.persona === data.persona);
    if (!state) return;
    const regenerated = !state.queued && state.state === "fresh" && state.generatedAt !== startedFrom.current;
    if (regenerated) {
      setProgress({ phase: "done", state });
      revalidator.revalidate();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [poll.data]);

  const set = (field: SignalField) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  const decision = data.preview?.decision;
  const waiting = progress.phase === "waiting";
  const lastPolled = poll.data?.states?.find((s) => s.persona === data.persona);
  // The state of the page in the language shown (the top-level cache state is the primary language's).
  const pageState = data.languagePage
    ? { state: data.languagePage.state, source: data.languagePage.state === "missing" ? "template" : "llm" }
    : data.cacheState
      ? { state: data.cacheState.state, source: data.cacheState.source }
      : null;

  return (
    <Page title="Preview" subtitle="The persona page as shoppers get it, and why a shopper gets a persona">
      <Layout>
        <Layout.Section variant="oneThird">
          <Card>
            <Form method="get">
              {/* Local mode names its demo shop in the URL; keep it. */}
              {shopParam ? <input type="hidden" name="shop" value={shopParam} /> : null}
              <FormLayout>
                <Select
                  label="Persona page"
                  name="persona"
                  options={PERSONAS.map((p) => ({ label: data.enabledPersonas.includes(p) ? p : `${p} (off)`, value: p }))}
                  value={persona}
                  onChange={setPersona}
                />
                <Select
                  label="Market"
                  name="country"
                  helpText="The country the shopper browses from: its market's currency and prices."
                  options={[{ label: "Primary market", value: "" }, ...withAsked(data.countries, country)]}
                  value={country}
                  onChange={setCountry}
                  error={data.localeErrors.country}
                />
                <Select
                  label="Language"
                  name="language"
                  helpText="The storefront language the shopper reads."
                  options={[{ label: "The market's default", value: "" }, ...withAsked(data.languages, language)]}
                  value={language}
                  onChange={setLanguage}
                  error={data.localeErrors.language}
                />
                {data.marketsError ? <Text as="p" tone="caution">{`The shop's markets could not be read: ${data.marketsError}`}</Text> : null}
                <Text as="h3" variant="headingSm">
                  Sample shopper
                </Text>
                {SIGNAL_FIELDS.map((field) => (
                  <TextField
                    key={field}
                    label={SIGNAL_LABELS[field].label}
                    helpText={SIGNAL_LABELS[field].help}
                    name={field}
                    value={values[field]}
                    onChange={set(field)}
                    autoComplete="off"
                    error={data.signalErrors[field]}
                  />
                ))}
                <Button submit>Show preview</Button>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    Detection for this shopper
                  </Text>
                  {decision ? <Badge tone="info">{`would get: ${decision.persona}`}</Badge> : null}
                </InlineStack>
                {decision ? (
                  <>
                    {decision.reasons.length > 0 ? (
                      <List>
                        {decision.reasons.map((r) => (
                          <List.Item key={r}>{r}</List.Item>
                        ))}
                      </List>
                    ) : (
                      <Text as="p">No signal counted: the default persona applies.</Text>
                    )}
                    <DataTable
                      columnContentTypes={["text", "numeric"]}
                      headings={["Persona", "Score"]}
                      rows={PERSONAS.map((p) => [p, decision.scores[p].toFixed(2)])}
                    />
                  </>
                ) : (
                  <Text as="p" tone="subdued">
                    {Object.keys(data.signalErrors).length > 0 ? "Correct the sample shopper's fields to see the detection." : "No explanation available."}
                  </Text>
                )}
              </BlockStack>
            </Card>
            {data.preview ? <LocaleCard locale={data.preview.locale} languagePage={data.languagePage} /> : null}
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h2" variant="headingMd">
                      {`${data.persona} page`}
                    </Text>
                    {data.preview ? <Badge>{`cache: ${data.preview.cache}`}</Badge> : null}
                    {pageState ? <Badge tone={pageState.state === "fresh" ? "success" : "warning"}>{pageState.state}</Badge> : null}
                    {pageState?.source ? <Badge>{pageState.source}</Badge> : null}
                  </InlineStack>
                  <regenerate.Form method="post">
                    <input type="hidden" name="intent" value="regenerate" />
                    <input type="hidden" name="persona" value={data.persona} />
                    <Button submit loading={regenerate.state !== "idle"} disabled={waiting}>
                      Regenerate
                    </Button>
                  </regenerate.Form>
                </InlineStack>
                <RegenerateStatus result={regenerate.data} progress={progress} lastPolled={lastPolled ?? null} />
                {data.previewError ? (
                  <Banner tone="critical" title="The edge did not render a preview">
                    <p>{data.previewError}</p>
                  </Banner>
                ) : null}
                {data.preview ? (
                  <iframe
                    title={`${data.persona} persona page preview`}
                    sandbox=""
                    srcDoc={data.preview.html}
                    style={{ width: "100%", height: "900px", border: "1px solid var(--p-color-border)", borderRadius: "8px", background: "#fff" }}
                  />
                ) : null}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

const WAITING_REASONS: Record<NonNullable<PersonaCacheState["waitingReason"]>, string> = {
  llm_unreachable: "the LLM endpoint cannot be reached",
  llm_timeout: "the LLM did not answer in time",
  llm_rate_limited: "the LLM provider is rate limiting",
  llm_error: "the LLM answered with an error",
  answer_unusable: "the LLM's answer could not be used",
  template_mode: "no LLM key is configured (template mode)",
  breaker_open: "the LLM failed repeatedly; calls are paused for a cool-down",
};

function RegenerateStatus(props: { result: RegenerateResult | undefined; progress: Progress; lastPolled: PersonaCacheState | null }) {
  const { result, progress, lastPolled } = props;
  if (!result) return null;
  if (!result.ok) {
    return (
      <Banner tone="critical" title="Regenerate failed">
        <p>{result.error}</p>
      </Banner>
    );
  }
  if (result.result.status === "refused") {
    return <Banner tone="warning" title="The generation queue is full; try again in a moment." />;
  }
  if (result.result.status === "fresh") {
    return <Banner tone="info" title="This page is already current." />;
  }
  if (progress.phase === "waiting" && lastPolled?.waitingReason) {
    // A fallback is never shown as a generated page: say why the LLM page is not there yet.
    return (
      <Banner tone="warning" title={`Waiting for the LLM: ${WAITING_REASONS[lastPolled.waitingReason]}`}>
        <p role="status">
          {`Shoppers get the ${lastPolled.state === "stale" ? "previous AI page" : "template page"} meanwhile; the page is generated automatically once the LLM answers${lastPolled.waitingSince ? ` (waiting since ${formatTime(lastPolled.waitingSince)})` : ""}.`}
        </p>
      </Banner>
    );
  }
  if (progress.phase === "waiting") {
    const label = lastPolled?.queued === false ? "Finishing…" : "Queued, generating in the background…";
    return (
      <BlockStack gap="100">
        <div role="status">
          <Text as="p">{label}</Text>
        </div>
        <ProgressBar progress={lastPolled?.queued === false ? 90 : 40} size="small" animated />
      </BlockStack>
    );
  }
  if (progress.phase === "done") {
    return (
      <Banner tone="success" title="Regenerated">
        <p role="status">
          {`New page generated ${formatTime(progress.state.generatedAt)} (${progress.state.source ?? "unknown source"}).`}
        </p>
      </Banner>
    );
  }
  if (progress.phase === "gave-up") {
    return <Banner tone="warning" title="Still generating: the page will appear here once it is ready." />;
  }
  return null;
}
