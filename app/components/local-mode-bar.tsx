import { useNavigate } from "@remix-run/react";
import { Banner, Box, Button, ButtonGroup, InlineStack, Select } from "@shopify/polaris";

/** Navigation for local mode (no Shopify admin around the app): pages, and the demo shop switcher. */
export function LocalModeBar(props: { shopDomain: string; shops: { shopDomain: string; shopName: string }[] }) {
  const navigate = useNavigate();
  const withShop = (path: string) => `${path}?shop=${encodeURIComponent(props.shopDomain)}`;
  return (
    <Box padding="400" paddingBlockEnd="0">
      <Banner tone="info" title="Local mode: a seeded demo shop, no Shopify connection">
        <InlineStack gap="400" align="space-between" blockAlign="center">
          <nav aria-label="WandStore">
            <ButtonGroup>
              <Button url={withShop("/app")}>Dashboard</Button>
              <Button url={withShop("/app/personas")}>Personas</Button>
              <Button url={withShop("/app/preview")}>Preview</Button>
              <Button url={withShop("/app/experiment")}>Experiment</Button>
            </ButtonGroup>
          </nav>
          <Select
            label="Demo shop"
            labelInline
            options={props.shops.map((s) => ({ label: s.shopName, value: s.shopDomain }))}
            value={props.shopDomain}
            onChange={(shop) => navigate(`/app?shop=${encodeURIComponent(shop)}`)}
          />
        </InlineStack>
      </Banner>
    </Box>
  );
}
