/*
 * <wand-signals> (app embed "Shopper signals"). Shopify strips cookies on app-proxy requests, so the
 * signals the edge would read from a cookie live in this shop's localStorage under "wand:signals":
 *   { sid, visits, last, utm: { source, medium, campaign, term, content }, ref, cats: [] }
 * A visit starts after 30 minutes without a page view. UTM tags are those of the latest landing page
 * that had any; the referrer is kept as an origin only. <wand-storefront> turns them into wand_*
 * query parameters. Nothing is stored when the shop's consent banner refuses preferences.
 *
 * Experiment attribution: once the persona storefront block has read which arm and persona the edge
 * served (localStorage "wand:experiment", event "wand:exposure"), this writes them with the shopper's
 * hash into the cart attributes through the Ajax Cart API (/cart/update.js), so the order carries them.
 * One request per browser session (sessionStorage "wand:cart" remembers what was sent; a changed
 * exposure is sent again), in the background: nothing on the page changes. Not when the consent
 * banner refuses analytics.
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
  const analyticsAllowed = () => {
    const privacy = window.Shopify && window.Shopify.customerPrivacy;
    return !(privacy && typeof privacy.analyticsProcessingAllowed === 'function' && !privacy.analyticsProcessingAllowed());
  };
  const exposure = (x) =>
    x && (x.arm === 'wand' || x.arm === 'holdout') && /^[a-z]{1,20}$/.test(x.persona) && /^[0-9a-f]{16}$/.test(x.shopper) ? x : null;
  const storedExposure = () => {
    try {
      return exposure(JSON.parse(localStorage.getItem('wand:experiment') || 'null'));
    } catch (_) {
      return null;
    }
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
      this.onExposure = (event) => this.syncCart(event && event.detail);
      document.addEventListener('visibilitychange', this.onHide);
      document.addEventListener('wand:exposure', this.onExposure);
      this.record();
      this.syncCart();
    }

    disconnectedCallback() {
      document.removeEventListener('visibilitychange', this.onHide);
      document.removeEventListener('wand:exposure', this.onExposure);
    }

    syncCart(detail) {
      const x = exposure(detail) || storedExposure();
      if (!x || this.syncing || !analyticsAllowed()) return;
      const sent = x.shopper + ' ' + x.arm + ' ' + x.persona;
      if (this.sent === sent) return;
      try {
        if (sessionStorage.getItem('wand:cart') === sent) return;
      } catch (_) {
        // No sessionStorage: send it, at most once per page.
      }
      this.syncing = true;
      const root = (window.Shopify && window.Shopify.routes && window.Shopify.routes.root) || '/';
      fetch(root + 'cart/update.js', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ attributes: { _wand_shopper: x.shopper, _wand_arm: x.arm, _wand_persona: x.persona } }),
      })
        .then((res) => {
          if (!res.ok) return;
          this.sent = sent;
          try {
            sessionStorage.setItem('wand:cart', sent);
          } catch (_) {
            // Sent once on this page; a later page may send it again.
          }
        })
        .catch(() => {
          // Offline or a theme without the Ajax Cart API: the next page tries again.
        })
        .finally(() => {
          this.syncing = false;
        });
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
