import { useLocation } from "@remix-run/react";

/**
 * Links inside the app keep the `shop` query parameter: in local mode it names the demo shop being
 * administered (there is no session token to carry it); embedded, it is harmless.
 */
export function useShopParam(): string | null {
  const { search } = useLocation();
  return new URLSearchParams(search).get("shop");
}

export function useAppHref(): (path: string, extra?: Record<string, string>) => string {
  const shop = useShopParam();
  return (path, extra = {}) => {
    const params = new URLSearchParams(extra);
    if (shop) params.set("shop", shop);
    const query = params.toString();
    return query ? `${path}?${query}` : path;
  };
}
