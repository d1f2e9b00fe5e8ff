/*
 * hitl crowd HTML elements: self-hosted stand-in for https://assets.crowd.aws/crowd-html-elements.js.
 *
 * Plain classic scripts (no modules: the task page runs in a sandboxed, opaque-origin frame where module
 * scripts would need CORS). This loader pulls in the element families, in order, from its own directory.
 */
(function () {
  'use strict';
  if (window.CrowdElements && window.CrowdElements.loaded) return;
  var FAMILIES = [
    'crowd-core.js',
    'crowd-keys.js',
    'crowd-form.js',
    'crowd-inputs.js',
    'crowd-layout.js',
    'crowd-classifiers.js',
    'crowd-annotation.js',
    'crowd-segmentation.js',
    'crowd-entity.js',
    'crowd-aws.js',
    'crowd-agents.js',
    'crowd-boot.js',
  ];
  var me = document.currentScript;
  var base = me && me.src ? me.src.replace(/[^/]*(\?.*)?$/, '') : '';
  var query = me && me.src && me.src.indexOf('?') >= 0 ? me.src.slice(me.src.indexOf('?')) : '';

  // Hide raw tags until they are upgraded (AWS's loader dims the page the same way).
  var style = document.createElement('style');
  style.textContent =
    'crowd-form:not(:defined),crowd-entity-annotation:not(:defined),' +
    'crowd-classifier:not(:defined),crowd-bounding-box:not(:defined){visibility:hidden}';
  (document.head || document.documentElement).appendChild(style);

  // Ordered, non-blocking loads (like AWS's own loader): the families run in this order, and crowd-boot.js
  // defines the elements once both they and the template's markup are in.
  var parent = document.head || document.documentElement;
  for (var i = 0; i < FAMILIES.length; i++) {
    var s = document.createElement('script');
    s.src = base + FAMILIES[i] + query;
    s.async = false;
    parent.appendChild(s);
  }
})();
