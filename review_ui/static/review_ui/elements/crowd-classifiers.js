/* Classification widgets: crowd-classifier, crowd-classifier-multi-select, crowd-image-classifier,
 * crowd-image-classifier-multi-select. Digits 1-9 pick a category; Enter submits (crowd-core). */
(function () {
  'use strict';
  var C = window.CrowdElements;

  var CSS = [
    '.target{border:1px solid #eaeded;padding:12px;background:#fff;overflow:auto;max-height:60vh;white-space:pre-wrap;word-break:break-word}',
    '.target.image{text-align:center;white-space:normal}.target.image img{max-width:100%;max-height:56vh}',
    '.choices{display:flex;flex-wrap:wrap;gap:8px}',
    '.choices button{display:inline-flex;align-items:center}',
    '.choices .exclusion{margin-left:16px}',
    '.comment-link{font-size:13px}',
    'textarea{width:100%;box-sizing:border-box;font:inherit;min-height:80px}',
  ].join('\n');

  class ClassifierBase extends C.CrowdElement {
    get multi() {
      return false;
    }
    get image() {
      return false;
    }
    build() {
      var target = this.image
        ? '<div class="target image"><img alt="Image to classify"></div>'
        : '<div class="target"><slot name="target"></slot></div>';
      var layout = C.buildPageLayout(
        this,
        target +
          '<div><div class="choices" role="' + (this.multi ? 'group' : 'radiogroup') + '"></div>' +
          '<div class="shortcut-hint">Keys 1-9 pick a category, Enter submits.</div></div>' +
          '<div class="comment-area" hidden><a class="comment-link" tabindex="0"></a><div class="comment-preview shortcut-hint"></div></div>',
        CSS,
      );
      this._root = layout.root;
      if (this.image) {
        var img = layout.root.querySelector('img');
        img.src = this.getAttribute('src') || '';
      } else {
        var targets = Array.prototype.filter.call(this.children, function (c) {
          return c.localName === 'classification-target';
        });
        var slot = layout.root.querySelector('slot[name=target]');
        slot.assign.apply(slot, targets);
      }
      this.categories = (C.attrValue(this, 'categories', []) || []).map(String);
      var exclusion = C.attrValue(this, 'exclusion-category', null);
      // crowd-classifier ignores exclusion-category (undocumented for it; unconfirmed).
      this.exclusionText = this.multi && exclusion ? String(exclusion.text || exclusion) : null;
      this.selected = this._pending || [];
      this.excluded = false;
      this._renderChoices();
      this._setupComment(layout);
      C.registerChoices(this);
    }

    _setupComment(layout) {
      var wc = Array.prototype.filter.call(this.children, function (c) {
        return c.localName === 'worker-comment';
      })[0];
      if (!wc) return;
      var area = layout.root.querySelector('.comment-area');
      area.hidden = false;
      var link = area.querySelector('.comment-link');
      link.textContent = wc.getAttribute('link-text') || 'Add a comment';
      var body = document.createElement('div');
      var slot = document.createElement('slot');
      slot.name = 'comment';
      body.appendChild(slot);
      var ta = document.createElement('textarea');
      ta.placeholder = wc.getAttribute('placeholder') || '';
      ta.setAttribute('aria-label', 'Comment');
      body.appendChild(ta);
      var ok = document.createElement('button');
      ok.type = 'button';
      ok.className = 'btn primary';
      ok.textContent = 'Save comment';
      body.appendChild(ok);
      var modal = C.makeModal(layout.root, wc.getAttribute('header') || 'Add a comment', body);
      wc.setAttribute('data-crowd-slotted', '');
      wc.style.display = 'block';
      slot.assign(wc);
      var self = this;
      link.addEventListener('click', modal.open);
      ok.addEventListener('click', function () {
        self.workerComment = ta.value;
        area.querySelector('.comment-preview').textContent = ta.value;
        modal.close();
      });
    }

    _renderChoices() {
      var box = this._root.querySelector('.choices');
      box.innerHTML = '';
      var self = this;
      this.categories.forEach(function (cat, i) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'btn choice';
        b.setAttribute('role', self.multi ? 'checkbox' : 'radio');
        b.innerHTML = (i < 9 ? '<kbd>' + (i + 1) + '</kbd>' : '') + '<span></span>';
        b.querySelector('span').textContent = cat;
        var on = self.selected.indexOf(cat) >= 0;
        b.classList.toggle('selected', on);
        b.setAttribute('aria-checked', String(on));
        b.disabled = self.excluded;
        // Clicking must not move focus onto the button, so that Enter keeps meaning "submit".
        b.addEventListener('mousedown', function (e) {
          e.preventDefault();
        });
        b.addEventListener('click', function () {
          self.pickChoice(i);
        });
        box.appendChild(b);
      });
      if (this.exclusionText) {
        var ex = document.createElement('button');
        ex.type = 'button';
        ex.className = 'btn exclusion' + (this.excluded ? ' selected' : '');
        ex.setAttribute('role', 'checkbox');
        ex.setAttribute('aria-checked', String(this.excluded));
        ex.textContent = this.exclusionText;
        ex.addEventListener('click', function () {
          self.excluded = !self.excluded;
          if (self.excluded) self.selected = [];
          self._changed();
        });
        box.appendChild(ex);
      }
    }

    _changed() {
      this._renderChoices();
      this.showValidation(null);
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }

    /* Pick (single) or toggle (multi) the i-th category; returns whether it existed. */
    pickChoice(i) {
      var cat = this.categories[i];
      if (cat === undefined || this.excluded) return false;
      if (this.multi) {
        var at = this.selected.indexOf(cat);
        if (at >= 0) this.selected.splice(at, 1);
        else this.selected.push(cat);
      } else this.selected = [cat];
      this._changed();
      return true;
    }

    get _submittableValue() {
      var self = this;
      if (this.multi) {
        // Follow `categories` order; the exclusion choice gives an empty list (both unconfirmed for AWS).
        return {
          labels: this.excluded ? [] : this.categories.filter(function (c) {
            return self.selected.indexOf(c) >= 0;
          }),
        };
      }
      return { label: this.selected.length ? this.selected[0] : null };
    }
    get value() {
      return this._submittableValue;
    }
    get validationMessage() {
      if (!this._root) return '';
      if (this.multi ? this.selected.length || this.excluded : this.selected.length) return '';
      return this.multi ? 'Choose at least one category.' : 'Choose a category.';
    }
    serializeInto(answer, name) {
      answer[name] = this._submittableValue;
      // worker-comment adds a top-level workerComment key, only when a comment was typed.
      if (this.workerComment) answer.workerComment = this.workerComment;
    }
  }

  C.define('crowd-classifier', class CrowdClassifier extends ClassifierBase {});
  C.define('crowd-classifier-multi-select', class CrowdClassifierMultiSelect extends ClassifierBase {
    get multi() {
      return true;
    }
  });
  C.define('crowd-image-classifier', class CrowdImageClassifier extends ClassifierBase {
    get image() {
      return true;
    }
  });
  C.define('crowd-image-classifier-multi-select', class CrowdImageClassifierMultiSelect extends ClassifierBase {
    get multi() {
      return true;
    }
    get image() {
      return true;
    }
  });
})();
