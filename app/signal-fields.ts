/** The sample-shopper fields of the Preview page (query parameters), shared by the page and its parser. */
export const SIGNAL_FIELDS = ["utm_source", "utm_medium", "utm_campaign", "referrer", "visits", "categories", "orders", "spent", "tags"] as const;
export type SignalField = (typeof SIGNAL_FIELDS)[number];
