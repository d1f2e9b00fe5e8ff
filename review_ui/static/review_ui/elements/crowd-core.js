/* Shared machinery of the crowd elements: loose-literal parser, base class, page layout, keyboard. */
(function () {
  'use strict';
  var C = (window.CrowdElements = window.CrowdElements || {});
  C.definitions = C.definitions || [];

  /* ---------- Loose JavaScript literals (JSON5 subset) ----------
   * Templates write attributes as JS literals: single quotes, unquoted keys, trailing commas, comments.
   */
  function parseLoose(source) {
    var s = String(source);
    var i = 0;
    function fail(msg) {
      throw new SyntaxError(msg + ' at position ' + i + ' of ' + JSON.stringify(s.slice(0, 120)));
    }
    function ws() {
      for (;;) {
        var c = s[i];
        if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\u00a0' || c === '\ufeff') i++;
        else if (c === '/' && s[i + 1] === '/') {
          while (i < s.length && s[i] !== '\n') i++;
        } else if (c === '/' && s[i + 1] === '*') {
          var end = s.indexOf('*/', i + 2);
          if (end < 0) fail('unterminated comment');
          i = end + 2;
        } else return;
      }
    }
    var ESC = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };
    function str(quote) {
      i++;
      var out = '';
      while (i < s.length) {
        var c = s[i++];
        if (c === quote) return out;
        if (c !== '\\') {
          out += c;
          continue;
        }
        var n = s[i++];
        if (n === 'u') {
          out += String.fromCharCode(parseInt(s.substr(i, 4), 16));
          i += 4;
        } else if (n === 'x') {
          out += String.fromCharCode(parseInt(s.substr(i, 2), 16));
          i += 2;
        } else if (n === '\r') {
          if (s[i] === '\n') i++;
        } else if (n !== '\n') out += Object.prototype.hasOwnProperty.call(ESC, n) ? ESC[n] : n;
      }
      fail('unterminated string');
    }
    function ident() {
      var m = /^[A-Za-z_$][\w$]*/.exec(s.slice(i));
      if (!m) fail('unexpected character ' + JSON.stringify(s[i] || 'end of text'));
      i += m[0].length;
      return m[0];
    }
    function num() {
      var m = /^([+-]?)(Infinity|NaN|0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(s.slice(i));
      if (!m) fail('bad number');
      i += m[0].length;
      var v = Number(m[2]);
      return m[1] === '-' ? -v : v;
    }
    function value() {
      ws();
      var c = s[i];
      if (c === '{') {
        i++;
        var obj = {};
        for (;;) {
          ws();
          if (s[i] === '}') {
            i++;
            return obj;
          }
          var key = s[i] === '"' || s[i] === "'" ? str(s[i]) : ident();
          ws();
          if (s[i] !== ':') fail("expected ':'");
          i++;
          obj[key] = value();
          ws();
          if (s[i] === ',') {
            i++;
            continue;
          }
          if (s[i] === '}') {
            i++;
            return obj;
          }
          fail("expected ',' or '}'");
        }
      }
      if (c === '[') {
        i++;
        var arr = [];
        for (;;) {
          ws();
          if (s[i] === ']') {
            i++;
            return arr;
          }
          arr.push(value());
          ws();
          if (s[i] === ',') {
            i++;
            continue;
          }
          if (s[i] === ']') {
            i++;
            return arr;
          }
          fail("expected ',' or ']'");
        }
      }
      if (c === '"' || c === "'") return str(c);
      if (c !== undefined && /[-+.\d]/.test(c)) return num();
      var word = ident();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null' || word === 'undefined') return null;
      if (word === 'Infinity') return Infinity;
      if (word === 'NaN') return NaN;
      fail('unexpected word ' + word);
    }
    var result = value();
    ws();
    if (i < s.length) fail('unexpected text after the value');
    return result;
  }
  C.parseLoose = parseLoose;

  /* Show a problem with the template to its author, in the page, instead of failing silently. */
  C.reportTemplateError = function (el, message) {
    var box = document.createElement('div');
    box.className = 'crowd-template-error';
    box.setAttribute('role', 'alert');
    box.textContent = '<' + el.localName + '>: ' + message;
    box.style.cssText =
      'background:#fdecea;color:#8a1c1c;border:1px solid #d13212;padding:8px 12px;margin:8px;font:13px sans-serif';
    (document.body || document.documentElement).insertBefore(box, (document.body || document.documentElement).firstChild);
    if (window.console) console.error(box.textContent);
  };

  /* Parse a structured attribute; a string that is not a literal is reported, not silently dropped. */
  C.attrValue = function (el, name, fallback) {
    if (!el.hasAttribute(name)) return fallback;
    var raw = el.getAttribute(name);
    if (raw.trim() === '') return fallback;
    try {
      return parseLoose(raw);
    } catch (e) {
      try {
        return JSON.parse(raw);
      } catch (e2) {
        C.reportTemplateError(el, 'attribute "' + name + '" is not a valid literal: ' + e.message);
        return fallback;
      }
    }
  };

  C.escapeHtml = function (text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  };

  C.boolAttr = function (el, name) {
    if (!el.hasAttribute(name)) return false;
    var v = el.getAttribute(name);
    return v !== 'false';
  };

  C.PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  /* Coordinates leave the widgets as integers in natural pixels; AWS's exact rounding is unconfirmed. */
  C.toPixel = function (v) {
    return Math.round(v);
  };

  /* ---------- Base class ---------- */
  var ELEMENT_CSS = [
    ':host{font-family:"Amazon Ember","Helvetica Neue",Roboto,Arial,sans-serif;font-size:14px;color:#16191f}',
    '[hidden]{display:none !important}',
    'button.btn{font:inherit;border:1px solid #545b64;background:#fff;color:#16191f;border-radius:2px;padding:5px 14px;cursor:pointer;font-weight:600}',
    'button.btn:hover{background:#f2f3f3}',
    'button.btn.primary{background:#ec7211;border-color:#ec7211;color:#fff}',
    'button.btn.primary:hover{background:#eb5f07}',
    'button.btn:disabled{opacity:.5;cursor:default}',
    'button.btn.selected{background:#0073bb;border-color:#0073bb;color:#fff}',
    '.error-message{color:#d13212;font-size:12px;margin-top:4px}',
    'a{color:#0073bb;cursor:pointer}',
    'kbd{font:11px monospace;border:1px solid #aab7b8;border-radius:3px;padding:0 4px;margin-right:6px;color:#545b64;background:#fafafa}',
    // Phones and tablets: every control a finger can hit (44 px, WCAG 2.5.5).
    '@media (max-width:640px),(pointer:coarse){button.btn,a.full-link,.comment-link{min-height:44px;min-width:44px}' +
      'a.full-link,.comment-link{display:inline-flex;align-items:center}label{min-height:44px;min-width:44px}' +
      'input:not([type=range]):not([type=checkbox]):not([type=radio]),select{min-height:44px}}',
  ].join('\n');
  C.ELEMENT_CSS = ELEMENT_CSS;

  class CrowdElement extends HTMLElement {
    static get upgradedProperties() {
      return [];
    }
    connectedCallback() {
      if (this._crowdBuilt) return;
      this._crowdBuilt = true;
      // Scripts may set properties before the element is upgraded; re-route them through our setters.
      var self = this;
      this.constructor.upgradedProperties.forEach(function (prop) {
        if (Object.prototype.hasOwnProperty.call(self, prop)) {
          var v = self[prop];
          delete self[prop];
          self[prop] = v;
        }
      });
      this.build();
    }
    build() {}
    get crowdForm() {
      var node = this;
      while (node) {
        if (node.localName === 'crowd-form') return node;
        node = node.parentNode || node.host;
      }
      return null;
    }
    shadow(html, options) {
      var root = this.shadowRoot || this.attachShadow(Object.assign({ mode: 'open' }, options || {}));
      root.innerHTML = '<style>' + ELEMENT_CSS + '\n' + (this.constructor.css || '') + '</style>' + html;
      return root;
    }
    /* Show (or clear, with null) the validation message of this element. */
    showValidation(message) {
      var root = this.shadowRoot;
      if (!root) return;
      var box = root.querySelector('.validation-message');
      if (!box) {
        box = document.createElement('div');
        box.className = 'validation-message error-message';
        box.setAttribute('role', 'alert');
        (root.querySelector('.validation-anchor') || root).appendChild(box);
      }
      box.textContent = message || '';
      box.hidden = !message;
    }
  }
  C.CrowdElement = CrowdElement;

  C.define = function (tag, cls) {
    C.definitions.push([tag, cls]);
  };

  /* Region tags are plain containers. */
  C.REGION_TAGS = [
    'short-instructions',
    'full-instructions',
    'classification-target',
    'worker-comment',
    'short-summary',
    'detailed-instructions',
    'positive-example',
    'negative-example',
  ];

  /* ---------- Page layout of the full-page widgets ----------
   * Matches AWS's class names (.awsui-app-layout__navigation, .awsui-modal-dialog): templates style them.
   */
  var LAYOUT_CSS = [
    ':host{display:block}',
    '.awsui-app-layout{display:flex;align-items:stretch;min-height:420px;border:1px solid #eaeded;background:#fff}',
    '.awsui-app-layout__navigation{width:280px;flex:none;border-right:1px solid #eaeded;padding:12px 16px;background:#fafafa;overflow:auto;box-sizing:border-box}',
    '.awsui-app-layout__navigation h3{margin:0 0 8px;font-size:15px}',
    '.awsui-app-layout__content{flex:1;min-width:0;padding:12px 20px;display:flex;flex-direction:column;gap:12px}',
    '.awsui-app-layout__content h2.task-header{margin:0;font-size:18px;font-weight:700}',
    '.actions{display:flex;justify-content:flex-end;gap:8px;padding-top:8px;border-top:1px solid #eaeded}',
    '.awsui-modal{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:flex-start;justify-content:center;z-index:1000;padding-top:5vh}',
    '.awsui-modal-dialog{background:#fff;max-width:720px;width:90%;max-height:85vh;overflow:auto;border-radius:4px;box-shadow:0 4px 20px rgba(0,0,0,.3)}',
    '.awsui-modal-dialog header{display:flex;justify-content:space-between;align-items:center;padding:10px 16px;border-bottom:1px solid #eaeded;font-weight:700;font-size:16px}',
    '.awsui-modal-dialog .modal-body{padding:12px 16px}',
    '.awsui-modal-dialog .close{border:none;background:none;font-size:20px;cursor:pointer}',
    '.full-link{display:inline-block;margin-top:12px}',
    '.shortcut-hint{color:#687078;font-size:12px}',
    // A phone has no room for a side panel: the instructions go above the task.
    '@media (max-width:640px){.awsui-app-layout{flex-direction:column}' +
      '.awsui-app-layout__navigation{width:auto;border-right:none;border-bottom:1px solid #eaeded}' +
      '.awsui-app-layout__content{padding:12px}}',
  ].join('\n');
  C.LAYOUT_CSS = LAYOUT_CSS;

  /* A modal dialog inside a shadow root; returns {el, open(), close()}. */
  C.makeModal = function (root, title, bodyNode) {
    var wrap = document.createElement('div');
    wrap.className = 'awsui-modal';
    wrap.hidden = true;
    wrap.innerHTML =
      '<div class="awsui-modal-dialog" role="dialog" aria-modal="true"><header><span class="modal-title"></span>' +
      '<button type="button" class="close" aria-label="Close">\u00d7</button></header><div class="modal-body"></div></div>';
    wrap.querySelector('.modal-title').textContent = title;
    wrap.querySelector('.modal-body').appendChild(bodyNode);
    root.appendChild(wrap);
    var modal = {
      el: wrap,
      open: function () {
        wrap.hidden = false;
      },
      close: function () {
        wrap.hidden = true;
      },
    };
    wrap.querySelector('.close').addEventListener('click', modal.close);
    wrap.addEventListener('click', function (e) {
      if (e.target === wrap) modal.close();
    });
    wrap.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') modal.close();
    });
    return modal;
  };

  /*
   * Build the full-page layout in host's shadow root (manual slot assignment: light-DOM children stay where
   * the template put them, keep their ids, and stay inside the form for serialization).
   * Returns {root, main, nav, actions, assign(slotName, nodes)}.
   */
  C.buildPageLayout = function (host, mainHtml, extraCss) {
    var root = host.shadowRoot || host.attachShadow({ mode: 'open', slotAssignment: 'manual' });
    root.innerHTML =
      '<style>' + ELEMENT_CSS + '\n' + LAYOUT_CSS + '\n' + (host.constructor.css || '') + (extraCss || '') + '</style>' +
      '<div class="awsui-app-layout">' +
      '<nav class="awsui-app-layout__navigation"><h3 class="instructions-title">Instructions</h3>' +
      '<slot name="short"></slot><a class="full-link" tabindex="0" hidden>View full instructions</a></nav>' +
      '<main class="awsui-app-layout__content"><h2 class="task-header"></h2>' + mainHtml +
      '<div class="validation-anchor"></div><div class="actions"></div></main></div>';
    root.querySelector('.task-header').textContent = host.getAttribute('header') || '';
    var shortEls = [];
    var fullEls = [];
    Array.prototype.forEach.call(host.children, function (child) {
      if (child.localName === 'short-instructions') shortEls.push(child);
      if (child.localName === 'full-instructions') fullEls.push(child);
    });
    if (!shortEls.length && !fullEls.length) root.querySelector('nav').hidden = true;
    if (shortEls.length) {
      var hdr = shortEls[0].getAttribute('header');
      if (hdr) root.querySelector('.instructions-title').textContent = hdr;
    }
    root.querySelector('slot[name=short]').assign.apply(root.querySelector('slot[name=short]'), shortEls);
    var fullSlot = document.createElement('slot');
    fullSlot.name = 'full';
    var title = (fullEls[0] && fullEls[0].getAttribute('header')) || 'Full instructions';
    var modal = C.makeModal(root, title, fullSlot);
    fullEls.forEach(function (el) {
      el.setAttribute('data-crowd-slotted', '');
    });
    fullSlot.assign.apply(fullSlot, fullEls);
    var link = root.querySelector('.full-link');
    if (fullEls.length) {
      link.hidden = false;
      link.addEventListener('click', modal.open);
      link.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') {
          e.preventDefault();
          e.stopPropagation();
          modal.open();
        }
      });
    }
    var actions = root.querySelector('.actions');
    var form = host.crowdForm;
    if (form && form._submitOwner === host) {
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'btn primary crowd-submit';
      btn.textContent = 'Submit';
      btn.addEventListener('click', function () {
        form.submit();
      });
      actions.appendChild(btn);
    } else {
      actions.hidden = true;
    }
    return {
      root: root,
      main: root.querySelector('main'),
      nav: root.querySelector('nav'),
      actions: actions,
      modal: modal,
    };
  };

  /* ---------- Keyboard: widgets with choices register here; crowd-keys.js routes digits to the first ---------- */
  C.choiceTargets = [];
  C.registerChoices = function (el) {
    C.choiceTargets.push(el);
  };
  function isEditable(target) {
    var t = target;
    while (t && t.shadowRoot && t.shadowRoot.activeElement) t = t.shadowRoot.activeElement;
    if (!t || !t.localName) return false;
    if (t.isContentEditable) return true;
    if (t.localName === 'textarea' || t.localName === 'select') return true;
    if (t.localName === 'input') {
      return ['checkbox', 'radio', 'button', 'submit', 'range', 'reset', 'image'].indexOf(t.type) < 0;
    }
    return false;
  }
  C.isEditable = isEditable;
  // The shortcuts themselves (digits, Enter, the ? overlay, remapping) are in crowd-keys.js.
})();
