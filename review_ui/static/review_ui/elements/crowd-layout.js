/* Presentation elements without an answer: crowd-alert, crowd-card, crowd-badge, crowd-modal,
 * crowd-instructions, crowd-tabs/crowd-tab, crowd-toast, crowd-fab, crowd-icon-button, iron-icon, region tags. */
(function () {
  'use strict';
  var C = window.CrowdElements;

  /* A small offline icon subset (iron-icons names); unknown names render nothing harmful. */
  var ICONS = {
    search: '\u2315', star: '\u2605', 'star-border': '\u2606', 'report-problem': '\u26a0', warning: '\u26a0',
    'question-answer': '\ud83d\udcac', help: '?', info: '\u2139', close: '\u2715', clear: '\u2715', add: '+',
    remove: '\u2212', check: '\u2713', done: '\u2713', delete: '\ud83d\uddd1', edit: '\u270e', undo: '\u21b6',
    redo: '\u21b7', 'zoom-in': '+', 'zoom-out': '\u2212', favorite: '\u2665', home: '\u2302', menu: '\u2630',
    'arrow-back': '\u2190', 'arrow-forward': '\u2192', 'arrow-upward': '\u2191', 'arrow-downward': '\u2193',
  };
  C.iconGlyph = function (name) {
    return ICONS[String(name || '').replace(/^icons:/, '')] || '';
  };
  function iconNode(value) {
    if (!value) return null;
    if (/[/.]/.test(value)) {
      var img = document.createElement('img');
      img.src = value;
      img.alt = '';
      img.style.cssText = 'width:18px;height:18px;vertical-align:middle';
      return img;
    }
    var span = document.createElement('iron-icon');
    span.setAttribute('icon', value);
    return span;
  }

  class IronIcon extends C.CrowdElement {
    static get observedAttributes() {
      return ['icon'];
    }
    build() {
      this._render();
    }
    attributeChangedCallback() {
      if (this._crowdBuilt) this._render();
    }
    _render() {
      var root = this.shadowRoot || this.attachShadow({ mode: 'open' });
      root.textContent = '';
      var style = document.createElement('style');
      style.textContent = ':host{display:inline-block;min-width:1em;text-align:center;line-height:1}';
      root.appendChild(style);
      root.appendChild(document.createTextNode(C.iconGlyph(this.getAttribute('icon'))));
      this.setAttribute('aria-hidden', 'true');
    }
  }
  C.define('iron-icon', IronIcon);

  class CrowdAlert extends C.CrowdElement {
    static get css() {
      return ':host{display:block;margin:8px 0}.alert{display:flex;gap:10px;align-items:flex-start;padding:10px 14px;border:1px solid;border-radius:2px}' +
        '.info{background:#f1faff;border-color:#0073bb}.success{background:#f2f8f0;border-color:#1d8102}' +
        '.error{background:#fdf3f1;border-color:#d13212;color:#8a1c1c}.warning{background:#fffce9;border-color:#ff9900}' +
        '.body{flex:1}.dismiss{border:none;background:none;cursor:pointer;font-size:16px}';
    }
    build() {
      var type = this.getAttribute('type') || 'info';
      var root = this.shadow(
        '<div class="alert ' + C.escapeHtml(type) + '" role="alert"><div class="body"><slot></slot></div>' +
          '<button type="button" class="dismiss" aria-label="Dismiss" hidden>\u2715</button></div>',
      );
      var self = this;
      var dismiss = root.querySelector('.dismiss');
      dismiss.hidden = !this.hasAttribute('dismissible');
      dismiss.addEventListener('click', function () {
        self.remove();
      });
    }
  }
  C.define('crowd-alert', CrowdAlert);

  class CrowdCard extends C.CrowdElement {
    static get css() {
      return ':host{display:inline-block;vertical-align:top;margin:8px}.card{background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.25);border-radius:2px;overflow:hidden}' +
        '.heading{font-weight:700;font-size:16px;padding:12px 16px 0}img{display:block;max-width:100%}.content{padding:12px 16px}';
    }
    build() {
      var root = this.shadow('<div class="card"><img hidden alt=""><div class="heading" hidden></div><div class="content"><slot></slot></div></div>');
      if (this.getAttribute('image')) {
        root.querySelector('img').src = this.getAttribute('image');
        root.querySelector('img').hidden = false;
      }
      if (this.getAttribute('heading')) {
        root.querySelector('.heading').textContent = this.getAttribute('heading');
        root.querySelector('.heading').hidden = false;
      }
    }
  }
  C.define('crowd-card', CrowdCard);

  class CrowdBadge extends C.CrowdElement {
    static get css() {
      return ':host{position:absolute;z-index:10}.badge{display:inline-flex;align-items:center;justify-content:center;min-width:20px;height:20px;padding:0 4px;border-radius:10px;background:#d13212;color:#fff;font-size:11px;font-weight:700;box-sizing:border-box}';
    }
    build() {
      var root = this.shadow('<span class="badge"></span>');
      var badge = root.querySelector('.badge');
      var icon = iconNode(this.getAttribute('icon'));
      if (icon) badge.appendChild(icon);
      else badge.textContent = this.getAttribute('label') || '';
      var self = this;
      function place() {
        var target = self.getAttribute('for') && document.getElementById(self.getAttribute('for'));
        if (!target) {
          self.style.position = 'static';
          return;
        }
        var r = target.getBoundingClientRect();
        var parent = (self.offsetParent || document.body).getBoundingClientRect();
        self.style.left = r.right - parent.left - 10 + 'px';
        self.style.top = r.top - parent.top - 10 + 'px';
      }
      requestAnimationFrame(place);
      window.addEventListener('resize', place);
    }
  }
  C.define('crowd-badge', CrowdBadge);

  function trigger(host, defaultText) {
    var type = host.getAttribute('link-type') === 'button' ? 'button' : 'link';
    var el = document.createElement(type === 'button' ? 'button' : 'a');
    if (type === 'button') {
      el.type = 'button';
      el.className = 'btn';
    } else el.tabIndex = 0;
    el.textContent = host.getAttribute('link-text') || defaultText;
    return el;
  }

  class CrowdModal extends C.CrowdElement {
    build() {
      var root = this.shadowRoot || this.attachShadow({ mode: 'open' });
      root.innerHTML = '<style>' + C.ELEMENT_CSS + C.LAYOUT_CSS + ':host{display:inline}</style>';
      var t = trigger(this, 'Click to open modal');
      root.appendChild(t);
      var modal = C.makeModal(root, this.getAttribute('header') || '', document.createElement('slot'));
      t.addEventListener('click', modal.open);
      this.open = modal.open;
      this.close = modal.close;
    }
  }
  C.define('crowd-modal', CrowdModal);

  class CrowdInstructions extends C.CrowdElement {
    static get css() {
      return '.tabs{display:flex;gap:4px;border-bottom:1px solid #eaeded;margin-bottom:10px}' +
        '.tabs button{border:none;background:none;padding:6px 12px;cursor:pointer;font:inherit;border-bottom:3px solid transparent}' +
        '.tabs button.active{border-bottom-color:#ec7211;font-weight:700}' +
        '.example{border-left:4px solid;padding:4px 10px;margin:6px 0}.good{border-color:#1d8102}.bad{border-color:#d13212}' +
        '.example h4{margin:0 0 4px}';
    }
    build() {
      var root = this.shadowRoot || this.attachShadow({ mode: 'open', slotAssignment: 'manual' });
      root.innerHTML = '<style>' + C.ELEMENT_CSS + C.LAYOUT_CSS + this.constructor.css + ':host{display:inline}</style>';
      var t = trigger(this, 'Click for instructions');
      root.appendChild(t);
      var body = document.createElement('div');
      body.innerHTML =
        '<div class="tabs" role="tablist"><button type="button" data-tab="summary" class="active">Summary</button>' +
        '<button type="button" data-tab="detailed">Detailed Instructions</button><button type="button" data-tab="examples">Examples</button></div>' +
        '<div data-panel="summary"><slot name="summary"></slot></div><div data-panel="detailed" hidden><slot name="detailed"></slot></div>' +
        '<div data-panel="examples" hidden></div>';
      var kids = Array.prototype.slice.call(this.children);
      function of(tag) {
        return kids.filter(function (k) {
          return k.localName === tag;
        });
      }
      var examples = body.querySelector('[data-panel=examples]');
      of('positive-example').concat(of('negative-example')).forEach(function (ex, i) {
        var box = document.createElement('div');
        var good = ex.localName === 'positive-example';
        box.className = 'example ' + (good ? 'good' : 'bad');
        box.innerHTML = '<h4>' + (good ? 'Good example' : 'Bad example') + '</h4>';
        var slot = document.createElement('slot');
        slot.name = 'example-' + i;
        box.appendChild(slot);
        examples.appendChild(box);
        slot.assign(ex);
      });
      var modal = C.makeModal(root, this.getAttribute('header') || 'Instructions', body);
      body.querySelector('slot[name=summary]').assign.apply(body.querySelector('slot[name=summary]'), of('short-summary'));
      body.querySelector('slot[name=detailed]').assign.apply(body.querySelector('slot[name=detailed]'), of('detailed-instructions'));
      Array.prototype.forEach.call(body.querySelectorAll('.tabs button'), function (b) {
        b.addEventListener('click', function () {
          Array.prototype.forEach.call(body.querySelectorAll('.tabs button'), function (o) {
            o.classList.toggle('active', o === b);
          });
          Array.prototype.forEach.call(body.querySelectorAll('[data-panel]'), function (p) {
            p.hidden = p.getAttribute('data-panel') !== b.getAttribute('data-tab');
          });
        });
      });
      t.addEventListener('click', modal.open);
      this.open = modal.open;
      this.close = modal.close;
    }
  }
  C.define('crowd-instructions', CrowdInstructions);

  /* Tabs show one crowd-tab at a time; controls in hidden tabs stay in the form and are still submitted. */
  class CrowdTabs extends C.CrowdElement {
    static get css() {
      return ':host{display:block;margin:8px 0}.strip{display:flex;gap:2px;border-bottom:1px solid #aab7b8}' +
        '.strip button{border:none;background:none;padding:8px 14px;cursor:pointer;font:inherit;border-bottom:3px solid transparent}' +
        '.strip button.active{border-bottom-color:#0073bb;font-weight:700}.panel{padding:10px 2px}';
    }
    build() {
      var root = this.shadowRoot || this.attachShadow({ mode: 'open', slotAssignment: 'manual' });
      root.innerHTML = '<style>' + C.ELEMENT_CSS + this.constructor.css + '</style><div class="strip" role="tablist"></div><div class="panel"><slot></slot></div>';
      var strip = root.querySelector('.strip');
      var slot = root.querySelector('slot');
      var tabs = Array.prototype.filter.call(this.children, function (c) {
        return c.localName === 'crowd-tab';
      });
      function select(i) {
        Array.prototype.forEach.call(strip.children, function (b, j) {
          b.classList.toggle('active', i === j);
          b.setAttribute('aria-selected', String(i === j));
        });
        slot.assign(tabs[i]);
      }
      tabs.forEach(function (tab, i) {
        var b = document.createElement('button');
        b.type = 'button';
        b.setAttribute('role', 'tab');
        b.textContent = tab.getAttribute('header') || 'Tab ' + (i + 1);
        b.addEventListener('click', function () {
          select(i);
        });
        strip.appendChild(b);
      });
      if (tabs.length) select(0);
    }
  }
  C.define('crowd-tabs', CrowdTabs);
  C.define('crowd-tab', class CrowdTab extends C.CrowdElement {
    build() {
      this.style.display = 'block';
    }
  });

  class CrowdToast extends C.CrowdElement {
    static get observedAttributes() {
      return ['opened', 'text'];
    }
    static get css() {
      return ':host{position:fixed;left:24px;bottom:24px;z-index:2000}.toast{background:#232f3e;color:#fff;padding:12px 18px;border-radius:3px;box-shadow:0 2px 8px rgba(0,0,0,.35)}';
    }
    build() {
      var root = this.shadow('<div class="toast" role="status"><span class="text"></span><slot></slot></div>');
      this._box = root.querySelector('.toast');
      this._render();
    }
    attributeChangedCallback() {
      if (this._box) this._render();
    }
    _render() {
      this._box.querySelector('.text').textContent = this.getAttribute('text') || '';
      var opened = this.hasAttribute('opened');
      this._box.hidden = !opened;
      clearTimeout(this._timer);
      if (opened) {
        var self = this;
        // Only one toast is visible at a time.
        Array.prototype.forEach.call(document.querySelectorAll('crowd-toast[opened]'), function (t) {
          if (t !== self) t.removeAttribute('opened');
        });
        var ms = Number(this.getAttribute('duration') || 3000);
        if (ms > 0) {
          this._timer = setTimeout(function () {
            self.removeAttribute('opened');
          }, ms);
        }
      }
    }
    get opened() {
      return this.hasAttribute('opened');
    }
    set opened(v) {
      this.toggleAttribute('opened', !!v);
    }
    show(text) {
      if (text) this.setAttribute('text', text);
      this.removeAttribute('opened');
      this.setAttribute('opened', '');
    }
    open() {
      this.show();
    }
  }
  C.define('crowd-toast', CrowdToast);

  class CrowdFab extends C.CrowdElement {
    static get css() {
      return ':host{display:inline-block}button{width:48px;height:48px;border-radius:50%;border:none;background:#ec7211;color:#fff;font-size:20px;box-shadow:0 2px 6px rgba(0,0,0,.35);cursor:pointer}button:disabled{opacity:.5}';
    }
    build() {
      var root = this.shadow('<button type="button"></button>');
      var b = root.querySelector('button');
      var icon = iconNode(this.getAttribute('icon'));
      if (icon) b.appendChild(icon);
      else b.textContent = this.getAttribute('label') || '';
      b.disabled = this.hasAttribute('disabled');
      if (this.getAttribute('title')) b.title = this.getAttribute('title');
    }
  }
  C.define('crowd-fab', CrowdFab);

  class CrowdIconButton extends C.CrowdElement {
    static get css() {
      return ':host{display:inline-block}button{border:none;background:none;width:36px;height:36px;border-radius:50%;cursor:pointer;font-size:18px}button:hover{background:#eaeded}button:active{background:#d5dbdb}';
    }
    build() {
      var root = this.shadow('<button type="button"></button>');
      var b = root.querySelector('button');
      var icon = iconNode(this.getAttribute('icon'));
      if (icon) b.appendChild(icon);
      b.disabled = this.hasAttribute('disabled');
      b.setAttribute('aria-label', this.getAttribute('icon') || 'button');
    }
  }
  C.define('crowd-icon-button', CrowdIconButton);

  C.REGION_TAGS.forEach(function (tag) {
    C.define(tag, class extends HTMLElement {});
  });
})();
