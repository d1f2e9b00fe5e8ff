/* Buttons and input elements: crowd-button, crowd-input, crowd-text-area, crowd-checkbox, crowd-toggle-button,
 * crowd-radio-group, crowd-radio-button, crowd-slider. */
(function () {
  'use strict';
  var C = window.CrowdElements;

  function fire(el, type) {
    el.dispatchEvent(new Event(type, { bubbles: true }));
  }

  /* ---------- crowd-button ---------- */
  class CrowdButton extends C.CrowdElement {
    static get css() {
      return ':host{display:inline-block}button{display:inline-flex;align-items:center;gap:6px}' +
        'button.link{border:none;background:none;color:#0073bb;padding:2px 4px}' +
        'button.icon{border:none;background:none;padding:4px}';
    }
    static get observedAttributes() {
      return ['disabled', 'loading'];
    }
    build() {
      var variant = this.getAttribute('variant') || (this.getAttribute('form-action') === 'submit' ? 'primary' : 'normal');
      var root = this.shadow('<button type="button" class="btn ' + variant + '" part="button"><slot></slot></button>');
      this._button = root.querySelector('button');
      var icon = this.getAttribute('icon');
      var iconUrl = this.getAttribute('icon-url');
      if (icon || iconUrl) {
        var i = iconUrl ? document.createElement('img') : document.createElement('iron-icon');
        if (iconUrl) {
          i.src = iconUrl;
          i.style.cssText = 'width:16px;height:16px';
        } else i.setAttribute('icon', icon);
        if (this.getAttribute('icon-align') === 'right') this._button.appendChild(i);
        else this._button.insertBefore(i, this._button.firstChild);
      }
      this._sync();
      var self = this;
      // Capture on the host: a disabled or loading button must not reach the template's onclick.
      this.addEventListener(
        'click',
        function (e) {
          if (self.hasAttribute('disabled') || self.hasAttribute('loading')) {
            e.stopImmediatePropagation();
            e.preventDefault();
          }
        },
        true,
      );
      this.addEventListener('click', function (e) {
        if (e.defaultPrevented) return;
        var action = self.getAttribute('form-action');
        var form = self.crowdForm;
        if (action === 'submit' && form) form.submit();
        else if (action === 'reset' && form) form.reset();
        else if (self.getAttribute('href')) window.open(self.getAttribute('href'), self.getAttribute('target') || '_self');
      });
    }
    attributeChangedCallback() {
      if (this._button) this._sync();
    }
    _sync() {
      this._button.disabled = this.hasAttribute('disabled') || this.hasAttribute('loading');
      this._button.classList.toggle('loading', this.hasAttribute('loading'));
    }
    get disabled() {
      return this.hasAttribute('disabled');
    }
    set disabled(v) {
      this.toggleAttribute('disabled', !!v);
    }
  }
  C.define('crowd-button', CrowdButton);

  /* ---------- crowd-input / crowd-text-area ---------- */
  class TextField extends C.CrowdElement {
    static get upgradedProperties() {
      return ['value'];
    }
    static get css() {
      return ':host{display:block;margin:8px 0}label{display:block;font-size:12px;color:#545b64;margin-bottom:2px}' +
        'input,textarea{box-sizing:border-box;width:100%;font:inherit;padding:6px 8px;border:1px solid #aab7b8;border-radius:2px}' +
        'input:focus,textarea:focus{outline:2px solid #0073bb;outline-offset:-1px}' +
        '.counter{font-size:11px;color:#687078;text-align:right}';
    }
    build() {
      var multi = this.localName === 'crowd-text-area';
      var root = this.shadow(
        '<label part="label"></label>' + (multi ? '<textarea part="input"></textarea>' : '<input part="input">') +
          '<div class="counter" hidden></div><div class="validation-anchor"></div>',
      );
      var field = (this._field = root.querySelector(multi ? 'textarea' : 'input'));
      var label = root.querySelector('label');
      label.textContent = this.getAttribute('label') || '';
      label.hidden = !this.getAttribute('label');
      if (!multi) field.type = this.getAttribute('type') || 'text';
      if (multi && this.getAttribute('rows')) field.rows = Number(this.getAttribute('rows'));
      field.placeholder = this.getAttribute('placeholder') || '';
      if (this.getAttribute('max-length')) field.maxLength = Number(this.getAttribute('max-length'));
      if (this.getAttribute('min-length')) field.minLength = Number(this.getAttribute('min-length'));
      field.disabled = C.boolAttr(this, 'disabled');
      field.setAttribute('aria-label', this.getAttribute('label') || this.getAttribute('placeholder') || this.getAttribute('name') || '');
      this._initial = this.hasAttribute('value') ? this.getAttribute('value') : '';
      field.value = this._pendingValue !== undefined ? this._pendingValue : this._initial;
      var self = this;
      var pattern = this.getAttribute('allowed-pattern');
      if (C.boolAttr(this, 'auto-validate') && pattern) {
        var allowed = new RegExp(pattern);
        field.addEventListener('beforeinput', function (e) {
          if (e.data && Array.from(e.data).some(function (ch) { return !allowed.test(ch); })) {
            e.preventDefault();
            self.showValidation(self.getAttribute('error-message') || 'That character is not allowed here.');
          }
        });
      }
      var counter = root.querySelector('.counter');
      function count() {
        if (!self.hasAttribute('char-counter')) return;
        counter.hidden = false;
        counter.textContent = field.value.length + (field.maxLength > 0 ? ' / ' + field.maxLength : '');
      }
      count();
      field.addEventListener('input', function () {
        count();
        self.showValidation(null);
      });
      field.addEventListener('change', function () {
        fire(self, 'change');
      });
      if (multi && this.getAttribute('max-rows')) {
        field.addEventListener('input', function () {
          var max = Number(self.getAttribute('max-rows'));
          var lines = field.value.split('\n').length;
          field.rows = Math.max(Number(self.getAttribute('rows') || 2), Math.min(lines, max));
        });
      }
      if (this.hasAttribute('auto-focus')) setTimeout(function () { field.focus(); }, 0);
    }
    get value() {
      if (!this._field) return this._pendingValue !== undefined ? this._pendingValue : this.getAttribute('value') || '';
      return this._field.value;
    }
    set value(v) {
      var text = v === null || v === undefined ? '' : String(v);
      if (!this._field) this._pendingValue = text;
      else this._field.value = text;
    }
    get _submittableValue() {
      return this.value;
    }
    focus() {
      if (this._field) this._field.focus();
    }
    get validationMessage() {
      if (!this._field) return '';
      if (C.boolAttr(this, 'required') && this._field.value.trim() === '') {
        return (this.getAttribute('label') || this.getAttribute('placeholder') || this.getAttribute('name') || 'This field') + ' is required.';
      }
      var min = Number(this.getAttribute('min-length') || 0);
      if (min && this._field.value.length && this._field.value.length < min) return 'Enter at least ' + min + ' characters.';
      if (this._field.localName === 'input' && !this._field.checkValidity()) return this._field.validationMessage;
      return '';
    }
    serializeInto(answer, name) {
      // An empty field is left out of the answer (AWS documents this for crowd-input).
      if (this.value !== '') answer[name] = this.value;
    }
    resetValue() {
      if (this._field) this._field.value = this._initial;
    }
  }
  C.define('crowd-input', class CrowdInput extends TextField {});
  C.define('crowd-text-area', class CrowdTextArea extends TextField {});

  /* ---------- Boolean controls ---------- */
  class BooleanControl extends C.CrowdElement {
    static get upgradedProperties() {
      return ['checked'];
    }
    static get css() {
      return ':host{display:inline-flex;align-items:center;margin:4px 12px 4px 0;cursor:pointer}' +
        'label{display:inline-flex;align-items:center;gap:6px;cursor:pointer}' +
        'input{margin:0;width:16px;height:16px;accent-color:#0073bb}' +
        '.switch{position:relative;width:34px;height:18px;border-radius:9px;background:#aab7b8;transition:background .1s}' +
        '.switch::after{content:"";position:absolute;top:2px;left:2px;width:14px;height:14px;border-radius:50%;background:#fff;transition:left .1s}' +
        'input:checked + .switch{background:#0073bb}input:checked + .switch::after{left:18px}' +
        ':host([invalid]) input:not(:checked) + .switch{background:#d13212}' +
        'input.toggle{position:absolute;opacity:0;width:1px;height:1px}';
    }
    get inputType() {
      return 'checkbox';
    }
    build() {
      var toggle = this.localName === 'crowd-toggle-button';
      var root = this.shadow(
        '<label><input type="' + this.inputType + '"' + (toggle ? ' class="toggle"' : '') + '>' +
          (toggle ? '<span class="switch"></span>' : '') + '<slot></slot></label><div class="validation-anchor"></div>',
      );
      var input = (this._input = root.querySelector('input'));
      this._initial = this.hasAttribute('checked');
      input.checked = this._pendingChecked !== undefined ? this._pendingChecked : this._initial;
      input.disabled = C.boolAttr(this, 'disabled');
      input.setAttribute('aria-label', this.textContent.trim() || this.getAttribute('value') || this.getAttribute('name') || '');
      var self = this;
      input.addEventListener('change', function () {
        self._afterChange();
        self.showValidation(null);
        fire(self, 'change');
      });
    }
    _afterChange() {}
    get checked() {
      if (!this._input) return this._pendingChecked !== undefined ? this._pendingChecked : this.hasAttribute('checked');
      return this._input.checked;
    }
    set checked(v) {
      if (!this._input) this._pendingChecked = !!v;
      else {
        this._input.checked = !!v;
        this._afterChange();
      }
    }
    get value() {
      return this.getAttribute('value') || 'on';
    }
    get _submittableValue() {
      var out = {};
      out[this.value] = this.checked;
      return out;
    }
    get validationMessage() {
      if (C.boolAttr(this, 'required') && !this.checked) {
        return '"' + (this.textContent.trim() || this.getAttribute('name')) + '" must be checked.';
      }
      return '';
    }
    serializeInto(answer, name, putBoolean) {
      if (putBoolean) putBoolean(name, this.value, this.checked);
      else answer[name] = this._submittableValue;
    }
    resetValue() {
      if (this._input) this._input.checked = this._initial;
    }
    focus() {
      if (this._input) this._input.focus();
    }
  }
  C.define('crowd-checkbox', class CrowdCheckbox extends BooleanControl {});
  C.define('crowd-toggle-button', class CrowdToggleButton extends BooleanControl {});

  class CrowdRadioButton extends BooleanControl {
    get inputType() {
      return 'radio';
    }
    get validationMessage() {
      return ''; // AWS: crowd-radio-button has no `required`.
    }
    _afterChange() {
      if (!this.checked) return;
      // Exclusive within the group, or among same-name buttons outside any group (native radio semantics).
      var group = this.closest('crowd-radio-group');
      var scope = group || this.getRootNode();
      var name = this.getAttribute('name');
      var self = this;
      Array.prototype.forEach.call(scope.querySelectorAll('crowd-radio-button'), function (other) {
        if (other === self || !other._input) return;
        if (group ? other.closest('crowd-radio-group') === group : !other.closest('crowd-radio-group') && other.getAttribute('name') === name) {
          other._input.checked = false;
        }
      });
    }
  }
  C.define('crowd-radio-button', CrowdRadioButton);

  class CrowdRadioGroup extends C.CrowdElement {
    build() {
      this.setAttribute('role', 'radiogroup');
      this.style.display = this.style.display || 'block';
    }
  }
  C.define('crowd-radio-group', CrowdRadioGroup);

  /* ---------- crowd-slider ---------- */
  class CrowdSlider extends C.CrowdElement {
    static get upgradedProperties() {
      return ['value'];
    }
    static get css() {
      return ':host{display:block;margin:8px 0}.row{display:flex;align-items:center;gap:10px}' +
        'input[type=range]{flex:1;accent-color:#0073bb}.pin{min-width:3em;text-align:center;font-weight:600}' +
        'input[type=number]{width:5em;font:inherit}';
    }
    build() {
      var root = this.shadow(
        '<div class="row"><input type="range" part="slider"><span class="pin" hidden></span>' +
          '<input type="number" hidden></div><div class="validation-anchor"></div>',
      );
      var range = (this._range = root.querySelector('input[type=range]'));
      var num = root.querySelector('input[type=number]');
      var pin = root.querySelector('.pin');
      // Defaults when attributes are missing are unconfirmed for AWS: 0 / 100 / 1 / min.
      var min = this.hasAttribute('min') ? Number(this.getAttribute('min')) : 0;
      var max = this.hasAttribute('max') ? Number(this.getAttribute('max')) : 100;
      var step = this.hasAttribute('step') ? this.getAttribute('step') : '1';
      [range, num].forEach(function (el) {
        el.min = String(min);
        el.max = String(max);
        el.step = step;
      });
      this._initial = this.hasAttribute('value') ? Number(this.getAttribute('value')) : min;
      this._touched = this.hasAttribute('value');
      range.value = String(this._pendingValue !== undefined ? this._pendingValue : this._initial);
      range.disabled = num.disabled = C.boolAttr(this, 'disabled');
      range.setAttribute('aria-label', this.getAttribute('name') || 'slider');
      var self = this;
      function show() {
        pin.textContent = range.value;
        num.value = range.value;
      }
      pin.hidden = !this.hasAttribute('pin');
      num.hidden = !this.hasAttribute('editable');
      show();
      range.addEventListener('input', function () {
        self._touched = true;
        show();
        self.showValidation(null);
      });
      range.addEventListener('change', function () {
        fire(self, 'change');
      });
      num.addEventListener('change', function () {
        range.value = num.value;
        self._touched = true;
        show();
        fire(self, 'change');
      });
      this._show = show;
    }
    get value() {
      if (!this._range) return this._pendingValue !== undefined ? this._pendingValue : Number(this.getAttribute('value') || 0);
      return Number(this._range.value);
    }
    set value(v) {
      if (!this._range) this._pendingValue = Number(v);
      else {
        this._range.value = String(v);
        this._touched = true;
        this._show();
      }
    }
    get _submittableValue() {
      return this.value;
    }
    get validationMessage() {
      if (C.boolAttr(this, 'required') && !this._touched) return 'Move the slider "' + (this.getAttribute('name') || '') + '".';
      return '';
    }
    serializeInto(answer, name) {
      answer[name] = this.value;
    }
    resetValue() {
      if (this._range) {
        this._range.value = String(this._initial);
        this._show();
      }
    }
  }
  C.define('crowd-slider', CrowdSlider);
})();
