import { Badge, Banner, BlockStack, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import type { CatalogStatus } from "../catalog-status";

/**
 * The dashboard's catalog card: the sync state as catalogStatus() words it, a progress bar while a
 * full sync runs, the failure in a critical banner, and the sync button (`action`) below.
 */
export function CatalogCard(props: { status: CatalogStatus; action: ReactNode }) {
  const { status } = props;
  const titleId = "wand-catalog-status";
  const heading = (
    <Text as="p" variant="headingSm" id={titleId}>
      {status.title}
    </Text>
  );
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Catalog
          </Text>
          <Badge tone={status.badge.tone}>{status.badge.label}</Badge>
        </InlineStack>
        {status.kind === "error" || status.kind === "unknown" ? (
          <Banner tone="critical">
            <BlockStack gap="100">
              {heading}
              {status.details.map((line) => (
                <Text as="p" key={line}>
                  {line}
                </Text>
              ))}
            </BlockStack>
          </Banner>
        ) : (
          <BlockStack gap="100">
            {heading}
            {status.progress?.percent != null ? <ProgressBar progress={status.progress.percent} tone="highlight" ariaLabelledBy={titleId} /> : null}
            {status.details.map((line) => (
              <Text as="p" tone="subdued" key={line}>
                {line}
              </Text>
            ))}
          </BlockStack>
        )}
        {props.action}
      </BlockStack>
    </Card>
  );
}
