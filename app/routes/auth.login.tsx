import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json" with { type: "json" };
import { type LoginError, LoginErrorType } from "@shopify/shopify-app-remix/server";
import { useState } from "react";
import { localModeEnabled } from "../local-mode.server";
import { login } from "../shopify.server";

/** Opening the app outside the Shopify admin: ask for the shop, then Shopify installs or opens it. */
function loginErrorMessage(errors: LoginError): { shop?: string } {
  if (errors.shop === LoginErrorType.MissingShop) return { shop: "Please enter your shop domain to log in" };
  if (errors.shop === LoginErrorType.InvalidShop) return { shop: "Please enter a valid shop domain to log in" };
  return {};
}

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  // Local mode has no Shopify to log in to: its demo shops are under /app.
  if (localModeEnabled(context.cloudflare.env)) throw redirect("/app");
  const errors = loginErrorMessage(await login(request, context));
  return { errors };
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const errors = loginErrorMessage(await login(request, context));
  return { errors };
};

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const { errors } = actionData ?? loaderData;
  return (
    <PolarisAppProvider i18n={polarisTranslations}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h1">
                Log in to WandStore
              </Text>
              <TextField
                type="text"
                name="shop"
                label="Shop domain"
                helpText="example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={errors.shop}
              />
              <Button submit>Log in</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
