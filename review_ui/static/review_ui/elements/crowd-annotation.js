/* Image annotation widgets: crowd-bounding-box, crowd-keypoint, crowd-polygon, crowd-line, crowd-polyline.
 * Shapes live in natural image pixels (floats while editing, rounded integers in the answer). */
(function () {
  'use strict';
  var C = window.CrowdElements;
  var HIT = 8; // display pixels

  var CSS = [
    '.toolbar{display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}',
    '.labels{display:flex;flex-wrap:wrap;gap:6px;align-items:center}',
    '.labels button .swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}',
    '.tools{display:flex;flex-wrap:wrap;gap:4px;align-items:center}.tools button{padding:4px 10px}',
    // Segmentation's brush, eraser and size sit on the same centre line as the other tools.
    '.paint-tools{display:inline-flex;gap:4px;align-items:center;margin-right:8px}',
    '.paint-tools label{display:inline-flex;align-items:center;gap:4px;font-size:12px}',
    '.stage-wrap{overflow:auto;max-height:70vh;border:1px solid #eaeded;background:#f2f3f3}',
    '.stage{position:relative;display:inline-block;line-height:0}',
    '.stage img.source{display:block;user-select:none;-webkit-user-drag:none}',
    'canvas.upper-canvas{position:absolute;left:0;top:0;cursor:crosshair;touch-action:none}',
    '.no-labels{color:#687078;font-size:13px}',
  ].join('\n');

  class ImageAnnotator extends C.CrowdElement {
    static get upgradedProperties() {
      return ['labels'];
    }
    static get observedAttributes() {
      return ['labels', 'src'];
    }
    get toolHint() {
      return '';
    }
    build() {
      var layout = C.buildPageLayout(
        this,
        '<div class="toolbar"><div class="labels" role="radiogroup" aria-label="Labels"></div><div class="tools">' +
          '<button type="button" class="btn undo" title="Undo (Ctrl+Z)">Undo</button>' +
          '<button type="button" class="btn redo" title="Redo (Ctrl+Y)">Redo</button>' +
          '<button type="button" class="btn delete" title="Delete the selected shape (Delete)">Delete</button>' +
          '<button type="button" class="btn zoom-out" title="Zoom out">\u2212</button>' +
          '<button type="button" class="btn zoom-fit" title="Fit">Fit</button>' +
          '<button type="button" class="btn zoom-in" title="Zoom in">+</button></div></div>' +
          '<div class="stage-wrap"><div class="stage"><img class="source" alt="Image to annotate" draggable="false">' +
          '<canvas class="upper-canvas"></canvas></div></div><div class="shortcut-hint"></div>',
        CSS,
      );
      var root = (this._root = layout.root);
      root.querySelector('.shortcut-hint').textContent = this.toolHint + ' Keys 1-9 pick a label.';
      this._img = root.querySelector('img.source');
      this._canvas = root.querySelector('canvas.upper-canvas');
      this._wrap = root.querySelector('.stage-wrap');
      this._zoom = 1;
      this._shapes = [];
      this._history = [];
      this._future = [];
      this._selected = -1;
      this._labelIndex = 0;
      this.labelColors = C.attrValue(this, 'label-colors', null);
      if (!this._labelsSet) this._applyLabels(C.attrValue(this, 'labels', []) || []);
      else this._applyLabels(this._labelsValue);
      this._initDrawing();
      var iv = C.attrValue(this, 'initial-value', undefined);
      this._hasInitial = iv !== undefined && iv !== null;
      if (this._hasInitial) this.loadInitial(iv);
      this._initialState = JSON.stringify(this._shapes);
      var self = this;
      this._img.addEventListener('load', function () {
        self.onImageLoad();
        self._layout();
      });
      this._img.src = this.getAttribute('src') || '';
      root.querySelector('.undo').addEventListener('click', function () { self.undo(); });
      root.querySelector('.redo').addEventListener('click', function () { self.redo(); });
      root.querySelector('.delete').addEventListener('click', function () { self.deleteSelected(); });
      root.querySelector('.zoom-in').addEventListener('click', function () { self.setZoom(self._zoom * 1.25); });
      root.querySelector('.zoom-out').addEventListener('click', function () { self.setZoom(self._zoom / 1.25); });
      root.querySelector('.zoom-fit').addEventListener('click', function () { self.setZoom(1); });
      new ResizeObserver(function () { self._layout(); }).observe(this._wrap);
      this._keyHandler = function (e) {
        if (!self.isConnected || C.isEditable(document.activeElement)) return;
        self.onKey(e);
      };
      // Capture phase: a widget that uses Enter (finish a shape) must see it before Enter-to-submit does.
      document.addEventListener('keydown', this._keyHandler, true);
      C.registerChoices(this);
      if (C.keys) C.keys.register(this);
    }
    attributeChangedCallback(name, old, value) {
      if (!this._root || this._writingLabels) return;
      if (name === 'labels') this._applyLabels(C.attrValue(this, 'labels', []) || []);
      if (name === 'src' && value !== old) this._img.src = value || '';
    }
    onImageLoad() {}

    /* ---------- labels ---------- */
    get labels() {
      return this._root ? this._labels.slice() : (this._labelsValue || C.attrValue(this, 'labels', []) || []);
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
      this._labels = list.map(function (l) {
        return typeof l === 'object' && l !== null ? String(l.label) : String(l);
      });
      // Templates read the attribute back as compact JSON (keypoint-additional-answer-validation).
      this._writingLabels = true;
      this.setAttribute('labels', JSON.stringify(this._labels));
      this._writingLabels = false;
      if (this._labelIndex >= this._labels.length) this._labelIndex = 0;
      this._renderLabels();
      if (this._ctx) this.redraw();
    }
    colorOf(label) {
      var i = this._labels.indexOf(label);
      if (i < 0) i = this._labels.length;
      if (this.labelColors && this.labelColors[i]) return this.labelColors[i];
      return C.PALETTE[i % C.PALETTE.length];
    }
    get currentLabel() {
      return this._labels[this._labelIndex];
    }
    _renderLabels() {
      var box = this._root.querySelector('.labels');
      box.innerHTML = '';
      var self = this;
      if (!this._labels.length) {
        box.innerHTML = '<span class="no-labels">No labels yet.</span>';
        return;
      }
      this._labels.forEach(function (label, i) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'btn label' + (i === self._labelIndex ? ' selected' : '');
        b.setAttribute('role', 'radio');
        b.setAttribute('aria-checked', String(i === self._labelIndex));
        b.innerHTML = (i < 9 ? '<kbd>' + (i + 1) + '</kbd>' : '') + '<span class="swatch"></span><span class="text"></span>';
        b.querySelector('.swatch').style.background = self.colorOf(label);
        b.querySelector('.text').textContent = label;
        b.addEventListener('mousedown', function (e) { e.preventDefault(); });
        b.addEventListener('click', function () { self.pickChoice(i); });
        box.appendChild(b);
      });
    }
    pickChoice(i) {
      if (i >= this._labels.length) return false;
      this._labelIndex = i;
      this._renderLabels();
      this.onLabelPicked();
      return true;
    }
    onLabelPicked() {
      // Relabel the selected shape, as AWS's tools do when a label is chosen with a shape selected.
      if (this._selected >= 0 && this._shapes[this._selected] && this._shapes[this._selected].label !== this.currentLabel) {
        this.commit();
        this._shapes[this._selected].label = this.currentLabel;
        this.redraw();
      }
    }

    /* ---------- geometry and drawing ---------- */
    get naturalWidth() {
      return this._img.naturalWidth || 0;
    }
    get naturalHeight() {
      return this._img.naturalHeight || 0;
    }
    get scale() {
      return this.naturalWidth ? this._displayWidth / this.naturalWidth : 1;
    }
    setZoom(z) {
      this._zoom = Math.max(0.25, Math.min(8, z));
      this._layout();
    }
    _layout() {
      if (!this.naturalWidth) return;
      // Fit the whole image into the stage (its width, and 70% of the viewport's height) at zoom 1.
      var availWidth = Math.max(100, this._wrap.clientWidth - 2);
      var availHeight = Math.max(100, window.innerHeight * 0.7 - 2);
      var fit = Math.min(this.naturalWidth, availWidth, (availHeight * this.naturalWidth) / this.naturalHeight);
      this._displayWidth = fit * this._zoom;
      this._displayHeight = (this._displayWidth * this.naturalHeight) / this.naturalWidth;
      this._img.style.width = this._displayWidth + 'px';
      this._img.style.height = this._displayHeight + 'px';
      var dpr = window.devicePixelRatio || 1;
      this._canvas.style.width = this._displayWidth + 'px';
      this._canvas.style.height = this._displayHeight + 'px';
      this._canvas.width = Math.round(this._displayWidth * dpr);
      this._canvas.height = Math.round(this._displayHeight * dpr);
      this._ctx = this._canvas.getContext('2d');
      this._ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      this.redraw();
    }
    toNatural(e) {
      var r = this._canvas.getBoundingClientRect();
      var s = this.scale;
      return {
        x: Math.max(0, Math.min(this.naturalWidth, (e.clientX - r.left) / s)),
        y: Math.max(0, Math.min(this.naturalHeight, (e.clientY - r.top) / s)),
      };
    }
    near(a, b) {
      var s = this.scale;
      return Math.abs(a.x - b.x) * s <= HIT && Math.abs(a.y - b.y) * s <= HIT;
    }
    _initDrawing() {
      var self = this;
      var c = this._canvas;
      // Touch: one finger draws like the mouse; two fingers pinch to zoom and pan (the drawing is dropped).
      var touches = {};
      var pinch = null;
      function spread() {
        var ps = Object.keys(touches).map(function (id) { return touches[id]; });
        return {
          d: Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y) || 1,
          x: (ps[0].x + ps[1].x) / 2,
          y: (ps[0].y + ps[1].y) / 2,
        };
      }
      function untouch(e) {
        delete touches[e.pointerId];
        if (Object.keys(touches).length < 2) pinch = null;
      }
      c.addEventListener('pointerdown', function (e) {
        if (e.pointerType === 'touch') {
          touches[e.pointerId] = { x: e.clientX, y: e.clientY };
          if (Object.keys(touches).length === 2) {
            self._dragging = false;
            self._action = null;
            var at = spread();
            pinch = { d: at.d, x: at.x, y: at.y, zoom: self._zoom };
            self.redraw();
            return;
          }
        }
        if (pinch || e.button !== 0 || !self.naturalWidth) return;
        c.setPointerCapture(e.pointerId);
        self._dragging = true;
        self.onDown(self.toNatural(e), e);
        self.redraw();
      });
      c.addEventListener('pointermove', function (e) {
        if (e.pointerType === 'touch' && touches[e.pointerId]) touches[e.pointerId] = { x: e.clientX, y: e.clientY };
        if (pinch) {
          var now = spread();
          self.setZoom((pinch.zoom * now.d) / pinch.d);
          self._wrap.scrollLeft -= now.x - pinch.x;
          self._wrap.scrollTop -= now.y - pinch.y;
          pinch.x = now.x;
          pinch.y = now.y;
          return;
        }
        if (!self.naturalWidth) return;
        self.onMove(self.toNatural(e), e, self._dragging);
        self.redraw();
      });
      c.addEventListener('pointercancel', untouch);
      c.addEventListener('pointerup', function (e) {
        untouch(e);
        if (!self._dragging) return;
        self._dragging = false;
        self.onUp(self.toNatural(e), e);
        self.redraw();
      });
      c.addEventListener('dblclick', function (e) {
        self.onDoubleClick(self.toNatural(e), e);
        self.redraw();
      });
    }
    onDown() {}
    onMove() {}
    onUp() {}
    onDoubleClick() {}
    onKey(e) {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        this.undo();
      } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        this.redo();
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        if (this._selected >= 0) {
          e.preventDefault();
          this.deleteSelected();
        }
      }
    }
    redraw() {
      var ctx = this._ctx;
      if (!ctx) return;
      ctx.clearRect(0, 0, this._displayWidth, this._displayHeight);
      this.draw(ctx, this.scale);
    }
    draw() {}
    requireLabel() {
      if (this.currentLabel !== undefined) return true;
      this.showValidation('Add or choose a label first.');
      return false;
    }
    vertexDot(ctx, p, s, color, big) {
      ctx.beginPath();
      ctx.arc(p.x * s, p.y * s, big ? 5 : 3.5, 0, Math.PI * 2);
      ctx.fillStyle = color;
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    tag(ctx, text, x, y, color) {
      ctx.font = '12px sans-serif';
      var w = ctx.measureText(text).width + 8;
      ctx.fillStyle = color;
      ctx.fillRect(x, y - 16, w, 16);
      ctx.fillStyle = '#fff';
      ctx.fillText(text, x + 4, y - 4);
    }

    /* ---------- keyboard (crowd-keys.js) ----------
     * A new shape in the middle (newShapeByKeys), selected; the arrows move it by 1 % of the image,
     * Shift+arrows resize it; [ and ] select another. Widgets that cannot make a shape from keys
     * (segmentation paints) return null from newShapeByKeys and get none of these keys. */
    newShapeByKeys() {
      return null;
    }
    moveShape() {}
    resizeShape() {}
    get shapeNoun() {
      return 'shape';
    }
    keyHelp() {
      if (!this.makesShapesByKeys) return {};
      var noun = this.shapeNoun;
      var help = {
        newBox: 'Draw a new ' + noun + ' with the chosen label',
        nextShape: 'Select the next ' + noun,
        previousShape: 'Select the previous ' + noun,
        moveLeft: 'Move the selected ' + noun + ' left',
        moveRight: 'Move the selected ' + noun + ' right',
        moveUp: 'Move the selected ' + noun + ' up',
        moveDown: 'Move the selected ' + noun + ' down',
      };
      if (this.resizable) {
        help.wider = 'Make the selected ' + noun + ' wider';
        help.narrower = 'Make the selected ' + noun + ' narrower';
        help.taller = 'Make the selected ' + noun + ' taller';
        help.shorter = 'Make the selected ' + noun + ' shorter';
      }
      return help;
    }
    get resizable() {
      return true;
    }
    get makesShapesByKeys() {
      return this.newShapeByKeys !== ImageAnnotator.prototype.newShapeByKeys;
    }
    keyAction(action) {
      if (!this.naturalWidth || !this.makesShapesByKeys) return false;
      var shape = this._shapes[this._selected];
      var stepX = Math.max(1, this.naturalWidth / 100);
      var stepY = Math.max(1, this.naturalHeight / 100);
      var self = this;
      function change(fn) {
        if (!shape) return false;
        self.commit();
        fn();
        return true;
      }
      var done = false;
      if (action === 'newBox') {
        if (!this.requireLabel()) return true;
        this.commit();
        this._shapes.push(this.newShapeByKeys());
        // Selected, so that the arrows move it; choosing another label now relabels it.
        this._selected = this._shapes.length - 1;
        done = true;
      } else if (action === 'nextShape' || action === 'previousShape') {
        var n = this._shapes.length;
        if (!n) return false;
        var d = action === 'nextShape' ? 1 : -1;
        this._selected = this._selected < 0 ? (d > 0 ? 0 : n - 1) : (this._selected + d + n) % n;
        done = true;
      } else if (action === 'moveLeft') done = change(function () { self.moveShape(shape, -stepX, 0); });
      else if (action === 'moveRight') done = change(function () { self.moveShape(shape, stepX, 0); });
      else if (action === 'moveUp') done = change(function () { self.moveShape(shape, 0, -stepY); });
      else if (action === 'moveDown') done = change(function () { self.moveShape(shape, 0, stepY); });
      else if (this.resizable && action === 'wider') done = change(function () { self.resizeShape(shape, stepX, 0); });
      else if (this.resizable && action === 'narrower') done = change(function () { self.resizeShape(shape, -stepX, 0); });
      else if (this.resizable && action === 'taller') done = change(function () { self.resizeShape(shape, 0, stepY); });
      else if (this.resizable && action === 'shorter') done = change(function () { self.resizeShape(shape, 0, -stepY); });
      if (done) this.redraw();
      return done;
    }

    /* ---------- history ---------- */
    commit() {
      this._history.push(JSON.stringify(this._shapes));
      this._future = [];
      this.showValidation(null);
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }
    undo() {
      if (!this._history.length) return;
      this._future.push(JSON.stringify(this._shapes));
      this._shapes = JSON.parse(this._history.pop());
      this._selected = -1;
      this.redraw();
    }
    redo() {
      if (!this._future.length) return;
      this._history.push(JSON.stringify(this._shapes));
      this._shapes = JSON.parse(this._future.pop());
      this._selected = -1;
      this.redraw();
    }
    deleteSelected() {
      if (this._selected < 0) return;
      this.commit();
      this._shapes.splice(this._selected, 1);
      this._selected = -1;
      this.redraw();
    }

    /* ---------- answer ---------- */
    get inputImageProperties() {
      return { height: this.naturalHeight, width: this.naturalWidth };
    }
    shapesValue() {
      return {};
    }
    get _submittableValue() {
      if (!this._root) return { inputImageProperties: { height: 0, width: 0 } };
      var v = this.shapesValue();
      v.inputImageProperties = this.inputImageProperties;
      // initialValueModified sits at the element object's top level (documented for segmentation).
      if (this._hasInitial) v.initialValueModified = JSON.stringify(this._shapes) !== this._initialState;
      return v;
    }
    get value() {
      return this._submittableValue;
    }
    serializeInto(answer, name) {
      answer[name] = this._submittableValue;
    }
    loadInitial() {}
  }
  C.ImageAnnotator = ImageAnnotator;
  C.ANNOTATOR_CSS = CSS;

  function pt(p) {
    return { x: C.toPixel(p.x), y: C.toPixel(p.y) };
  }

  /* ---------- crowd-bounding-box ---------- */
  class CrowdBoundingBox extends ImageAnnotator {
    get shapeNoun() {
      return 'box';
    }
    get toolHint() {
      return 'Drag on the image to draw a box; drag a box to move it or its corner to resize it.';
    }
    loadInitial(iv) {
      var self = this;
      (Array.isArray(iv) ? iv : []).forEach(function (b) {
        self._shapes.push({ label: String(b.label), left: +b.left, top: +b.top, width: +b.width, height: +b.height });
      });
    }
    _corner(b, p) {
      var corners = [
        [b.left, b.top], [b.left + b.width, b.top], [b.left, b.top + b.height], [b.left + b.width, b.top + b.height],
      ];
      for (var i = 0; i < 4; i++) if (this.near(p, { x: corners[i][0], y: corners[i][1] })) return i;
      return -1;
    }
    onDown(p) {
      this._action = null;
      for (var i = this._shapes.length - 1; i >= 0; i--) {
        var b = this._shapes[i];
        var corner = this._corner(b, p);
        var inside = p.x >= b.left && p.x <= b.left + b.width && p.y >= b.top && p.y <= b.top + b.height;
        if (corner >= 0 || inside) {
          this.commit();
          this._selected = i;
          // Resizing keeps the opposite corner fixed.
          var ox = corner === 0 || corner === 2 ? b.left + b.width : b.left;
          var oy = corner === 0 || corner === 1 ? b.top + b.height : b.top;
          this._action = corner >= 0 ? { kind: 'resize', ox: ox, oy: oy } : { kind: 'move', dx: p.x - b.left, dy: p.y - b.top };
          return;
        }
      }
      this._selected = -1;
      if (!this.requireLabel()) return;
      this._action = { kind: 'new', start: p, end: p };
    }
    onMove(p, e, dragging) {
      var a = this._action;
      if (!dragging || !a) return;
      if (a.kind === 'new') a.end = p;
      var b = this._shapes[this._selected];
      if (a.kind === 'move' && b) {
        b.left = Math.max(0, Math.min(this.naturalWidth - b.width, p.x - a.dx));
        b.top = Math.max(0, Math.min(this.naturalHeight - b.height, p.y - a.dy));
      }
      if (a.kind === 'resize' && b) {
        b.left = Math.min(a.ox, p.x);
        b.top = Math.min(a.oy, p.y);
        b.width = Math.abs(p.x - a.ox);
        b.height = Math.abs(p.y - a.oy);
      }
    }
    onUp(p) {
      var a = this._action;
      this._action = null;
      if (!a || a.kind !== 'new') return;
      var s = this.scale;
      var box = {
        label: this.currentLabel,
        left: Math.min(a.start.x, p.x),
        top: Math.min(a.start.y, p.y),
        width: Math.abs(p.x - a.start.x),
        height: Math.abs(p.y - a.start.y),
      };
      if (box.width * s < 3 || box.height * s < 3) return;
      this.commit();
      this._shapes.push(box);
      this._selected = -1; // a new shape is not selected: picking the next label must not relabel it
    }
    draw(ctx, s) {
      var self = this;
      this._shapes.forEach(function (b, i) {
        var color = self.colorOf(b.label);
        ctx.lineWidth = i === self._selected ? 3 : 2;
        ctx.strokeStyle = color;
        ctx.fillStyle = color + '22';
        ctx.fillRect(b.left * s, b.top * s, b.width * s, b.height * s);
        ctx.strokeRect(b.left * s, b.top * s, b.width * s, b.height * s);
        self.tag(ctx, b.label, b.left * s, b.top * s, color);
        if (i === self._selected) {
          [[b.left, b.top], [b.left + b.width, b.top], [b.left, b.top + b.height], [b.left + b.width, b.top + b.height]].forEach(function (c) {
            self.vertexDot(ctx, { x: c[0], y: c[1] }, s, color, true);
          });
        }
      });
      var a = this._action;
      if (a && a.kind === 'new') {
        ctx.setLineDash([5, 3]);
        ctx.strokeStyle = this.colorOf(this.currentLabel);
        ctx.lineWidth = 2;
        ctx.strokeRect(Math.min(a.start.x, a.end.x) * s, Math.min(a.start.y, a.end.y) * s, Math.abs(a.end.x - a.start.x) * s, Math.abs(a.end.y - a.start.y) * s);
        ctx.setLineDash([]);
      }
    }
    /* Keyboard (ImageAnnotator.keyAction): a new box in the middle, a quarter of the image each way. */
    newShapeByKeys() {
      var w = this.naturalWidth;
      var h = this.naturalHeight;
      return { label: this.currentLabel, left: w * 0.375, top: h * 0.375, width: w / 4, height: h / 4 };
    }
    moveShape(b, dx, dy) {
      b.left = Math.max(0, Math.min(this.naturalWidth - b.width, b.left + dx));
      b.top = Math.max(0, Math.min(this.naturalHeight - b.height, b.top + dy));
    }
    resizeShape(b, dw, dh) {
      b.width = Math.max(Math.abs(dw), Math.min(b.width + dw, this.naturalWidth - b.left));
      b.height = Math.max(Math.abs(dh), Math.min(b.height + dh, this.naturalHeight - b.top));
    }
    shapesValue() {
      return {
        boundingBoxes: this._shapes.map(function (b) {
          return { height: C.toPixel(b.height), label: b.label, left: C.toPixel(b.left), top: C.toPixel(b.top), width: C.toPixel(b.width) };
        }),
      };
    }
  }
  C.define('crowd-bounding-box', CrowdBoundingBox);

  /* ---------- crowd-keypoint ---------- */
  class CrowdKeypoint extends ImageAnnotator {
    get shapeNoun() {
      return 'point';
    }
    get resizable() {
      return false;
    }
    newShapeByKeys() {
      return { label: this.currentLabel, x: this.naturalWidth / 2, y: this.naturalHeight / 2 };
    }
    moveShape(k, dx, dy) {
      k.x = Math.max(0, Math.min(this.naturalWidth, k.x + dx));
      k.y = Math.max(0, Math.min(this.naturalHeight, k.y + dy));
    }
    get toolHint() {
      return 'Click the image to place a point; drag a point to move it.';
    }
    loadInitial(iv) {
      var self = this;
      (Array.isArray(iv) ? iv : []).forEach(function (k) {
        // Points whose label is not in `labels` are not drawn (AWS doc).
        if (self._labels.indexOf(String(k.label)) >= 0) self._shapes.push({ label: String(k.label), x: +k.x, y: +k.y });
      });
    }
    onDown(p) {
      for (var i = this._shapes.length - 1; i >= 0; i--) {
        if (this.near(p, this._shapes[i])) {
          this.commit();
          this._selected = i;
          this._moving = true;
          return;
        }
      }
      this._moving = false;
      if (!this.requireLabel()) return;
      this.commit();
      this._shapes.push({ label: this.currentLabel, x: p.x, y: p.y });
      this._selected = -1; // a new shape is not selected: picking the next label must not relabel it
    }
    onMove(p, e, dragging) {
      if (dragging && this._moving && this._shapes[this._selected]) {
        this._shapes[this._selected].x = p.x;
        this._shapes[this._selected].y = p.y;
      }
    }
    onUp() {
      this._moving = false;
    }
    draw(ctx, s) {
      var self = this;
      this._shapes.forEach(function (k, i) {
        var color = self.colorOf(k.label);
        self.vertexDot(ctx, k, s, color, true);
        if (i === self._selected) {
          ctx.beginPath();
          ctx.arc(k.x * s, k.y * s, 9, 0, Math.PI * 2);
          ctx.strokeStyle = color;
          ctx.lineWidth = 2;
          ctx.stroke();
        }
        self.tag(ctx, k.label, k.x * s + 8, k.y * s - 4, color);
      });
    }
    shapesValue() {
      return {
        keypoints: this._shapes.map(function (k) {
          return { label: k.label, x: C.toPixel(k.x), y: C.toPixel(k.y) };
        }),
      };
    }
  }
  C.define('crowd-keypoint', CrowdKeypoint);

  /* ---------- vertex-based shapes: polygon, line, polyline ---------- */
  class VertexAnnotator extends ImageAnnotator {
    /* Keyboard: a polygon starts as a square in the middle, a line as a level stroke, a polyline as a zigzag. */
    newShapeByKeys() {
      var w = this.naturalWidth;
      var h = this.naturalHeight;
      var corners = this.closed
        ? [[0.375, 0.375], [0.625, 0.375], [0.625, 0.625], [0.375, 0.625]]
        : this.maxVertices === 2
          ? [[0.375, 0.5], [0.625, 0.5]]
          : [[0.375, 0.55], [0.5, 0.45], [0.625, 0.55]];
      return {
        label: this.currentLabel,
        vertices: corners.map(function (c) { return { x: c[0] * w, y: c[1] * h }; }),
      };
    }
    moveShape(shape, dx, dy) {
      var xs = shape.vertices.map(function (v) { return v.x; });
      var ys = shape.vertices.map(function (v) { return v.y; });
      // The whole shape moves, and stops at the image's edges.
      dx = Math.max(-Math.min.apply(null, xs), Math.min(this.naturalWidth - Math.max.apply(null, xs), dx));
      dy = Math.max(-Math.min.apply(null, ys), Math.min(this.naturalHeight - Math.max.apply(null, ys), dy));
      shape.vertices.forEach(function (v) {
        v.x += dx;
        v.y += dy;
      });
    }
    resizeShape(shape, dw, dh) {
      // Stretch about the left/top edge of the shape's bounding box, as a box grows to the right and down.
      var xs = shape.vertices.map(function (v) { return v.x; });
      var ys = shape.vertices.map(function (v) { return v.y; });
      var left = Math.min.apply(null, xs);
      var top = Math.min.apply(null, ys);
      var width = Math.max.apply(null, xs) - left;
      var height = Math.max.apply(null, ys) - top;
      var w = this.naturalWidth;
      var h = this.naturalHeight;
      var sx = width > 0 ? Math.max(Math.abs(dw), Math.min(width + dw, w - left)) / width : 1;
      var sy = height > 0 ? Math.max(Math.abs(dh), Math.min(height + dh, h - top)) / height : 1;
      shape.vertices.forEach(function (v) {
        v.x = left + (v.x - left) * sx;
        v.y = top + (v.y - top) * sy;
      });
    }
    get closed() {
      return false;
    }
    get maxVertices() {
      return Infinity;
    }
    get minVertices() {
      return 2;
    }
    get listKey() {
      return 'polygons';
    }
    loadInitial(iv) {
      var list = Array.isArray(iv) ? iv : (iv && iv[this.listKey]) || [];
      var self = this;
      list.forEach(function (shape) {
        self._shapes.push({
          label: String(shape.label),
          vertices: (shape.vertices || []).map(function (v) {
            return { x: +v.x, y: +v.y };
          }),
        });
      });
    }
    _finish() {
      var d = this._drawing;
      if (!d) return false;
      if (d.vertices.length < this.minVertices) return false;
      this.commit();
      this._shapes.push({ label: d.label, vertices: d.vertices });
      this._selected = -1; // a new shape is not selected: picking the next label must not relabel it
      this._drawing = null;
      return true;
    }
    onDown(p) {
      var d = this._drawing;
      if (d) {
        if (this.closed && d.vertices.length >= 3 && this.near(p, d.vertices[0])) {
          this._finish();
          return;
        }
        d.vertices.push(p);
        if (d.vertices.length >= this.maxVertices) this._finish();
        return;
      }
      // Not drawing: grab a vertex of an existing shape, select a shape, or start a new one.
      for (var i = this._shapes.length - 1; i >= 0; i--) {
        var vs = this._shapes[i].vertices;
        for (var j = 0; j < vs.length; j++) {
          if (this.near(p, vs[j])) {
            this.commit();
            this._selected = i;
            this._grab = { shape: i, vertex: j };
            return;
          }
        }
        if (this.closed && pointInPolygon(p, vs)) {
          this._selected = i;
          return;
        }
      }
      this._selected = -1;
      if (!this.requireLabel()) return;
      this._drawing = { label: this.currentLabel, vertices: [p], hover: p };
    }
    onMove(p, e, dragging) {
      if (this._drawing) this._drawing.hover = p;
      if (dragging && this._grab) {
        var v = this._shapes[this._grab.shape].vertices[this._grab.vertex];
        v.x = p.x;
        v.y = p.y;
      }
    }
    onUp() {
      this._grab = null;
    }
    onDoubleClick() {
      var d = this._drawing;
      if (!d) return;
      // The double-click's two clicks added the same vertex twice.
      while (d.vertices.length > 1 && this.near(d.vertices[d.vertices.length - 1], d.vertices[d.vertices.length - 2])) d.vertices.pop();
      this._finish();
    }
    onKey(e) {
      if (this._drawing && e.key === 'Enter') {
        e.preventDefault();
        this._finish();
        this.redraw();
        return;
      }
      if (this._drawing && e.key === 'Escape') {
        e.preventDefault();
        this._drawing = null;
        this.redraw();
        return;
      }
      super.onKey(e);
    }
    draw(ctx, s) {
      var self = this;
      function path(vs, close) {
        ctx.beginPath();
        vs.forEach(function (v, k) {
          if (k === 0) ctx.moveTo(v.x * s, v.y * s);
          else ctx.lineTo(v.x * s, v.y * s);
        });
        if (close) ctx.closePath();
      }
      this._shapes.forEach(function (sh, i) {
        var color = self.colorOf(sh.label);
        path(sh.vertices, self.closed);
        ctx.lineWidth = i === self._selected ? 3 : 2;
        ctx.strokeStyle = color;
        if (self.closed) {
          ctx.fillStyle = color + '33';
          ctx.fill();
        }
        ctx.stroke();
        sh.vertices.forEach(function (v) {
          self.vertexDot(ctx, v, s, color, i === self._selected);
        });
        if (sh.vertices.length) self.tag(ctx, sh.label, sh.vertices[0].x * s, sh.vertices[0].y * s, color);
      });
      var d = this._drawing;
      if (d) {
        var color = this.colorOf(d.label);
        path(d.vertices.concat([d.hover]), false);
        ctx.setLineDash([5, 3]);
        ctx.strokeStyle = color;
        ctx.lineWidth = 2;
        ctx.stroke();
        ctx.setLineDash([]);
        d.vertices.forEach(function (v, k) {
          self.vertexDot(ctx, v, s, color, k === 0);
        });
      }
    }
    shapesValue() {
      var out = {};
      out[this.listKey] = this._shapes.map(function (sh) {
        return { label: sh.label, vertices: sh.vertices.map(pt) };
      });
      return out;
    }
  }

  function pointInPolygon(p, vs) {
    var inside = false;
    for (var i = 0, j = vs.length - 1; i < vs.length; j = i++) {
      if (vs[i].y > p.y !== vs[j].y > p.y && p.x < ((vs[j].x - vs[i].x) * (p.y - vs[i].y)) / (vs[j].y - vs[i].y) + vs[i].x) inside = !inside;
    }
    return inside;
  }

  C.define('crowd-polygon', class CrowdPolygon extends VertexAnnotator {
    get toolHint() {
      return 'Click to add vertices; click the first vertex, double-click or press Enter to close the polygon.';
    }
    get closed() {
      return true;
    }
    get minVertices() {
      return 3;
    }
  });
  C.define('crowd-line', class CrowdLine extends VertexAnnotator {
    get toolHint() {
      return 'Click the start and then the end of each line.';
    }
    get maxVertices() {
      return 2;
    }
    get listKey() {
      return 'lines';
    }
  });
  C.define('crowd-polyline', class CrowdPolyline extends VertexAnnotator {
    get toolHint() {
      return 'Click to add vertices; double-click or press Enter to finish the polyline.';
    }
    get listKey() {
      return 'polylines';
    }
  });
})();
