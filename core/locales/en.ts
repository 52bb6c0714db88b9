/**
 * English: the reference locale. Every other locale has exactly these keys and, in each string, the
 * same {placeholders} (locales.test.ts). Strings are plain text: the renderers escape them and fill
 * the placeholders with escaped values, so a translation can never inject markup.
 */
export const en = {
  skipLink: "Skip to products",
  footer: "{shop}: a page chosen for the way you shop.",
  price: "Price:",
  regularPrice: "Regular price:",
  save: "Save {amount} ({percent})",
  soldOut: "Sold out",
  addToCart: "Add to cart",
  noImage: "No image",
  emptyState: "There are no products to show right now.",
  visitShop: "Visit {shop}",
  categoriesNav: "Categories",
  minimalistTitle: "Just the essentials",
  minimalistLede: "A few things we think you will like. Nothing more.",
  minimalistMore: "See everything in the shop",
  explorerTitle: "Explore the collection",
  explorerLede: "A little of everything we carry, one category at a time. Wander through them all.",
  explorerMore: "Browse the whole shop",
  dealhunterTitle: "Today’s best deals",
  dealhunterTitleNoDeals: "Our best prices",
  dealhunterLede: "The biggest markdowns come first, then more great prices.",
  dealhunterLedeNoDeals: "Our lowest prices come first.",
  dealhunterMore: "See every product",
  loyalistTitle: "Welcome back",
  loyalistLede: "Good to see you again at {shop}. Here is what is new since you were last here.",
  loyalistMore: "Back to the shop",
  groupPicks: "Our picks",
  groupDeals: "Biggest savings first",
  groupLowWithDeals: "More great prices",
  groupLowOnly: "Lowest prices first",
  groupNew: "New arrivals",
  groupAgain: "More to love",
  badgeNew: "New",
  // Per-shopper touches (greeting, recently viewed, loyalty note).
  greetingWelcome: "Welcome to {shop}.",
  greetingWelcomeBack: "Welcome back to {shop}.",
  taglineMinimalist: "The essentials, nothing more.",
  taglineExplorer: "Something new to discover.",
  taglineDealhunter: "Today's best prices, picked out for you.",
  taglineLoyalist: "Thank you for shopping with us.",
  recentlyViewed: "Picked up where you left off",
  loyaltyOneOrder: "Thank you for your 1 order with {shop}.",
  loyaltyOrders: "Thank you for your {count} orders with {shop}.",
  loyaltySignedIn: "Thanks for signing in to {shop}.",
  loyaltyVisit: "Good to see you again: this is visit number {count}.",
} as const;

export type MessageKey = keyof typeof en;
/** A locale's fixed strings: every key of the English reference. */
export type Messages = Readonly<Record<MessageKey, string>>;
