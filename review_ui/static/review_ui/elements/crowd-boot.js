/* Define every element once the template is parsed, then announce readiness once. */
(function () {
  'use strict';
  var C = window.CrowdElements;
  if (C.loaded) return;
  C.loaded = true;

  function boot() {
    // Definitions upgrade existing tags in document order; crowd-form is first so that it has decided who
    // owns the Submit button before the widgets inside it build their layouts.
    C.definitions.forEach(function (d) {
      if (!customElements.get(d[0])) customElements.define(d[0], d[1]);
    });
    document.dispatchEvent(new CustomEvent('all-crowd-elements-ready', { bubbles: true }));
    if (!C.standalone) window.parent.postMessage({ type: 'hitl:ready' }, '*');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
  else boot();
})();
