import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Banner,
  Box,
  Button,
  Card,
  ChoiceList,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { LanguagePicker } from "../components/language-picker";
import { generatedLanguagesOf } from "../../core/locale.ts";
import { BRAND_VOICE_MAX } from "../../core/settings.ts";
import { type BrandColours, PERSONAS, type Persona } from "../../core/types.ts";
import { requireAdmin } from "../admin-context.server";
import { tryEdge } from "../edge-call.server";
import { edgeApi } from "../env.server";
import { languageChoices, shopLanguages } from "../market-choices";
import { type FieldErrors, formToObject, parsePersonaSettings } from "../settings-form";
import { loadSettings, saveSettings } from "../settings.server";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request, context);
  const [settings, markets] = await Promise.all([loadSettings(admin), tryEdge(() => edgeApi(admin.env).shopMarkets(admin.store))]);
  // The limit and the language choices travel with the data so the page does not bundle core/settings.ts
  // or core/locale.ts (and zod) for the browser.
  return {
    settings,
    brandVoiceMax: BRAND_VOICE_MAX,
    languages: markets.ok
      ? { choices: languageChoices(markets.value), generated: generatedLanguagesOf(markets.value, settings.generatedLanguages), primary: shopLanguages(markets.value).primary }
      : null,
    languagesError: markets.ok ? null : markets.error,
  };
};

export type PersonasActionResult =
  | { ok: true; settingsVersion: number; refreshError: string | null }
  | { ok: false; errors: FieldErrors };

export const action = async ({ request, context }: ActionFunctionArgs): Promise<PersonasActionResult> => {
  const admin = await requireAdmin(request, context);
  const input = formToObject(await request.formData());
  // The language choice is checked against the shop's published languages, read from the edge.
  const markets = input.generatedLanguages === undefined ? null : await tryEdge(() => edgeApi(admin.env).shopMarkets(admin.store));
  const parsed = parsePersonaSettings(input, markets?.ok ? shopLanguages(markets.value) : null);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const saved = await saveSettings(admin, parsed.value);
  return { ok: true, settingsVersion: saved.settings.settingsVersion, refreshError: saved.refreshError };
};

const PERSONA_HELP: Record<Persona, string> = {
  minimalist: "Few products, lots of space, straight to the point.",
  explorer: "Breadth: categories, discovery, stories.",
  dealhunter: "Savings first: sale prices, bundles, value.",
  loyalist: "Returning customers: favourites, new arrivals, thanks.",
};

const COLOUR_FIELDS: { key: keyof BrandColours; label: string }[] = [
  { key: "primary", label: "Primary" },
  { key: "accent", label: "Accent" },
  { key: "background", label: "Background" },
  { key: "text", label: "Text" },
];

export default function Personas() {
  const { settings, brandVoiceMax, languages, languagesError } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [enabled, setEnabled] = useState<string[]>(settings.enabledPersonas);
  const [defaultPersona, setDefaultPersona] = useState<string>(settings.defaultPersona);
  const [brandVoice, setBrandVoice] = useState(settings.brandVoice);
  const [colours, setColours] = useState<BrandColours>(settings.colours);
  const [scope, setScope] = useState<string>(settings.scope);
  const [holdout, setHoldout] = useState(String(settings.holdoutPercent));
  const [generated, setGenerated] = useState<string[]>(languages?.generated ?? []);
  const errors: FieldErrors = result && !result.ok ? result.errors : {};
  const saving = navigation.state === "submitting";

  const save = () => {
    const form = new FormData();
    for (const p of enabled) form.append("enabledPersonas", p);
    form.set("defaultPersona", defaultPersona);
    form.set("brandVoice", brandVoice);
    for (const { key } of COLOUR_FIELDS) form.set(`colours.${key}`, colours[key]);
    form.set("scope", scope);
    form.set("holdoutPercent", holdout);
    // Only when the picker is shown: without the field the saved language choice stays.
    if (languages) for (const l of new Set([languages.primary, ...generated])) form.append("generatedLanguages", l);
    submit(form, { method: "post" });
  };

  return (
    <Page title="Personas" primaryAction={{ content: "Save", onAction: save, loading: saving }}>
      <Layout>
        {result?.ok ? (
          <Layout.Section>
            <Banner tone={result.refreshError ? "warning" : "success"} title={`Saved: settings version ${result.settingsVersion}`}>
              <p>
                {result.refreshError
                  ? `The edge has not taken the new settings yet: ${result.refreshError}`
                  : "The edge serves the new settings now; pages regenerate in the background."}
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        {result && !result.ok ? (
          <Layout.Section>
            <Banner tone="critical" title="Not saved: please correct the fields marked below" />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <FormLayout>
              <ChoiceList
                title="Enabled personas"
                allowMultiple
                choices={PERSONAS.map((p) => ({ label: p, value: p, helpText: PERSONA_HELP[p] }))}
                selected={enabled}
                onChange={setEnabled}
                error={errors.enabledPersonas}
              />
              <Select
                label="Default persona"
                helpText="Shown when the signals do not point to any persona."
                options={PERSONAS.map((p) => ({ label: p, value: p }))}
                value={defaultPersona}
                onChange={setDefaultPersona}
                error={errors.defaultPersona}
              />
            </FormLayout>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <FormLayout>
              <TextField
                label="Brand voice"
                helpText="How your pages should sound, e.g. warm, witty, no exclamation marks."
                value={brandVoice}
                onChange={setBrandVoice}
                multiline={4}
                maxLength={brandVoiceMax}
                showCharacterCount
                autoComplete="off"
                error={errors.brandVoice}
              />
              <Text as="h3" variant="headingSm">
                Colours
              </Text>
              <FormLayout.Group condensed>
                {COLOUR_FIELDS.map(({ key, label }) => (
                  <TextField
                    key={key}
                    label={label}
                    value={colours[key]}
                    onChange={(value) => setColours((c) => ({ ...c, [key]: value }))}
                    autoComplete="off"
                    prefix={<Swatch colour={colours[key]} />}
                    error={errors[`colours.${key}`]}
                  />
                ))}
              </FormLayout.Group>
            </FormLayout>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <FormLayout>
              <Select
                label="Cache scope"
                helpText="Per persona: one page per persona, shared by its shoppers (LLM cost grows with personas, not shoppers)."
                options={[
                  { label: "Per persona (recommended)", value: "persona" },
                  { label: "Per shopper", value: "shopper" },
                ]}
                value={scope}
                onChange={setScope}
                error={errors.scope}
              />
              <TextField
                label="Holdout percent"
                helpText="Share of shoppers kept on the template page as a control group (0–100)."
                type="number"
                min={0}
                max={100}
                value={holdout}
                onChange={setHoldout}
                suffix="%"
                autoComplete="off"
                error={errors.holdoutPercent}
              />
            </FormLayout>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <LanguagePicker
              languages={languages}
              languagesError={languagesError}
              selected={generated}
              onChange={setGenerated}
              personas={enabled.length}
              error={errors.generatedLanguages}
            />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineStack align="end">
            <Button variant="primary" onClick={save} loading={saving}>
              Save
            </Button>
          </InlineStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Swatch(props: { colour: string }) {
  return (
    <Box minWidth="16px" minHeight="16px" borderRadius="100" borderWidth="025" borderColor="border">
      <span style={{ display: "block", width: 16, height: 16, borderRadius: 4, background: props.colour }} aria-hidden="true" />
    </Box>
  );
}

