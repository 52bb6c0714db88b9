import { Banner, BlockStack, ChoiceList, Text } from "@shopify/polaris";
import type { LanguageChoice } from "../market-choices";

/** The shop's languages as the Personas loader gives them (app/market-choices.ts). */
export interface PickerLanguages {
  choices: LanguageChoice[];
  generated: string[];
  primary: string;
}

/**
 * Which of the shop's published languages get generated (AI) pages. The primary language always
 * does: shoppers of a language without pages get the primary language's page.
 */
export function LanguagePicker(props: {
  languages: PickerLanguages | null;
  languagesError: string | null;
  selected: string[];
  onChange: (selected: string[]) => void;
  personas: number;
  error: string | undefined;
}) {
  const { languages, selected, personas } = props;
  if (!languages) {
    return (
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Languages
        </Text>
        <Banner tone="warning" title="The shop's languages could not be read">
          <p>{`Your language choice stays as saved. ${props.languagesError ?? ""}`}</p>
        </Banner>
      </BlockStack>
    );
  }
  const chosen = languages.choices.filter((c) => c.primary || selected.includes(c.value));
  const pages = personas * chosen.length;
  return (
    <BlockStack gap="200">
      <ChoiceList
        title="Languages with generated pages"
        allowMultiple
        choices={languages.choices.map((c) => ({ label: c.primary ? `${c.label} · default language` : c.label, value: c.value, disabled: c.primary }))}
        selected={chosen.map((c) => c.value)}
        onChange={props.onChange}
        error={props.error}
      />
      <Text as="p" tone="subdued">
        {`Cost: each language adds one AI page per enabled persona — ${personas} ${personas === 1 ? "persona" : "personas"} × ${chosen.length} ${chosen.length === 1 ? "language" : "languages"} = ${pages} AI ${pages === 1 ? "page" : "pages"}, each regenerated when your products or merchandising change; prices in each market's currency cost nothing extra. Shoppers of an unticked language get the ${languages.choices.find((c) => c.primary)?.label ?? "primary"} page. With every language ticked, languages you publish later get pages too.`}
      </Text>
    </BlockStack>
  );
}
