/* crowd-form: validation, the cancelable submit event, answer serialization and delivery to the portal. */
(function () {
  'use strict';
  var C = window.CrowdElements;

  var LAYOUT_TAGS = [
    'crowd-classifier',
    'crowd-classifier-multi-select',
    'crowd-image-classifier',
    'crowd-image-classifier-multi-select',
    'crowd-bounding-box',
    'crowd-keypoint',
    'crowd-polygon',
    'crowd-line',
    'crowd-polyline',
    'crowd-semantic-segmentation',
    'crowd-instance-segmentation',
    'crowd-textract-analyze-document',
    'crowd-rekognition-detect-moderation-labels',
  ];
  C.LAYOUT_TAGS = LAYOUT_TAGS;

  /* ---------- Serialization (spec 4.2) ---------- */

  /*
   * Boolean controls (crowd-checkbox, crowd-radio-button, crowd-toggle-button, native radio and checkbox)
   * write {"<name>": {"<value>": bool}}; controls sharing a name merge into one object. Native radios and
   * checkboxes use the same shape (unconfirmed for AWS): change it here only.
   */
  function putBoolean(answer, merged, name, value, checked) {
    if (!merged[name] || answer[name] !== merged[name]) {
      merged[name] = {};
      answer[name] = merged[name];
    }
    merged[name][value] = !!checked;
  }

  function serializeNative(el, answer, merged) {
    var name = el.getAttribute('name');
    if (el.disabled) return;
    var tag = el.localName;
    if (tag === 'input') {
      var type = (el.type || 'text').toLowerCase();
      if (['button', 'submit', 'reset', 'image', 'file'].indexOf(type) >= 0) return;
      if (type === 'radio' || type === 'checkbox') {
        putBoolean(answer, merged, name, el.hasAttribute('value') ? el.value : 'on', el.checked);
        return;
      }
      // Hidden inputs carry script-built values (often JSON text): always a string, never parsed.
      if (type === 'hidden' || el.value !== '') answer[name] = el.value;
      return;
    }
    if (tag === 'textarea') {
      if (el.value !== '') answer[name] = el.value;
      return;
    }
    if (tag === 'select') {
      if (el.multiple) {
        answer[name] = Array.prototype.filter
          .call(el.options, function (o) {
            return o.selected;
          })
          .map(function (o) {
            return o.value;
          });
      } else if (el.value !== '') {
        answer[name] = el.value;
      }
    }
  }

  /* Walk the named controls of `formEl` in document order and build the answer object. */
  C.serialize = function (formEl) {
    var answer = {};
    var merged = {};
    var nodes = formEl.querySelectorAll('*');
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var tag = el.localName;
      if (el.constructor && el.constructor.fixedAnswerKey) {
        answer[el.constructor.fixedAnswerKey] = el._submittableValue;
        continue;
      }
      if (!el.hasAttribute('name')) continue;
      var name = el.getAttribute('name');
      if (tag.indexOf('crowd-') === 0) {
        if (typeof el.serializeInto !== 'function' || C.boolAttr(el, 'disabled')) continue;
        el.serializeInto(answer, name, function (n, value, checked) {
          putBoolean(answer, merged, n, value, checked);
        });
        continue;
      }
      if (tag === 'input' || tag === 'textarea' || tag === 'select') serializeNative(el, answer, merged);
    }
    return answer;
  };

  /* ---------- Delivery to the portal (postMessage contract) ---------- */
  var standalone = window.parent === window;
  C.standalone = standalone;

  function showAnswersBox(answer) {
    var box = document.getElementById('answers-box');
    if (!box) {
      box = document.createElement('pre');
      box.id = 'answers-box';
      box.style.cssText =
        'background:#f2f3f3;border:1px solid #aab7b8;padding:8px;margin:12px 0;white-space:pre-wrap;font:12px monospace';
      document.body.appendChild(box);
    }
    box.textContent = JSON.stringify(answer, null, 2);
  }
  C.showAnswersBox = showAnswersBox;

  var pending = null;
  window.addEventListener('message', function (e) {
    if (e.source !== window.parent || !e.data || typeof e.data !== 'object') return;
    var msg = e.data;
    if (!pending) return;
    var form = pending;
    if (msg.type === 'hitl:submit-result') {
      pending = null;
      if (msg.ok && msg.preview) {
        form._setBusy(false);
        showAnswersBox(msg.answer !== undefined ? msg.answer : form._lastAnswer);
        form._setStatus('info', msg.message || 'Preview: the answer was not submitted.');
      } else if (msg.ok) {
        form._setStatus('success', msg.message || 'Submitted.');
      } else {
        form._setBusy(false);
        form._setStatus('error', msg.message || 'The answer could not be submitted.');
      }
    } else if (msg.type === 'hitl:preview-answer') {
      pending = null;
      form._setBusy(false);
      showAnswersBox(msg.answer !== undefined ? msg.answer : form._lastAnswer);
      form._setStatus('info', 'Preview: the answer was not submitted.');
    }
  });

  function deliver(form, answer) {
    form._lastAnswer = answer;
    if (standalone) {
      showAnswersBox(answer);
      return;
    }
    pending = form;
    form._setBusy(true);
    window.parent.postMessage({ type: 'hitl:submit', answer: answer }, '*');
  }

  /* ---------- crowd-form ---------- */
  class CrowdForm extends C.CrowdElement {
    build() {
      var form = document.createElement('form');
      form.setAttribute('novalidate', '');
      form.className = 'crowd-form-inner';
      while (this.firstChild) form.appendChild(this.firstChild);
      var status = document.createElement('div');
      status.className = 'crowd-form-status';
      this.appendChild(status);
      this.appendChild(form);
      this.form = form;
      this._status = status;
      var self = this;
      // The native form never navigates: Enter in a lone text field must not reload the task.
      form.addEventListener('submit', function (e) {
        e.preventDefault();
      });
      this._submitOwner = null;
      var custom = form.querySelector('crowd-button[form-action="submit"]');
      var widget = form.querySelector(LAYOUT_TAGS.join(','));
      if (custom) this._submitOwner = custom;
      else if (widget) this._submitOwner = widget;
      else {
        var btn = document.createElement('button');
        btn.type = 'button';
        btn.className = 'crowd-auto-submit';
        btn.textContent = 'Submit';
        btn.addEventListener('click', function () {
          self.submit();
        });
        // Submit sits at the end of the line on every page, as in the full-page widgets' action bar.
        var bar = document.createElement('div');
        bar.className = 'crowd-form-actions';
        bar.appendChild(btn);
        this.appendChild(bar);
        this._autoSubmit = btn;
      }
      this._setupFormInstructions(form);
      // Once the reviewer changes something, an old validation banner is stale.
      this.addEventListener('change', function () {
        var alert = self._status.querySelector('crowd-alert[type=error]');
        if (alert && !self._busy) self._setStatus(null, null);
      });
    }

    /* short-/full-instructions directly in the form get a panel and a modal like the widgets' ones. */
    _setupFormInstructions(form) {
      var fulls = Array.prototype.filter.call(form.children, function (c) {
        return c.localName === 'full-instructions';
      });
      if (!fulls.length) return;
      var link = document.createElement('a');
      link.className = 'crowd-full-instructions-link';
      link.textContent = 'View full instructions';
      link.href = '#';
      link.addEventListener('click', function (e) {
        e.preventDefault();
        fulls.forEach(function (f) {
          f.setAttribute('data-open', '');
        });
      });
      form.insertBefore(link, form.firstChild);
      fulls.forEach(function (f) {
        var close = document.createElement('button');
        close.type = 'button';
        close.className = 'crowd-full-instructions-close';
        close.textContent = 'Close';
        close.addEventListener('click', function () {
          f.removeAttribute('data-open');
        });
        f.appendChild(close);
        if (f.getAttribute('header')) {
          var h = document.createElement('h3');
          h.textContent = f.getAttribute('header');
          f.insertBefore(h, f.firstChild);
        }
      });
    }

    _submitButtons() {
      var buttons = [];
      if (this._autoSubmit) buttons.push(this._autoSubmit);
      if (this._submitOwner && this._submitOwner.shadowRoot) {
        var b = this._submitOwner.shadowRoot.querySelector('button');
        if (b && this._submitOwner.localName === 'crowd-button') buttons.push(this._submitOwner);
        var w = this._submitOwner.shadowRoot.querySelector('.crowd-submit');
        if (w) buttons.push(w);
      }
      return buttons;
    }

    _setBusy(busy) {
      this._busy = busy;
      this._submitButtons().forEach(function (b) {
        if (b.localName === 'crowd-button') {
          if (busy) b.setAttribute('loading', '');
          else b.removeAttribute('loading');
        } else b.disabled = busy;
      });
    }

    _setStatus(type, message) {
      this._status.innerHTML = '';
      if (!message) return;
      var alert = document.createElement('crowd-alert');
      alert.setAttribute('type', type);
      if (type !== 'success') alert.setAttribute('dismissible', '');
      alert.textContent = message;
      this._status.appendChild(alert);
      if (this._status.scrollIntoView) this._status.scrollIntoView({ block: 'nearest' });
    }

    /* Built-in validation: crowd elements show their own messages; native controls use the browser's. */
    validate() {
      var problems = [];
      var nodes = this.form.querySelectorAll('*');
      for (var i = 0; i < nodes.length; i++) {
        var el = nodes[i];
        if (typeof el.validationMessage === 'string' && el.localName.indexOf('crowd-') === 0 && el.showValidation) {
          var msg = C.boolAttr(el, 'disabled') ? '' : el.validationMessage;
          el.showValidation(msg || null);
          if (msg) problems.push(msg);
        }
      }
      var nativeOk = this.form.checkValidity();
      if (problems.length) {
        this._setStatus('error', 'Please complete the task before submitting: ' + problems.join(' '));
      } else if (!nativeOk) {
        this._setStatus('error', 'Please fill in the required fields.');
      }
      if (!nativeOk) this.form.reportValidity();
      return nativeOk && !problems.length;
    }

    /* The submit sequence of spec 4.1: validate, cancelable submit event, serialize, send. */
    submit() {
      if (this._busy) return false;
      this._setStatus(null, null);
      if (!this.validate()) return false;
      var threw = false;
      function onError() {
        threw = true;
      }
      window.addEventListener('error', onError);
      var event = new Event('submit', { bubbles: true, cancelable: true });
      try {
        this.dispatchEvent(event);
      } finally {
        window.removeEventListener('error', onError);
      }
      if (event.defaultPrevented) return false;
      if (threw) {
        this._setStatus('error', 'The task page failed while preparing the answer; it was not submitted.');
        return false;
      }
      var answer = this.serialize();
      deliver(this, answer);
      return true;
    }

    serialize() {
      var answer = {};
      if (this._owner && typeof this._owner.serializeInto === 'function' && this._owner.getAttribute('name')) {
        this._owner.serializeInto(answer, this._owner.getAttribute('name'));
      }
      var rest = C.serialize(this.form);
      Object.keys(rest).forEach(function (k) {
        answer[k] = rest[k];
      });
      return answer;
    }

    reset() {
      var nodes = this.form.querySelectorAll('*');
      this.form.reset();
      for (var i = 0; i < nodes.length; i++) {
        if (typeof nodes[i].resetValue === 'function') nodes[i].resetValue();
      }
    }
  }
  C.define('crowd-form', CrowdForm);

  /* Global look of the light-DOM parts crowd-form owns. */
  var css = document.createElement('style');
  css.textContent = [
    'crowd-form{display:block;font-family:"Amazon Ember","Helvetica Neue",Roboto,Arial,sans-serif}',
    'crowd-form .crowd-form-actions{display:flex;justify-content:flex-end;margin-top:16px}',
    'crowd-form .crowd-auto-submit{font:600 14px sans-serif;background:#ec7211;color:#fff;border:1px solid #ec7211;border-radius:2px;padding:6px 20px;cursor:pointer}',
    'crowd-form .crowd-auto-submit:disabled{opacity:.5;cursor:default}',
    '@media (max-width:640px),(pointer:coarse){crowd-form .crowd-auto-submit{min-height:44px;min-width:44px}}',
    'full-instructions:not([data-crowd-slotted]):not([data-open]),worker-comment{display:none}',
    'full-instructions[data-open]:not([data-crowd-slotted]){display:block;position:fixed;top:6vh;left:50%;transform:translateX(-50%);width:min(720px,90vw);max-height:85vh;overflow:auto;background:#fff;z-index:1000;padding:16px;box-shadow:0 0 0 100vmax rgba(0,0,0,.45)}',
    'crowd-form > form > short-instructions{display:block;background:#fafafa;border:1px solid #eaeded;padding:8px 12px;margin-bottom:12px}',
    'short-instructions,classification-target{display:block}',
    '.crowd-full-instructions-link{display:inline-block;margin-bottom:8px;color:#0073bb}',
  ].join('\n');
  (document.head || document.documentElement).appendChild(css);
})();
