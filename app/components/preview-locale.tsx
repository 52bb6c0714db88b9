import { Badge, BlockStack, Card, DataTable, InlineStack, List, Text } from "@shopify/polaris";
import type { PersonaLanguageState } from "../../core/edge-api.ts";
import type { ShopperLocale } from "../../core/locale.ts";

/**
 * The Preview's market and language: the locale the edge resolved for the sample shopper, what it
 * replaced and why (ShopperLocale.reasons), and whether the page language has an AI page yet.
 */

/** The picker's options, plus a value from the URL that the shop does not have (the edge says why it was replaced). */
export function withAsked(options: readonly { label: string; value: string }[], asked: string): { label: string; value: string }[] {
  const plain = options.map(({ label, value }) => ({ label, value }));
  return asked === "" || plain.some((o) => o.value === asked) ? plain : [...plain, { label: `${asked} (not in the shop)`, value: asked }];
}

export function LocaleCard(props: { locale: ShopperLocale; languagePage: PersonaLanguageState | null }) {
  const { locale, languagePage } = props;
  const rows = [
    ["Country", locale.country],
    ["Market", locale.market],
    ["Currency", locale.currency],
    ["Shopper's language", locale.language],
    ["Page language", locale.pageLanguage],
    ["Number format", locale.formatLocale],
  ];
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Market and language
          </Text>
          <LanguagePageBadge language={locale.pageLanguage} page={languagePage} />
        </InlineStack>
        <DataTable columnContentTypes={["text", "text"]} headings={["", "Resolved"]} rows={rows} />
        {locale.reasons.length > 0 ? (
          <BlockStack gap="100">
            <Text as="p">Replaced, and why:</Text>
            <List>
              {locale.reasons.map((r) => (
                <List.Item key={r}>{r}</List.Item>
              ))}
            </List>
          </BlockStack>
        ) : (
          <Text as="p">As asked: the shop sells in this market and publishes this language.</Text>
        )}
      </BlockStack>
    </Card>
  );
}

/** An LLM page of the language (fresh or older), or the template: never one for the other. */
function LanguagePageBadge(props: { language: string; page: PersonaLanguageState | null }) {
  const { language, page } = props;
  if (!page) return <Badge>{`${language}: page state unknown`}</Badge>;
  if (page.state === "fresh") return <Badge tone="success">{`${language}: AI page`}</Badge>;
  if (page.state === "stale") return <Badge tone="warning">{`${language}: older AI page, regenerating`}</Badge>;
  return <Badge tone="attention">{`${language}: template page (no AI page yet)`}</Badge>;
}
