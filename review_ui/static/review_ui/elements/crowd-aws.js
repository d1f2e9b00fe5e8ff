/* A2I built-in review widgets: crowd-textract-analyze-document, crowd-rekognition-detect-moderation-labels.
 * Both ignore `name` and answer under a fixed key. */
(function () {
  'use strict';
  var C = window.CrowdElements;

  var CSS = [
    '.doc{display:flex;gap:16px;align-items:flex-start}',
    '.page{position:relative;flex:1;min-width:0;border:1px solid #eaeded;line-height:0}',
    '.page img{width:100%;display:block}',
    '.box{position:absolute;border:2px solid #0073bb;background:rgba(0,115,187,.08);pointer-events:none}',
    '.box.value{border-color:#1d8102;background:rgba(29,129,2,.08)}',
    '.box.active{border-width:3px;background:rgba(236,114,17,.2);border-color:#ec7211}',
    '.pairs{width:380px;flex:none;display:flex;flex-direction:column;gap:10px;max-height:75vh;overflow:auto}',
    '.pair{border:1px solid #d5dbdb;border-radius:3px;padding:8px 10px;cursor:pointer}',
    '.pair.active{border-color:#ec7211;box-shadow:0 0 0 1px #ec7211}',
    '.pair.rejected{opacity:.55}',
    '.pair label.f{display:block;font-size:11px;color:#545b64;margin-top:4px}',
    '.pair input[type=text]{width:100%;box-sizing:border-box;font:inherit;padding:4px 6px;border:1px solid #aab7b8}',
    '.pair input[readonly]{background:#f2f3f3}',
    '.opts{display:flex;flex-wrap:wrap;gap:12px;margin-top:6px;font-size:13px}',
    '.missing-title{font-weight:700;margin-top:6px}',
    '.image{text-align:center}.image img{max-width:100%;max-height:60vh}',
    '.cats{display:flex;flex-direction:column;gap:6px}',
    '.cats label{display:flex;gap:8px;align-items:center;cursor:pointer}',
    '.cats .parent{color:#687078;font-size:12px}',
  ].join('\n');

  /* ---------- Textract ---------- */
  function norm(s) {
    return String(s || '').trim().replace(/[:\s]+$/, '').toLowerCase();
  }

  class CrowdTextractAnalyzeDocument extends C.CrowdElement {
    static get fixedAnswerKey() {
      return 'AWS/Textract/AnalyzeDocument/Forms/V1';
    }
    build() {
      var layout = C.buildPageLayout(
        this,
        '<div class="doc"><div class="page"><img alt="Document page"></div><div class="pairs"></div></div>',
        CSS,
      );
      this._root = layout.root;
      this._root.querySelector('.page img').src = this.getAttribute('src') || '';
      var blocks = C.attrValue(this, 'initial-value', []) || [];
      if (!Array.isArray(blocks) && blocks.blocks) blocks = blocks.blocks;
      this._blocks = blocks;
      var byId = {};
      blocks.forEach(function (b) {
        byId[b.id] = b;
      });
      function rel(block, type) {
        var ids = [];
        (block.relationships || []).forEach(function (r) {
          if (r.type === type) ids = ids.concat(r.ids || []);
        });
        return ids;
      }
      function textOf(block) {
        if (!block) return '';
        var words = rel(block, 'CHILD')
          .map(function (id) {
            return byId[id] && byId[id].blockType === 'WORD' ? byId[id].text : null;
          })
          .filter(function (t) {
            return t !== null && t !== undefined;
          });
        return words.length ? words.join(' ') : block.text || '';
      }
      this._rel = rel;
      this._byId = byId;
      var pairs = (this._pairs = []);
      blocks.forEach(function (b) {
        if (b.blockType !== 'KEY_VALUE_SET' || (b.entityTypes || []).indexOf('KEY') < 0) return;
        var valueId = rel(b, 'VALUE')[0];
        var vb = valueId ? byId[valueId] : null;
        pairs.push({ key: b, value: vb, keyText: textOf(b), valueText: textOf(vb), origKey: textOf(b), origValue: textOf(vb), rejected: false, blank: false });
      });
      var keys = C.attrValue(this, 'keys', []) || [];
      this._missing = keys
        .map(function (k) {
          return typeof k === 'string' ? { importantFormKey: k, importantFormKeyAliases: [] } : k;
        })
        .filter(function (k) {
          var names = [k.importantFormKey].concat(k.importantFormKeyAliases || []).map(norm);
          return !pairs.some(function (p) {
            return names.indexOf(norm(p.keyText)) >= 0;
          });
        })
        .map(function (k) {
          return { name: String(k.importantFormKey), value: '', notFound: true };
        });
      this._render();
    }
    _render() {
      var self = this;
      var list = this._root.querySelector('.pairs');
      var page = this._root.querySelector('.page');
      var noKeyEdit = this.hasAttribute('no-key-edit');
      this._pairs.forEach(function (p, i) {
        var card = document.createElement('div');
        card.className = 'pair';
        card.innerHTML =
          '<label class="f">Key</label><input type="text" class="key-text"><label class="f">Value</label><input type="text" class="value-text">' +
          '<div class="opts"><label><input type="checkbox" class="blank"> Value is blank</label>' +
          '<label><input type="checkbox" class="not-pair"> No, not a key-value pair</label></div>';
        var keyInput = card.querySelector('.key-text');
        var valueInput = card.querySelector('.value-text');
        keyInput.value = p.keyText;
        keyInput.readOnly = noKeyEdit;
        keyInput.setAttribute('aria-label', 'Key ' + (i + 1));
        valueInput.value = p.valueText;
        valueInput.setAttribute('aria-label', 'Value of ' + p.keyText);
        keyInput.addEventListener('input', function () { p.keyText = keyInput.value; });
        valueInput.addEventListener('input', function () { p.valueText = valueInput.value; });
        card.querySelector('.blank').addEventListener('change', function (e) {
          p.blank = e.target.checked;
          valueInput.disabled = p.blank;
        });
        card.querySelector('.not-pair').addEventListener('change', function (e) {
          p.rejected = e.target.checked;
          card.classList.toggle('rejected', p.rejected);
        });
        var boxes = [self._box(page, p.key, 'key'), self._box(page, p.value, 'value')].filter(Boolean);
        card.addEventListener('click', function () {
          Array.prototype.forEach.call(list.querySelectorAll('.pair'), function (c) { c.classList.toggle('active', c === card); });
          Array.prototype.forEach.call(page.querySelectorAll('.box'), function (b) { b.classList.toggle('active', boxes.indexOf(b) >= 0); });
        });
        list.appendChild(card);
      });
      if (this._missing.length) {
        var title = document.createElement('div');
        title.className = 'missing-title';
        title.textContent = 'Keys not detected';
        list.appendChild(title);
      }
      this._missing.forEach(function (m) {
        var card = document.createElement('div');
        card.className = 'pair missing';
        card.innerHTML =
          '<label class="f">Key</label><div class="key-name"></div><label class="f">Value</label><input type="text" class="value-text">' +
          '<div class="opts"><label><input type="checkbox" class="not-found" checked> Key not found</label></div>';
        card.querySelector('.key-name').textContent = m.name;
        var input = card.querySelector('.value-text');
        var nf = card.querySelector('.not-found');
        input.setAttribute('aria-label', 'Value of ' + m.name);
        input.addEventListener('input', function () {
          m.value = input.value;
          m.notFound = input.value === '';
          nf.checked = m.notFound;
        });
        nf.addEventListener('change', function () {
          m.notFound = nf.checked;
        });
        list.appendChild(card);
      });
    }
    _box(page, block, kind) {
      var bb = block && block.geometry && block.geometry.boundingBox;
      if (!bb) return null;
      var d = document.createElement('div');
      d.className = 'box ' + kind;
      d.style.left = bb.left * 100 + '%';
      d.style.top = bb.top * 100 + '%';
      d.style.width = bb.width * 100 + '%';
      d.style.height = bb.height * 100 + '%';
      page.appendChild(d);
      return d;
    }
    /*
     * The answer is the reviewed block graph in the input's schema (crowd-elements 3.7), for both of its readers:
     * each KEY_VALUE_SET block carries its reviewed `text`, and its `confidence` and `geometry`; every id a CHILD
     * relationship names is a WORD block of the answer. Unchanged text keeps the detected words; corrected or
     * added text gets new words (confidence 100: a person typed them). Encodings of "No" (pair left out),
     * "Value is blank" (empty text, no words) and "Key not found" (nothing added) are unconfirmed for AWS.
     */
    _words(block, text, unchanged) {
      var byId = this._byId;
      var detected = this._rel(block, 'CHILD').map(function (id) { return byId[id]; });
      var complete = detected.length && detected.every(function (w) { return w && w.blockType === 'WORD'; });
      if (unchanged && complete) {
        return detected.map(function (w) {
          var word = { blockType: 'WORD', id: w.id, text: w.text };
          if (w.confidence !== undefined) word.confidence = w.confidence;
          if (w.geometry) word.geometry = w.geometry;
          return word;
        });
      }
      return String(text || '').split(/\s+/).filter(Boolean).map(function (t, i) {
        return { blockType: 'WORD', id: block.id + '-w-' + (i + 1), text: t, confidence: 100 };
      });
    }
    _blockOut(block, text, unchanged, valueId, words) {
      var out = { blockType: 'KEY_VALUE_SET', entityTypes: (block.entityTypes || []).slice(), id: block.id, text: text };
      out.confidence = block.confidence !== undefined ? block.confidence : 100;
      if (block.geometry) out.geometry = block.geometry;
      var own = this._words(block, text, unchanged);
      var rels = [];
      if (own.length) rels.push({ ids: own.map(function (w) { return w.id; }), type: 'CHILD' });
      if (valueId) rels.push({ ids: [valueId], type: 'VALUE' });
      if (rels.length) out.relationships = rels;
      own.forEach(function (w) { words.push(w); });
      return out;
    }
    get _submittableValue() {
      var self = this;
      var out = [];
      var words = [];
      var n = 0;
      (this._pairs || []).forEach(function (p) {
        if (p.rejected) return;
        var valueText = p.blank ? '' : p.valueText;
        var valueBlock = p.value;
        if (!valueBlock && valueText) {
          n += 1;
          valueBlock = { entityTypes: ['VALUE'], id: 'new-v-' + n };
        }
        out.push(self._blockOut(p.key, p.keyText, p.keyText === p.origKey, valueBlock ? valueBlock.id : null, words));
        if (valueBlock) out.push(self._blockOut(valueBlock, valueText, !p.blank && valueText === p.origValue, null, words));
      });
      (this._missing || []).forEach(function (m) {
        if (m.notFound || !m.value) return;
        n += 1;
        out.push(self._blockOut({ entityTypes: ['KEY'], id: 'new-k-' + n }, m.name, false, 'new-v-' + n, words));
        out.push(self._blockOut({ entityTypes: ['VALUE'], id: 'new-v-' + n }, m.value, false, null, words));
      });
      return { blocks: out.concat(words) };
    }
    get value() {
      return this._submittableValue;
    }
  }
  C.define('crowd-textract-analyze-document', CrowdTextractAnalyzeDocument);

  /* ---------- Rekognition ---------- */
  class CrowdRekognitionDetectModerationLabels extends C.CrowdElement {
    static get fixedAnswerKey() {
      return 'AWS/Rekognition/DetectModerationLabels/Image/V3';
    }
    build() {
      var layout = C.buildPageLayout(
        this,
        '<div class="image"><img alt="Image to review"></div><div class="cats" role="group" aria-label="Categories"></div>' +
          '<div><button type="button" class="btn exclusion"></button></div>' +
          '<div class="shortcut-hint">Keys 1-9 toggle a category, Enter submits.</div>',
        CSS,
      );
      this._root = layout.root;
      this._root.querySelector('.image img').src = this.getAttribute('src') || '';
      this._categories = C.attrValue(this, 'categories', []) || [];
      this._checked = this._categories.map(function () { return false; });
      this._excluded = false;
      var ex = C.attrValue(this, 'exclusion-category', null);
      // AWS's sample tells workers to "choose None"; always offer it (label from exclusion-category).
      var exButton = this._root.querySelector('.exclusion');
      exButton.textContent = (ex && (ex.text || ex)) || 'None';
      exButton.setAttribute('role', 'checkbox');
      var self = this;
      exButton.addEventListener('click', function () {
        self._excluded = !self._excluded;
        if (self._excluded) self._checked = self._checked.map(function () { return false; });
        self._render();
      });
      this._render();
      C.registerChoices(this);
    }
    _render() {
      var box = this._root.querySelector('.cats');
      box.innerHTML = '';
      var self = this;
      this._categories.forEach(function (cat, i) {
        var name = typeof cat === 'object' && cat !== null ? cat.name : String(cat);
        var parent = typeof cat === 'object' && cat !== null ? cat.parentName : '';
        var label = document.createElement('label');
        label.innerHTML = '<input type="checkbox">' + (i < 9 ? '<kbd>' + (i + 1) + '</kbd>' : '') + '<span class="n"></span><span class="parent"></span>';
        label.querySelector('.n').textContent = name;
        label.querySelector('.parent').textContent = parent ? '(' + parent + ')' : '';
        var input = label.querySelector('input');
        input.checked = self._checked[i];
        input.disabled = self._excluded;
        input.addEventListener('change', function () {
          self._checked[i] = input.checked;
        });
        box.appendChild(label);
      });
      var exButton = this._root.querySelector('.exclusion');
      exButton.classList.toggle('selected', this._excluded);
      exButton.setAttribute('aria-checked', String(this._excluded));
    }
    pickChoice(i) {
      if (i >= this._categories.length || this._excluded) return false;
      this._checked[i] = !this._checked[i];
      this._render();
      return true;
    }
    get _submittableValue() {
      var self = this;
      // Selected object categories come back whole, string categories as strings; "None" gives [].
      return {
        moderationLabels: this._excluded ? [] : (this._categories || []).filter(function (c, i) {
          return self._checked[i];
        }),
      };
    }
    get value() {
      return this._submittableValue;
    }
  }
  C.define('crowd-rekognition-detect-moderation-labels', CrowdRekognitionDetectModerationLabels);
})();
