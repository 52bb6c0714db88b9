/*
 * <wand-storefront> (app block "Personalized storefront"): loads the shopper's persona page from the
 * app proxy into an iframe inside the box the block reserved. The shopper signals kept by
 * <wand-signals> (localStorage "wand:signals") travel as wand_* query parameters, since Shopify strips
 * cookies on proxied requests; Shopify adds the logged-in customer and the signature itself. The
 * block's data-proxy is already under the market's locale prefix, with country/language/currency.
 */
(() => {
  const KEY = 'wand:signals';
  // Waits this long for <wand-signals> to record the current page view before loading anyway.
  const SIGNALS_WAIT_MS = 1500;

  const read = () => {
    try {
      const value = JSON.parse(localStorage.getItem(KEY) || '{}');
      return value && typeof value === 'object' ? value : {};
    } catch (_) {
      return {};
    }
  };

  /** The documented wand_* parameters (edge-worker/src/app-proxy/signals.ts) from the stored record. */
  const signalParams = (r) => {
    const p = new URLSearchParams();
    if (typeof r.sid === 'string') p.set('wand_sid', r.sid);
    const utm = r.utm && typeof r.utm === 'object' ? r.utm : {};
    for (const k of ['source', 'medium', 'campaign', 'term', 'content']) {
      if (typeof utm[k] === 'string' && utm[k]) p.set('wand_utm_' + k, utm[k]);
    }
    if (typeof r.ref === 'string' && r.ref) p.set('wand_ref', r.ref);
    if (Number(r.visits) > 0) p.set('wand_visits', String(Math.floor(Number(r.visits))));
    if (Array.isArray(r.cats) && r.cats.length) p.set('wand_cats', r.cats.filter((c) => typeof c === 'string').join(','));
    return p;
  };

  /**
   * The experiment arm the edge served, from the page's <meta name="wand-experiment"> (the frame is
   * same-origin through the app proxy). Kept in localStorage "wand:experiment" for the app embed,
   * which carries it into the cart attributes, and for the web pixel.
   */
  const ARMS = ['wand', 'holdout'];
  const exposureOf = (doc) => {
    const meta = doc && doc.querySelector('meta[name="wand-experiment"]');
    if (!meta) return null;
    const p = new URLSearchParams(meta.getAttribute('content') || '');
    const x = { arm: p.get('arm'), persona: p.get('persona'), shopper: p.get('shopper') };
    return ARMS.includes(x.arm) && /^[a-z]{1,20}$/.test(x.persona || '') && /^[0-9a-f]{16}$/.test(x.shopper || '') ? x : null;
  };

  class WandStorefront extends HTMLElement {
    connectedCallback() {
      this.onSignals = () => this.load();
      this.onLoad = () => {
        this.dataset.state = 'ready';
        this.readExposure();
      };
      const pending = document.querySelector('wand-signals:not([data-ready])');
      if (pending) {
        document.addEventListener('wand:signals', this.onSignals);
        this.timer = setTimeout(this.onSignals, SIGNALS_WAIT_MS);
      } else {
        this.load();
      }
    }

    disconnectedCallback() {
      document.removeEventListener('wand:signals', this.onSignals);
      clearTimeout(this.timer);
      if (this.frame) this.frame.removeEventListener('load', this.onLoad);
    }

    readExposure() {
      let exposure = null;
      try {
        exposure = exposureOf(this.frame.contentDocument);
      } catch (_) {
        // A frame that is not same-origin (no app proxy) says nothing about the experiment.
      }
      const privacy = window.Shopify && window.Shopify.customerPrivacy;
      if (!exposure || (privacy && typeof privacy.analyticsProcessingAllowed === 'function' && !privacy.analyticsProcessingAllowed())) return;
      try {
        localStorage.setItem('wand:experiment', JSON.stringify({ ...exposure, at: Date.now() }));
      } catch (_) {
        // Without storage the embed still gets the event below.
      }
      document.dispatchEvent(new CustomEvent('wand:exposure', { detail: exposure }));
    }

    load() {
      if (this.frame) return;
      document.removeEventListener('wand:signals', this.onSignals);
      clearTimeout(this.timer);
      const params = signalParams(read());
      const frame = document.createElement('iframe');
      frame.className = 'wand-storefront__frame';
      frame.dataset.wandFrame = '';
      frame.title = this.dataset.frameTitle || '';
      frame.loading = 'lazy';
      frame.setAttribute('sandbox', 'allow-forms allow-same-origin allow-top-navigation-by-user-activation allow-popups');
      frame.addEventListener('load', this.onLoad);
      const query = params.toString();
      // The block's proxy URL already carries the storefront's country, language and currency.
      const proxy = this.dataset.proxy || '/apps/wand';
      frame.src = proxy + (query ? (proxy.includes('?') ? '&' : '?') + query : '');
      this.frame = frame;
      this.append(frame);
    }
  }

  if (!customElements.get('wand-storefront')) customElements.define('wand-storefront', WandStorefront);
})();
