/* Segmentation widgets: crowd-semantic-segmentation, crowd-instance-segmentation.
 * Paint is kept as a per-pixel index map at natural size, so the PNG has exact colours and no anti-aliasing.
 * Unlabelled pixels are opaque white; palette d3 category10 in label (or instance) order (both unconfirmed). */
(function () {
  'use strict';
  var C = window.CrowdElements;

  function hexToRgb(hex) {
    var h = String(hex).replace('#', '');
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    var n = parseInt(h, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  class SegmentationBase extends C.ImageAnnotator {
    get toolHint() {
      return 'Paint over the image with the brush; use the eraser to correct.';
    }
    build() {
      this._classes = []; // [{label, color}] index+1 is the value stored in the map
      super.build();
      var tools = this._root.querySelector('.tools');
      var extra = document.createElement('span');
      extra.className = 'paint-tools';
      extra.innerHTML =
        '<button type="button" class="btn brush selected">Brush</button><button type="button" class="btn eraser">Eraser</button>' +
        '<label>Size <input type="range" class="brush-size" min="1" max="60" value="12"></label>';
      tools.insertBefore(extra, tools.firstChild);
      this._root.querySelector('.delete').hidden = true;
      var self = this;
      this._erase = false;
      extra.querySelector('.brush').addEventListener('click', function () { self._setEraser(false); });
      extra.querySelector('.eraser').addEventListener('click', function () { self._setEraser(true); });
      this._brushInput = extra.querySelector('.brush-size');
    }
    _setEraser(on) {
      this._erase = on;
      this._root.querySelector('.brush').classList.toggle('selected', !on);
      this._root.querySelector('.eraser').classList.toggle('selected', on);
    }
    onImageLoad() {
      var w = this.naturalWidth;
      var h = this.naturalHeight;
      if (!this._map || this._map.length !== w * h) {
        this._map = new Uint16Array(w * h);
        this._off = document.createElement('canvas');
        this._off.width = w;
        this._off.height = h;
        this._offCtx = this._off.getContext('2d');
        this._pixels = this._offCtx.createImageData(w, h);
        if (this._initialValue) this._loadInitialImage(this._initialValue);
      }
    }
    loadInitial(iv) {
      this._initialValue = iv;
    }
    /* Undo/redo snapshots copy the map; fine for the image sizes reviewers handle. */
    commit() {
      this._history.push(this._snapshot());
      if (this._history.length > 30) this._history.shift();
      this._future = [];
      this._modified = true;
      this.showValidation(null);
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }
    _snapshot() {
      return { map: this._map ? this._map.slice() : null, classes: JSON.stringify(this._classes) };
    }
    _restore(snap) {
      if (snap.map) this._map = snap.map;
      this._classes = JSON.parse(snap.classes);
      this._repaintAll();
      this._afterClassesChanged();
    }
    undo() {
      if (!this._history.length) return;
      this._future.push(this._snapshot());
      this._restore(this._history.pop());
    }
    redo() {
      if (!this._future.length) return;
      this._history.push(this._snapshot());
      this._restore(this._future.pop());
    }
    _afterClassesChanged() {}
    _repaintAll() {
      if (!this._map) return;
      var px = this._pixels.data;
      var rgb = this._classes.map(function (c) { return hexToRgb(c.color); });
      for (var i = 0; i < this._map.length; i++) {
        var v = this._map[i];
        if (v && rgb[v - 1]) {
          px[i * 4] = rgb[v - 1][0];
          px[i * 4 + 1] = rgb[v - 1][1];
          px[i * 4 + 2] = rgb[v - 1][2];
          px[i * 4 + 3] = 140;
        } else px[i * 4 + 3] = 0;
      }
      this._offCtx.putImageData(this._pixels, 0, 0);
      this.redraw();
    }
    /* The map value the brush paints with; 0 erases. */
    paintValue() {
      return 0;
    }
    _paint(p) {
      var value = this._erase ? 0 : this.paintValue();
      if (value < 0 || !this._map) return;
      var r = Number(this._brushInput.value) / this.scale / 2;
      var w = this.naturalWidth;
      var h = this.naturalHeight;
      var x0 = Math.max(0, Math.floor(p.x - r));
      var x1 = Math.min(w - 1, Math.ceil(p.x + r));
      var y0 = Math.max(0, Math.floor(p.y - r));
      var y1 = Math.min(h - 1, Math.ceil(p.y + r));
      var px = this._pixels.data;
      var rgb = value ? hexToRgb(this._classes[value - 1].color) : null;
      for (var y = y0; y <= y1; y++) {
        for (var x = x0; x <= x1; x++) {
          var dx = x + 0.5 - p.x;
          var dy = y + 0.5 - p.y;
          if (dx * dx + dy * dy > r * r && !(x === Math.floor(p.x) && y === Math.floor(p.y))) continue;
          var i = y * w + x;
          this._map[i] = value;
          if (rgb) {
            px[i * 4] = rgb[0];
            px[i * 4 + 1] = rgb[1];
            px[i * 4 + 2] = rgb[2];
            px[i * 4 + 3] = 140;
          } else px[i * 4 + 3] = 0;
        }
      }
      this._offCtx.putImageData(this._pixels, 0, 0, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }
    _stroke(a, b) {
      var s = this.scale;
      var steps = Math.max(1, Math.ceil((Math.hypot(b.x - a.x, b.y - a.y) * s) / 2));
      for (var k = 1; k <= steps; k++) this._paint({ x: a.x + ((b.x - a.x) * k) / steps, y: a.y + ((b.y - a.y) * k) / steps });
    }
    onDown(p) {
      if (!this._erase && this.paintValue() < 0) return;
      this.commit();
      this._last = p;
      this._paint(p);
    }
    onMove(p, e, dragging) {
      this._hover = p;
      if (dragging && this._last) {
        this._stroke(this._last, p);
        this._last = p;
      }
    }
    onUp() {
      this._last = null;
    }
    draw(ctx, s) {
      if (this._off) {
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(this._off, 0, 0, this.naturalWidth * s, this.naturalHeight * s);
      }
      if (this._hover) {
        ctx.beginPath();
        ctx.arc(this._hover.x * s, this._hover.y * s, Number(this._brushInput.value) / 2, 0, Math.PI * 2);
        ctx.strokeStyle = '#16191f';
        ctx.lineWidth = 1;
        ctx.stroke();
      }
    }
    /* Which class values were painted at all. */
    _usedValues() {
      var used = {};
      for (var i = 0; i < this._map.length; i++) if (this._map[i]) used[this._map[i]] = true;
      return used;
    }
    pngImageData() {
      var w = this.naturalWidth;
      var h = this.naturalHeight;
      if (!w || !h || !this._map) return '';
      var c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      var ctx = c.getContext('2d');
      var img = ctx.createImageData(w, h);
      var rgb = this._classes.map(function (k) { return hexToRgb(k.color); });
      for (var i = 0; i < this._map.length; i++) {
        var v = this._map[i];
        var col = v && rgb[v - 1] ? rgb[v - 1] : [255, 255, 255];
        img.data[i * 4] = col[0];
        img.data[i * 4 + 1] = col[1];
        img.data[i * 4 + 2] = col[2];
        img.data[i * 4 + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      return c.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
    }
    _loadInitialImage(iv) {
      if (!iv || !iv.src) return;
      var self = this;
      var img = new Image();
      img.crossOrigin = 'anonymous';
      img.onload = function () {
        try {
          var c = document.createElement('canvas');
          c.width = self.naturalWidth;
          c.height = self.naturalHeight;
          var ctx = c.getContext('2d');
          ctx.imageSmoothingEnabled = false;
          ctx.drawImage(img, 0, 0, c.width, c.height);
          var data = ctx.getImageData(0, 0, c.width, c.height).data;
          var lookup = {};
          self._classes.forEach(function (k, i) {
            lookup[hexToRgb(k.color).join(',')] = i + 1;
          });
          for (var i = 0; i < self._map.length; i++) {
            var key = data[i * 4] + ',' + data[i * 4 + 1] + ',' + data[i * 4 + 2];
            self._map[i] = lookup[key] || 0;
          }
          self._repaintAll();
        } catch (e) {
          C.reportTemplateError(self, 'could not read the initial-value overlay image: ' + e.message);
        }
      };
      img.src = iv.src;
    }
    get _submittableValue() {
      if (!this._root || !this._map) return { inputImageProperties: this._root ? this.inputImageProperties : { height: 0, width: 0 } };
      var v = this.segmentationValue();
      v.inputImageProperties = this.inputImageProperties;
      v.labeledImage = { pngImageData: this.pngImageData() };
      if (this._initialValue) v.initialValueModified = !!this._modified;
      return v;
    }
  }

  class CrowdSemanticSegmentation extends SegmentationBase {
    _applyLabels(list) {
      super._applyLabels(list);
      // One class per label, coloured by label position; existing paint keeps its class.
      var self = this;
      var classes = this._classes || [];
      this._labels.forEach(function (label) {
        if (!classes.some(function (c) { return c.label === label; })) classes.push({ label: label, color: null });
      });
      classes.forEach(function (c) {
        c.color = self.colorOf(c.label);
      });
      this._classes = classes;
      if (this._map) this._repaintAll();
    }
    loadInitial(iv) {
      super.loadInitial(iv);
      var self = this;
      var mappings = (iv && iv.labelMappings) || {};
      Object.keys(mappings).forEach(function (label) {
        var c = self._classes.filter(function (k) { return k.label === label; })[0];
        if (c && mappings[label].color) c.color = mappings[label].color;
      });
    }
    paintValue() {
      var label = this.currentLabel;
      if (label === undefined) {
        this.requireLabel();
        return -1;
      }
      for (var i = 0; i < this._classes.length; i++) if (this._classes[i].label === label) return i + 1;
      return -1;
    }
    segmentationValue() {
      var used = this._usedValues();
      var mappings = {};
      this._classes.forEach(function (c, i) {
        if (used[i + 1]) mappings[c.label] = { color: c.color };
      });
      return { labelMappings: mappings };
    }
  }
  C.define('crowd-semantic-segmentation', CrowdSemanticSegmentation);

  class CrowdInstanceSegmentation extends SegmentationBase {
    build() {
      super.build();
      var tools = this._root.querySelector('.tools');
      var add = document.createElement('button');
      add.type = 'button';
      add.className = 'btn add-instance';
      add.textContent = 'Add instance';
      var self = this;
      add.addEventListener('click', function () {
        self._newInstance();
      });
      tools.insertBefore(add, tools.firstChild);
      this._instanceInfo = document.createElement('span');
      this._instanceInfo.className = 'shortcut-hint';
      tools.insertBefore(this._instanceInfo, add.nextSibling);
    }
    loadInitial(iv) {
      super.loadInitial(iv);
      var self = this;
      ((iv && iv.instances) || []).forEach(function (inst) {
        self._classes.push({ label: String(inst.label), color: inst.color || C.PALETTE[self._classes.length % 10] });
      });
    }
    _newInstance() {
      if (!this.requireLabel()) return -1;
      this.commit();
      this._classes.push({ label: this.currentLabel, color: C.PALETTE[this._classes.length % C.PALETTE.length] });
      this._current = this._classes.length;
      this._afterClassesChanged();
      return this._current;
    }
    _afterClassesChanged() {
      if (!this._instanceInfo) return;
      var cur = this._classes[(this._current || 0) - 1];
      this._instanceInfo.textContent = cur ? cur.label + ' #' + this._current : '';
      if (cur) this._instanceInfo.style.color = cur.color;
    }
    onLabelPicked() {
      var cur = this._classes[(this._current || 0) - 1];
      if (cur && cur.label !== this.currentLabel) this._current = 0;
      this._afterClassesChanged();
    }
    paintValue() {
      var cur = this._classes[(this._current || 0) - 1];
      if (cur && cur.label === this.currentLabel) return this._current;
      // First stroke with a label starts its first instance.
      if (this.currentLabel === undefined) {
        this.requireLabel();
        return -1;
      }
      this._classes.push({ label: this.currentLabel, color: C.PALETTE[this._classes.length % C.PALETTE.length] });
      this._current = this._classes.length;
      this._afterClassesChanged();
      return this._current;
    }
    segmentationValue() {
      var used = this._usedValues();
      return {
        instances: this._classes
          .filter(function (c, i) {
            return used[i + 1];
          })
          .map(function (c) {
            return { color: c.color, label: c.label };
          }),
      };
    }
  }
  C.define('crowd-instance-segmentation', CrowdInstanceSegmentation);
})();
