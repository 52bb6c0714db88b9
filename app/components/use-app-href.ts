import { useLocation } from "@remix-run/react";

/**
 * Links inside the app keep the `shop` query parameter: in local mode it names the demo shop being
 * administered (there is no session token to carry it); embedded, it is harmless.
 */
export function useAppHref(): (path: string, extra?: Record<string, string>) => string {
  const { search } = useLocation();
  const shop = new URLSearchParams(search).get("shop");
  return (path, extra = {}) => {
    const params = new URLSearchParams(extra);
    if (shop) params.set("shop", shop);
    const query = params.toString();
    return query ? `${path}?${query}` : path;
  };
}
