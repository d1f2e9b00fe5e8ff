/* crowd-tool-call-review: an AI agent's tool calls, each approved, edited, rejected or answered by a person.
 *
 * The `request` attribute is LangChain's HITLRequest ({action_requests: [{name, args, description}],
 * review_configs: [{action_name, allowed_decisions, args_schema?}]}); the answer, under the fixed key
 * "decisions", is its HITLResponse ({"decisions": [...]}, one decision per action, in order), so the
 * stored answerContent is what HumanInTheLoopMiddleware resumes with. Not an AWS element (hitl's own).
 */
(function () {
  'use strict';
  var C = window.CrowdElements;

  var DECISIONS = ['approve', 'edit', 'reject', 'respond'];
  var LABELS = { approve: 'Approve', edit: 'Edit', reject: 'Reject', respond: 'Respond instead' };
  // Longer string values are folded behind a <details> so ten calls still fit on one screen.
  var FOLD_AT = 160;

  var CSS = [
    ':host{display:block}',
    '.action{border:1px solid #d5dbdb;border-radius:4px;padding:12px 14px;margin:0 0 14px}',
    '.action h3{margin:0 0 4px;font-size:16px}',
    '.action h3 code{font-size:15px;background:#f2f3f3;padding:1px 6px;border-radius:3px}',
    '.description{white-space:pre-wrap;color:#545b64;margin:4px 0 8px}',
    'table.args{border-collapse:collapse;margin:6px 0 10px;width:100%}',
    'table.args th{text-align:left;vertical-align:top;padding:3px 10px 3px 0;font:600 13px monospace;width:1%;white-space:nowrap}',
    'table.args td{padding:3px 0}',
    'table.args pre{margin:0;white-space:pre-wrap;word-break:break-word;font:13px monospace}',
    '.choices{display:flex;gap:14px;flex-wrap:wrap;margin:6px 0}',
    '.choices label{display:flex;gap:4px;align-items:center;cursor:pointer}',
    '.editor,.message{margin-top:8px}',
    '.editor label.field{display:block;font-size:12px;color:#545b64;margin-top:6px}',
    '.editor input[type=text],.editor input[type=number],.editor select{font:inherit;padding:4px 6px;border:1px solid #aab7b8;min-width:260px}',
    'textarea{font:13px monospace;width:100%;box-sizing:border-box;min-height:80px;border:1px solid #aab7b8;padding:6px}',
    '.problem{color:#d13212;font-size:12px;margin-top:4px}',
  ].join('\n');

  function pretty(value) {
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  }

  function argCell(value) {
    var text = pretty(value);
    var pre = document.createElement('pre');
    pre.textContent = text;
    if (text.length <= FOLD_AT) return pre;
    var details = document.createElement('details');
    var summary = document.createElement('summary');
    summary.textContent = text.slice(0, FOLD_AT).replace(/\s+/g, ' ') + '\u2026 (' + text.length + ' characters)';
    details.appendChild(summary);
    details.appendChild(pre);
    return details;
  }

  /* The JSON-Schema subset a reviewer's edit is checked against; returns a list of problems. */
  function checkAgainstSchema(value, schema, path) {
    var problems = [];
    if (!schema || typeof schema !== 'object') return problems;
    var where = path || 'arguments';
    var type = schema.type;
    var types = Array.isArray(type) ? type : type ? [type] : [];
    function is(t) {
      if (t === 'object') return value !== null && typeof value === 'object' && !Array.isArray(value);
      if (t === 'array') return Array.isArray(value);
      if (t === 'integer') return typeof value === 'number' && Math.floor(value) === value;
      if (t === 'number') return typeof value === 'number' && isFinite(value);
      if (t === 'null') return value === null;
      return typeof value === t;
    }
    if (types.length && !types.some(is)) {
      problems.push(where + ' must be ' + types.join(' or '));
      return problems;
    }
    if (schema.enum && !schema.enum.some(function (e) { return JSON.stringify(e) === JSON.stringify(value); })) {
      problems.push(where + ' must be one of ' + schema.enum.map(function (e) { return JSON.stringify(e); }).join(', '));
    }
    if (typeof value === 'string') {
      if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(where + ' is too short');
      if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(where + ' is too long');
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) problems.push(where + ' does not match ' + schema.pattern);
    }
    if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum) problems.push(where + ' must be at least ' + schema.minimum);
      if (schema.maximum !== undefined && value > schema.maximum) problems.push(where + ' must be at most ' + schema.maximum);
    }
    if (is('object')) {
      (schema.required || []).forEach(function (key) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) problems.push(where + '.' + key + ' is required');
      });
      var props = schema.properties || {};
      Object.keys(value).forEach(function (key) {
        if (props[key]) problems = problems.concat(checkAgainstSchema(value[key], props[key], where + '.' + key));
        else if (schema.additionalProperties === false) problems.push(where + '.' + key + ' is not allowed');
      });
    }
    if (Array.isArray(value) && schema.items) {
      value.forEach(function (item, i) {
        problems = problems.concat(checkAgainstSchema(item, schema.items, where + '[' + i + ']'));
      });
    }
    return problems;
  }
  C.checkAgainstSchema = checkAgainstSchema;

  function simpleType(prop) {
    var t = prop && prop.type;
    if (prop && prop.enum) return 'enum';
    return t === 'string' || t === 'number' || t === 'integer' || t === 'boolean' ? t : 'json';
  }

  /* One action: its card, its decision, and how to read the decision back. */
  class ActionReview {
    constructor(index, action, config) {
      this.index = index;
      this.action = action || {};
      this.name = String(this.action.name || '');
      this.args = this.action.args && typeof this.action.args === 'object' ? this.action.args : {};
      var allowed = (config && config.allowed_decisions) || ['approve', 'reject'];
      this.allowed = DECISIONS.filter(function (d) { return allowed.indexOf(d) >= 0; });
      this.schema = config && (config.args_schema || config.arguments_schema);
      this.choice = this.allowed.length === 1 ? this.allowed[0] : null;
      this.el = this._build();
    }
    _build() {
      var self = this;
      var card = document.createElement('section');
      card.className = 'action';
      card.setAttribute('aria-label', 'Tool call ' + (this.index + 1) + ': ' + this.name);
      card.innerHTML = '<h3>Tool call ' + (this.index + 1) + ': <code class="tool"></code></h3><div class="description"></div>' +
        '<table class="args"><tbody></tbody></table><div class="choices" role="radiogroup"></div>' +
        '<div class="editor" hidden></div><div class="message" hidden></div><div class="problem" role="alert" hidden></div>';
      card.querySelector('.tool').textContent = this.name;
      card.querySelector('.description').textContent = this.action.description || '';
      var body = card.querySelector('tbody');
      Object.keys(this.args).forEach(function (key) {
        var row = document.createElement('tr');
        var th = document.createElement('th');
        th.textContent = key;
        var td = document.createElement('td');
        td.appendChild(argCell(self.args[key]));
        row.appendChild(th);
        row.appendChild(td);
        body.appendChild(row);
      });
      if (!Object.keys(this.args).length) card.querySelector('.args').hidden = true;
      var choices = card.querySelector('.choices');
      choices.setAttribute('aria-label', 'Decision for ' + this.name);
      this.allowed.forEach(function (decision) {
        var label = document.createElement('label');
        label.innerHTML = '<input type="radio"><span></span>';
        var input = label.querySelector('input');
        input.name = 'decision-' + self.index;
        input.value = decision;
        input.checked = self.choice === decision;
        label.querySelector('span').textContent = LABELS[decision];
        input.setAttribute('aria-label', LABELS[decision] + ' ' + self.name);
        input.addEventListener('change', function () {
          self.choice = decision;
          self._show();
        });
        choices.appendChild(label);
      });
      this.editor = card.querySelector('.editor');
      this.messageBox = card.querySelector('.message');
      this.problemBox = card.querySelector('.problem');
      this._buildEditor();
      this._show();
      // A message describes the last check; once the reviewer changes something it no longer applies.
      ['input', 'change'].forEach(function (type) {
        card.addEventListener(type, function () {
          self.problemBox.hidden = true;
        });
      });
      return card;
    }
    _buildEditor() {
      var self = this;
      var props = this.schema && this.schema.properties;
      this.fields = null;
      if (props && typeof props === 'object') {
        this.fields = {};
        Object.keys(props).forEach(function (key) {
          var prop = props[key] || {};
          var kind = simpleType(prop);
          var label = document.createElement('label');
          label.className = 'field';
          label.textContent = key + (prop.description ? ' \u2014 ' + prop.description : '');
          var input;
          var current = self.args[key];
          if (kind === 'enum') {
            input = document.createElement('select');
            prop.enum.forEach(function (option) {
              var o = document.createElement('option');
              o.value = JSON.stringify(option);
              o.textContent = String(option);
              o.selected = JSON.stringify(option) === JSON.stringify(current);
              input.appendChild(o);
            });
          } else if (kind === 'boolean') {
            input = document.createElement('input');
            input.type = 'checkbox';
            input.checked = current === true;
          } else if (kind === 'json') {
            input = document.createElement('textarea');
            input.value = current === undefined ? '' : JSON.stringify(current, null, 2);
          } else {
            input = document.createElement('input');
            input.type = kind === 'string' ? 'text' : 'number';
            if (kind === 'integer') input.step = '1';
            if (kind !== 'string') input.step = kind === 'integer' ? '1' : 'any';
            input.value = current === undefined || current === null ? '' : String(current);
          }
          input.setAttribute('aria-label', self.name + ' ' + key);
          self.editor.appendChild(label);
          self.editor.appendChild(input);
          self.fields[key] = { input: input, kind: kind };
        });
      } else {
        var area = document.createElement('textarea');
        area.value = JSON.stringify(this.args, null, 2);
        area.setAttribute('aria-label', 'Arguments of ' + this.name + ' (JSON)');
        this.editor.appendChild(area);
        this.rawArgs = area;
      }
      var msg = document.createElement('textarea');
      msg.setAttribute('aria-label', 'Message for ' + this.name);
      this.messageBox.appendChild(msg);
      this.message = msg;
    }
    /* Choose a decision as the radio does (the keyboard's way in: crowd-tool-call-review.keyAction). */
    setChoice(decision) {
      if (this.allowed.indexOf(decision) < 0) return false;
      this.choice = decision;
      var radio = this.el.querySelector('input[type=radio][value="' + decision + '"]');
      if (radio) radio.checked = true;
      this._show();
      this.el.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
      return true;
    }
    /* Where the keyboard goes in this call: its first editor field, its message, or its decision. */
    focusPart(part) {
      var target = null;
      if (part === 'edit') target = this.editor.querySelector('input,select,textarea');
      else if (part === 'message') target = this.message;
      target = target || this.el.querySelector('input[type=radio]:checked') || this.el.querySelector('input[type=radio]');
      if (target) {
        target.focus();
        if (this.el.scrollIntoView) this.el.scrollIntoView({ block: 'nearest' });
      }
    }
    _show() {
      this.editor.hidden = this.choice !== 'edit';
      this.messageBox.hidden = this.choice !== 'reject' && this.choice !== 'respond';
      this.message.placeholder =
        this.choice === 'respond' ? 'The answer the agent gets in place of the tool\u2019s result' : 'Why (optional): the agent is told';
      this.problemBox.hidden = true;
    }
    _editedArgs(problems) {
      if (this.rawArgs) {
        var parsed;
        try {
          parsed = JSON.parse(this.rawArgs.value);
        } catch (e) {
          problems.push('the arguments are not valid JSON (' + e.message + ')');
          return null;
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
          problems.push('the arguments must be a JSON object');
          return null;
        }
        return parsed;
      }
      var args = {};
      var fields = this.fields;
      Object.keys(fields).forEach(function (key) {
        var field = fields[key];
        var input = field.input;
        if (field.kind === 'boolean') args[key] = input.checked;
        else if (field.kind === 'enum') args[key] = JSON.parse(input.value);
        else if (field.kind === 'json') {
          if (input.value.trim() === '') return;
          try {
            args[key] = JSON.parse(input.value);
          } catch (e) {
            problems.push(key + ' is not valid JSON (' + e.message + ')');
          }
        } else if (field.kind === 'string') args[key] = input.value;
        else if (input.value.trim() !== '') args[key] = Number(input.value);
      });
      // Arguments the schema does not describe pass through unchanged.
      var described = this.schema.properties;
      var self = this;
      Object.keys(this.args).forEach(function (key) {
        if (!Object.prototype.hasOwnProperty.call(described, key)) args[key] = self.args[key];
      });
      return args;
    }
    /* The decision, or null with `problems` filled in. */
    decision(problems) {
      var mine = [];
      var result = null;
      if (!this.choice) mine.push('choose a decision');
      else if (this.choice === 'approve') result = { type: 'approve' };
      else if (this.choice === 'edit') {
        var args = this._editedArgs(mine);
        if (args && this.schema) mine = mine.concat(checkAgainstSchema(args, this.schema, 'arguments'));
        if (!mine.length) result = { type: 'edit', edited_action: { name: this.name, args: args } };
      } else if (this.choice === 'reject') {
        result = { type: 'reject' };
        if (this.message.value.trim()) result.message = this.message.value.trim();
      } else if (this.choice === 'respond') {
        if (!this.message.value.trim()) mine.push('write the response');
        else result = { type: 'respond', message: this.message.value.trim() };
      }
      this.problemBox.textContent = mine.join('; ');
      this.problemBox.hidden = !mine.length;
      var self = this;
      mine.forEach(function (p) {
        problems.push('Tool call ' + (self.index + 1) + ' (' + self.name + '): ' + p + '.');
      });
      return mine.length ? null : result;
    }
  }

  class CrowdToolCallReview extends C.CrowdElement {
    static get fixedAnswerKey() {
      return 'decisions';
    }
    static get css() {
      return CSS;
    }
    build() {
      var root = this.shadow('<div class="actions-list"></div><div class="validation-anchor"></div>');
      var request = C.attrValue(this, 'request', null);
      if (!request || !Array.isArray(request.action_requests)) {
        C.reportTemplateError(this, 'attribute "request" must be a HITLRequest with an action_requests list');
        request = { action_requests: [], review_configs: [] };
      }
      var configs = Array.isArray(request.review_configs) ? request.review_configs : [];
      var list = root.querySelector('.actions-list');
      this._reviews = request.action_requests.map(function (action, i) {
        // LangChain pairs configs with actions by name; position breaks ties between same-named tools.
        var name = action && action.name;
        var config = configs[i] && configs[i].action_name === name ? configs[i] : null;
        config = config || configs.filter(function (c) { return c && c.action_name === name; })[0] || null;
        var review = new ActionReview(i, action, config);
        list.appendChild(review.el);
        return review;
      });
      var self = this;
      this._lastIndex = -1;
      root.addEventListener('focusin', function (e) {
        var i = self._indexOf(e.target);
        if (i >= 0) self._lastIndex = i;
      });
      if (C.keys) C.keys.register(this);
    }

    /* ---------- keyboard (crowd-keys.js) ----------
     * a / e / x / w decide the current tool call (the one with the focus, else the first one not yet
     * decided); approving or rejecting moves on to the next undecided call, editing and responding
     * go to the field to write in (Escape leaves it); [ and ] move between calls. */
    _indexOf(node) {
      for (var i = 0; i < this._reviews.length; i++) if (this._reviews[i].el.contains(node)) return i;
      return -1;
    }
    _currentIndex() {
      var active = this.shadowRoot && this.shadowRoot.activeElement;
      var i = active ? this._indexOf(active) : -1;
      if (i >= 0) return i;
      if (this._lastIndex >= 0) return this._lastIndex;
      for (i = 0; i < this._reviews.length; i++) if (!this._reviews[i].choice) return i;
      return 0;
    }
    keyHelp() {
      var offered = {};
      (this._reviews || []).forEach(function (r) {
        r.allowed.forEach(function (d) { offered[d] = true; });
      });
      var help = { nextShape: 'Go to the next tool call', previousShape: 'Go to the previous tool call' };
      if (offered.approve) help.approve = 'Approve the current tool call';
      if (offered.edit) help.edit = 'Edit its arguments (Escape leaves the field)';
      if (offered.reject) help.reject = 'Reject it (Shift+Tab: say why)';
      if (offered.respond) help.respond = 'Respond instead of running it';
      return help;
    }
    keyAction(action) {
      var reviews = this._reviews || [];
      if (!reviews.length) return false;
      var i = this._currentIndex();
      if (action === 'nextShape' || action === 'previousShape') {
        var j = Math.max(0, Math.min(reviews.length - 1, i + (action === 'nextShape' ? 1 : -1)));
        reviews[j].focusPart('decision');
        return true;
      }
      if (['approve', 'edit', 'reject', 'respond'].indexOf(action) < 0) return false;
      var review = reviews[i];
      if (!review.setChoice(action)) return false;
      if (action === 'edit') review.focusPart('edit');
      else if (action === 'respond') review.focusPart('message');
      else {
        var next = reviews.filter(function (r, k) { return k > i && !r.choice; })[0] || reviews[Math.min(i + 1, reviews.length - 1)];
        next.focusPart('decision');
      }
      return true;
    }
    get validationMessage() {
      var problems = [];
      (this._reviews || []).forEach(function (review) {
        review.decision(problems);
      });
      return problems.join(' ');
    }
    get _submittableValue() {
      var ignored = [];
      return (this._reviews || []).map(function (review) {
        return review.decision(ignored);
      });
    }
    get value() {
      return { decisions: this._submittableValue };
    }
  }
  C.define('crowd-tool-call-review', CrowdToolCallReview);
})();
