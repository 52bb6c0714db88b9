/*
 * <wand-signals> (app embed "Shopper signals"). Shopify strips cookies on app-proxy requests, so the
 * signals the edge would read from a cookie live in this shop's localStorage under "wand:signals":
 *   { sid, visits, last, utm: { source, medium, campaign, term, content }, ref, cats: [] }
 * A visit starts after 30 minutes without a page view. UTM tags are those of the latest landing page
 * that had any; the referrer is kept as an origin only. <wand-storefront> turns them into wand_*
 * query parameters. Nothing is stored when the shop's consent banner refuses preferences.
 */
(() => {
  const KEY = 'wand:signals';
  const VISIT_GAP_MS = 30 * 60 * 1000;
  const MAX_CATS = 12;
  const UTM = ['source', 'medium', 'campaign', 'term', 'content'];

  const allowed = () => {
    const privacy = window.Shopify && window.Shopify.customerPrivacy;
    return !(privacy && typeof privacy.preferencesProcessingAllowed === 'function' && !privacy.preferencesProcessingAllowed());
  };
  const read = () => {
    try {
      const value = JSON.parse(localStorage.getItem(KEY) || '{}');
      return value && typeof value === 'object' ? value : {};
    } catch (_) {
      return {};
    }
  };
  const write = (record) => {
    try {
      localStorage.setItem(KEY, JSON.stringify(record));
    } catch (_) {
      // Private mode or a full storage: the storefront still works, with fewer signals.
    }
  };
  const newId = () => {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  };

  class WandSignals extends HTMLElement {
    connectedCallback() {
      this.onHide = () => {
        if (document.visibilityState === 'hidden' && allowed()) write({ ...read(), last: Date.now() });
      };
      document.addEventListener('visibilitychange', this.onHide);
      this.record();
    }

    disconnectedCallback() {
      document.removeEventListener('visibilitychange', this.onHide);
    }

    record() {
      if (allowed()) {
        const now = Date.now();
        const r = read();
        if (typeof r.sid !== 'string') r.sid = newId();
        const newVisit = !(r.last > now - VISIT_GAP_MS);
        if (newVisit) r.visits = (Number(r.visits) || 0) + 1;
        r.last = now;

        const params = new URLSearchParams(location.search);
        if (UTM.some((k) => params.get('utm_' + k))) {
          r.utm = {};
          for (const k of UTM) {
            const v = params.get('utm_' + k);
            if (v) r.utm[k] = v.slice(0, 100);
          }
        }
        if (newVisit && document.referrer) {
          try {
            const ref = new URL(document.referrer);
            if (ref.host !== location.host) r.ref = ref.origin;
          } catch (_) {
            // An unparsable referrer says nothing.
          }
        }
        const category = (this.dataset.category || '').trim().slice(0, 60);
        if (category) {
          const cats = Array.isArray(r.cats) ? r.cats.filter((c) => typeof c === 'string' && c.toLowerCase() !== category.toLowerCase()) : [];
          cats.push(category);
          r.cats = cats.slice(-MAX_CATS);
        }
        write(r);
      }
      this.dataset.ready = '';
      document.dispatchEvent(new CustomEvent('wand:signals'));
    }
  }

  if (!customElements.get('wand-signals')) customElements.define('wand-signals', WandSignals);
})();
