import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Banner, Page } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json" with { type: "json" };
import { boundary } from "@shopify/shopify-app-remix/server";
import { isAppErrorData } from "../http-error";

/**
 * The authenticated layout's error boundary: the admin's own errors (httpError) as text in a Polaris
 * page; everything else to Shopify's boundary, which renders the library's auth responses (App Bridge
 * redirects, bounce pages) and rethrows the rest.
 */
export function AppErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && isAppErrorData(error.data)) {
    return (
      <PolarisAppProvider i18n={polarisTranslations}>
        <Page title={error.status >= 500 ? "Something went wrong" : "This request cannot be answered"}>
          <Banner tone={error.status >= 500 ? "critical" : "warning"} title={`Error ${error.status}`}>
            <p>{error.data.wandError}</p>
          </Banner>
        </Page>
      </PolarisAppProvider>
    );
  }
  return boundary.error(error);
}
