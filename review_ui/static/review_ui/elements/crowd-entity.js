/* crowd-entity-annotation: label spans of text. Self-contained: its shadow root holds its own crowd-form. */
(function () {
  'use strict';
  var C = window.CrowdElements;

  /* Offsets in the answer count Unicode code points (Python str indices); the choice lives here only. */
  function toCodePoints(text, utf16) {
    return Array.from(text.slice(0, utf16)).length;
  }
  function fromCodePoints(text, cp) {
    var chars = Array.from(text);
    return chars.slice(0, cp).join('').length;
  }
  C.entityOffsets = { toCodePoints: toCodePoints, fromCodePoints: fromCodePoints };

  var KEYS_HIGHLIGHT = 'hitl-entity-keys';

  /* Words and punctuation marks of `text`, as [start, end) UTF-16 offsets: what the arrow keys step over. */
  function tokens(text) {
    var out = [];
    var re = /[\p{L}\p{N}\p{M}_]+(?:['\u2019.\-][\p{L}\p{N}\p{M}_]+)*|[^\s\p{L}\p{N}\p{M}_]/gu;
    var m;
    while ((m = re.exec(text)) !== null) out.push({ start: m.index, end: m.index + m[0].length });
    return out;
  }

  var CSS = [
    '.labels{display:flex;flex-wrap:wrap;gap:6px}',
    '.labels .swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}',
    '.text{border:1px solid #eaeded;padding:14px;line-height:2.4;white-space:pre-wrap;font-size:15px;background:#fff;user-select:text}',
    'mark.entity{border-radius:3px;padding:1px 0;cursor:pointer;color:inherit}',
    'mark.entity.selected{outline:2px solid #0073bb;outline-offset:1px}',
    '::highlight(hitl-entity-keys){background-color:#b5d7ff;color:inherit}',
    'mark.entity .tag{font-size:10px;font-weight:700;vertical-align:super;margin-left:2px;user-select:none}',
    'mark.entity .remove{border:none;background:none;cursor:pointer;font-size:10px;padding:0 2px;color:#16191f}',
    '.note{color:#687078;font-size:12px}',
    '.crowd-auto-submit{font:600 14px sans-serif;background:#ec7211;color:#fff;border:1px solid #ec7211;border-radius:2px;padding:6px 20px;cursor:pointer}',
    '.crowd-auto-submit:disabled{opacity:.5;cursor:default}',
    '@media (max-width:640px),(pointer:coarse){.crowd-auto-submit{min-height:44px;min-width:44px}}',
  ].join('\n');

  class CrowdEntityAnnotation extends C.CrowdElement {
    static get upgradedProperties() {
      return ['labels'];
    }
    build() {
      var layout = C.buildPageLayout(
        this,
        '<div class="labels" role="radiogroup" aria-label="Labels"></div>' +
          '<div class="note">Pick a label (keys 1-9), then select text (or move with the arrow keys, Shift+arrows to ' +
            'take more words, n to label them). Click a span to relabel it; \u2715 removes it.</div>' +
          '<div class="text" part="text"></div><div class="form-slot"></div>',
        CSS,
      );
      this._root = layout.root;
      this._text = this.getAttribute('text') || '';
      this._labelIndex = 0;
      this._applyLabels(this._labelsSet ? this._labelsValue : C.attrValue(this, 'labels', []) || []);
      var self = this;
      this._entities = [];
      var iv = C.attrValue(this, 'initial-value', []) || [];
      (Array.isArray(iv) ? iv : []).forEach(function (e) {
        self._entities.push({
          label: String(e.label),
          start: fromCodePoints(self._text, Number(e.startOffset)),
          end: fromCodePoints(self._text, Number(e.endOffset)),
        });
      });
      this._textBox = layout.root.querySelector('.text');
      this._renderText();
      this._textBox.addEventListener('mouseup', function () {
        setTimeout(function () {
          self._takeSelection();
        }, 0);
      });
      // The inner form: a real crowd-form whose .form accepts controls moved in by template scripts.
      var form = document.createElement('crowd-form');
      form._owner = this;
      layout.root.querySelector('.form-slot').appendChild(form);
      this._form = form;
      // The inner form's Submit goes to the layout's action bar, where every other widget has it.
      if (form._autoSubmit) {
        var bar = form._autoSubmit.parentNode;
        layout.actions.appendChild(form._autoSubmit);
        layout.actions.hidden = false;
        bar.remove();
      }
      C.registerChoices(this);
      this._tokens = tokens(this._text);
      this._kbd = null; // keyboard selection: {anchor, focus} token indices
      this._selectedEntity = -1;
      if (C.keys) C.keys.register(this);
    }

    get labels() {
      return this._labelObjs ? this._labelObjs.slice() : this._labelsValue || [];
    }
    set labels(list) {
      if (!this._root) {
        this._labelsSet = true;
        this._labelsValue = list || [];
        return;
      }
      this._applyLabels(list || []);
    }
    _applyLabels(list) {
      this._labelObjs = list.map(function (l) {
        if (typeof l !== 'object' || l === null) l = { label: String(l) };
        return {
          label: String(l.label),
          shortDisplayName: l.shortDisplayName || l.label,
          // Two AWS samples write longDisplayName; treat it as fullDisplayName.
          fullDisplayName: l.fullDisplayName || l.longDisplayName || l.label,
        };
      });
      if (this._labelIndex >= this._labelObjs.length) this._labelIndex = 0;
      this._renderLabels();
    }
    _labelInfo(label) {
      for (var i = 0; i < this._labelObjs.length; i++) if (this._labelObjs[i].label === label) return { obj: this._labelObjs[i], i: i };
      return { obj: { label: label, shortDisplayName: label }, i: this._labelObjs.length };
    }
    _color(label) {
      return C.PALETTE[this._labelInfo(label).i % C.PALETTE.length];
    }
    _renderLabels() {
      var box = this._root.querySelector('.labels');
      box.innerHTML = '';
      var self = this;
      this._labelObjs.forEach(function (l, i) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'btn label' + (i === self._labelIndex ? ' selected' : '');
        b.setAttribute('role', 'radio');
        b.setAttribute('aria-checked', String(i === self._labelIndex));
        b.innerHTML = (i < 9 ? '<kbd>' + (i + 1) + '</kbd>' : '') + '<span class="swatch"></span><span class="t"></span>';
        b.querySelector('.swatch').style.background = C.PALETTE[i % C.PALETTE.length];
        b.querySelector('.t').textContent = l.fullDisplayName;
        b.addEventListener('mousedown', function (e) { e.preventDefault(); });
        b.addEventListener('click', function () { self.pickChoice(i); });
        box.appendChild(b);
      });
    }
    pickChoice(i) {
      if (i >= this._labelObjs.length) return false;
      this._labelIndex = i;
      this._renderLabels();
      // A span selected with [ or ] takes the label chosen now, as a selected box does.
      var e = this._entities[this._selectedEntity];
      if (e && e.label !== this._labelObjs[i].label) {
        e.label = this._labelObjs[i].label;
        this._changed();
      }
      return true;
    }
    _renderText() {
      var box = this._textBox;
      box.innerHTML = '';
      var text = this._text;
      var ents = this._entities.slice().sort(function (a, b) { return a.start - b.start; });
      var pos = 0;
      var self = this;
      function seg(from, to, parent) {
        var s = document.createElement('span');
        s.className = 'seg';
        s.setAttribute('data-start', String(from));
        s.textContent = text.slice(from, to);
        parent.appendChild(s);
      }
      ents.forEach(function (e) {
        if (e.start > pos) seg(pos, e.start, box);
        var mark = document.createElement('mark');
        mark.className = 'entity' + (self._entities.indexOf(e) === self._selectedEntity ? ' selected' : '');
        var color = self._color(e.label);
        mark.style.background = color + '40';
        mark.style.borderBottom = '2px solid ' + color;
        seg(e.start, e.end, mark);
        var tag = document.createElement('span');
        tag.className = 'tag';
        tag.style.color = color;
        tag.textContent = self._labelInfo(e.label).obj.shortDisplayName;
        var rm = document.createElement('button');
        rm.type = 'button';
        rm.className = 'remove';
        rm.textContent = '\u2715';
        rm.setAttribute('aria-label', 'Remove');
        rm.addEventListener('click', function (ev) {
          ev.stopPropagation();
          self._entities.splice(self._entities.indexOf(e), 1);
          self._changed();
        });
        tag.appendChild(rm);
        mark.appendChild(tag);
        mark.addEventListener('click', function () {
          if (self._selectionRange()) return;
          var label = self._labelObjs[self._labelIndex];
          if (label && e.label !== label.label) {
            e.label = label.label;
            self._changed();
          }
        });
        box.appendChild(mark);
        pos = e.end;
      });
      if (pos < text.length || !ents.length) seg(pos, text.length, box);
    }
    _changed() {
      this._clearWords();
      this._renderText();
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }
    _boundaryOffset(node, off) {
      var segs = this._textBox.querySelectorAll('.seg');
      for (var i = 0; i < segs.length; i++) {
        var t = segs[i].firstChild;
        if (!t) continue;
        var r = document.createRange();
        r.selectNodeContents(t);
        var cmp = r.comparePoint(node, off);
        var start = Number(segs[i].getAttribute('data-start'));
        if (cmp < 0) return start;
        if (cmp === 0) return node === t ? start + off : start;
      }
      return this._text.length;
    }
    _selectionRange() {
      // document.getSelection() retargets a selection inside a shadow tree to the host (it looks collapsed),
      // so ask for the composed range that reaches into our shadow root.
      var sel = document.getSelection();
      if (!sel || !sel.rangeCount) return null;
      var root = this._root;
      var range = null;
      if (sel.getComposedRanges) {
        var ranges;
        try {
          ranges = sel.getComposedRanges({ shadowRoots: [root] });
        } catch (e) {
          ranges = sel.getComposedRanges(root);
        }
        if (ranges && ranges.length) range = ranges[0];
      } else if (root.getSelection) {
        var inner = root.getSelection();
        if (inner && inner.rangeCount) range = inner.getRangeAt(0);
      }
      return range && !range.collapsed ? range : null;
    }
    _takeSelection() {
      var range = this._selectionRange();
      if (!range || !this._textBox.contains(range.startContainer) || !this._textBox.contains(range.endContainer)) return;
      var a = this._boundaryOffset(range.startContainer, range.startOffset);
      var b = this._boundaryOffset(range.endContainer, range.endOffset);
      var start = Math.min(a, b);
      var end = Math.max(a, b);
      while (start < end && /\s/.test(this._text[start])) start++;
      while (end > start && /\s/.test(this._text[end - 1])) end--;
      document.getSelection().removeAllRanges();
      this._labelSpan(start, end);
    }
    /* Label [start, end) (UTF-16 offsets) with the chosen label: the mouse's and the keyboard's way in. */
    _labelSpan(start, end) {
      if (start >= end) return;
      var label = this._labelObjs[this._labelIndex];
      if (!label) return;
      // A labelled span can only be re-selected whole (it is then relabelled); partial overlaps are refused.
      for (var i = 0; i < this._entities.length; i++) {
        var e = this._entities[i];
        if (e.start === start && e.end === end) {
          e.label = label.label;
          this._changed();
          return;
        }
        if (start < e.end && e.start < end) return;
      }
      this._entities.push({ label: label.label, start: start, end: end });
      this._changed();
    }
    /* ---------- keyboard (crowd-keys.js) ----------
     * The arrows move a word cursor (a real text selection, so it looks as a mouse selection does),
     * Shift+arrows take in more words or fewer, n labels the selected words with the chosen label;
     * [ and ] select a labelled span (a digit then relabels it, Delete removes it). */
    keyHelp() {
      return {
        moveRight: 'Select the next word',
        moveLeft: 'Select the previous word',
        wider: 'Take in the next word too',
        narrower: 'Take in one word fewer',
        newBox: 'Label the selected words with the chosen label',
        nextShape: 'Select the next labelled span (a digit relabels it, Delete removes it)',
        previousShape: 'Select the previous labelled span',
      };
    }
    keyAction(action) {
      var n = this._tokens.length;
      if (!n) return false;
      var k = this._kbd;
      if (action === 'moveRight' || action === 'moveLeft') {
        var step = action === 'moveRight' ? 1 : -1;
        // From the selected words, else from the last word the keys touched, else from an end of the text.
        var from = k ? (step > 0 ? Math.max(k.anchor, k.focus) : Math.min(k.anchor, k.focus)) : this._caret;
        var at = from === undefined || from < 0 ? (step > 0 ? 0 : n - 1) : Math.max(0, Math.min(n - 1, from + step));
        this._selectWords(at, at);
      } else if (action === 'wider' || action === 'narrower') {
        if (!k) this._selectWords(0, 0);
        else this._selectWords(k.anchor, Math.max(0, Math.min(n - 1, k.focus + (action === 'wider' ? 1 : -1))));
      } else if (action === 'newBox') {
        if (!k) return false;
        var a = this._tokens[Math.min(k.anchor, k.focus)];
        var b = this._tokens[Math.max(k.anchor, k.focus)];
        this._clearWords();
        this._labelSpan(a.start, b.end);
      } else if (action === 'nextShape' || action === 'previousShape') {
        var m = this._entities.length;
        if (!m) return false;
        var order = this._entities.slice().sort(function (a, b) { return a.start - b.start; });
        var pos = order.indexOf(this._entities[this._selectedEntity]);
        var d = action === 'nextShape' ? 1 : -1;
        pos = pos < 0 ? (d > 0 ? 0 : m - 1) : (pos + d + m) % m;
        this._clearWords();
        this._selectedEntity = this._entities.indexOf(order[pos]);
        this._renderText();
      } else if (action === 'delete') {
        if (this._selectedEntity < 0) return false;
        this._entities.splice(this._selectedEntity, 1);
        this._selectedEntity = -1;
        this._changed();
      } else {
        return false;
      }
      return true;
    }
    _clearWords() {
      this._kbd = null;
      if (window.CSS && CSS.highlights) CSS.highlights.delete(KEYS_HIGHLIGHT);
    }
    _selectWords(anchor, focus) {
      if (this._selectedEntity >= 0) {
        this._selectedEntity = -1;
        this._renderText();
      }
      this._kbd = { anchor: anchor, focus: focus };
      this._caret = focus;
      var first = this._tokens[Math.min(anchor, focus)];
      var last = this._tokens[Math.max(anchor, focus)];
      var from = this._textPoint(first.start);
      var to = this._textPoint(last.end);
      if (!from || !to) return;
      // A highlight, not the text selection: the mouse's selection stays the reviewer's own.
      var range = document.createRange();
      range.setStart(from.node, from.offset);
      range.setEnd(to.node, to.offset);
      if (window.CSS && CSS.highlights && window.Highlight) CSS.highlights.set(KEYS_HIGHLIGHT, new Highlight(range));
      if (from.node.parentNode.scrollIntoView) from.node.parentNode.scrollIntoView({ block: 'nearest' });
    }
    /* The text node and offset of UTF-16 offset `at` of the text (the segments' data-start say where each begins). */
    _textPoint(at) {
      var segs = this._textBox.querySelectorAll('.seg');
      for (var i = segs.length - 1; i >= 0; i--) {
        var start = Number(segs[i].getAttribute('data-start'));
        var node = segs[i].firstChild;
        if (node && start <= at && at <= start + node.length) return { node: node, offset: at - start };
      }
      return null;
    }
    get _submittableValue() {
      var text = this._text || '';
      return {
        entities: (this._entities || [])
          .slice()
          .sort(function (a, b) { return a.start - b.start; })
          .map(function (e) {
            return { endOffset: toCodePoints(text, e.end), label: e.label, startOffset: toCodePoints(text, e.start) };
          }),
      };
    }
    get value() {
      return this._submittableValue;
    }
    serializeInto(answer, name) {
      answer[name] = this._submittableValue;
    }
  }
  C.define('crowd-entity-annotation', CrowdEntityAnnotation);
})();
