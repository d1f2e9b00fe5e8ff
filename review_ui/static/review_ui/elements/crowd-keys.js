/* Keyboard-only review: one keymap for every element family, the ? overlay, and always-visible focus.
 *
 * The keymap maps an action to a key name (C.keys.name(event): "Enter", "s", "?", "Shift+ArrowLeft",
 * "Ctrl+z"). The portal page sends the reviewer's own keymap in {type: "hitl:keymap", keymap} after
 * hitl:ready; Skip and Release are the portal's buttons, so they go back as {type: "hitl:action"}.
 * Widgets with keyboard actions of their own (crowd-bounding-box) register with C.keys.register(el)
 * and implement keyAction(action) -> bool. Digits 1-9 pick the n-th choice of the first widget with
 * choices (C.registerChoices); they and Tab are fixed, as in every form.
 */
(function () {
  'use strict';
  var C = window.CrowdElements;

  var ACTIONS = [
    ['help', '?', 'Show or hide this list of shortcuts'],
    ['submit', 'Enter', 'Submit the answer'],
    ['skip', 's', 'Skip: give this task back and take the next one'],
    ['release', 'r', 'Release: give this task back and go to the work list'],
    ['newBox', 'n', 'Draw a new box with the chosen label (image boxes)'],
    ['nextShape', ']', 'Select the next box'],
    ['previousShape', '[', 'Select the previous box'],
    ['moveLeft', 'ArrowLeft', 'Move the selected box left'],
    ['moveRight', 'ArrowRight', 'Move the selected box right'],
    ['moveUp', 'ArrowUp', 'Move the selected box up'],
    ['moveDown', 'ArrowDown', 'Move the selected box down'],
    ['wider', 'Shift+ArrowRight', 'Make the selected box wider'],
    ['narrower', 'Shift+ArrowLeft', 'Make the selected box narrower'],
    ['taller', 'Shift+ArrowDown', 'Make the selected box taller'],
    ['shorter', 'Shift+ArrowUp', 'Make the selected box shorter'],
    ['approve', 'a', 'Approve the current tool call'],
    ['edit', 'e', 'Edit the current tool call'],
    ['reject', 'd', 'Reject (decline) the current tool call'],
    ['respond', 'w', 'Respond instead of running the current tool call'],
  ];
  var PAGE_ACTIONS = ['help', 'submit', 'skip', 'release'];
  var FIXED = [
    ['1 \u2013 9', 'Choose the n-th label or answer'],
    ['Tab / Shift+Tab', 'Move to the next / previous field'],
    ['Space', 'Toggle the focused checkbox or button'],
    ['Delete', 'Delete the selected shape or labelled span'],
    ['Ctrl+Z / Ctrl+Y', 'Undo / redo (image tasks)'],
    ['Escape', 'Close this list; leave a text field (so that keys are shortcuts again)'],
  ];

  var keymap = {};
  ACTIONS.forEach(function (a) {
    keymap[a[0]] = a[1];
  });
  var widgets = [];

  function name(e) {
    var key = e.key === ' ' ? 'Space' : e.key;
    var printable = key.length === 1;
    // A printable key already says whether Shift was held ("S", "?"); a named key does not.
    return (e.ctrlKey ? 'Ctrl+' : '') + (e.altKey ? 'Alt+' : '') + (e.metaKey ? 'Meta+' : '') +
      (e.shiftKey && !printable ? 'Shift+' : '') + key;
  }
  function actionFor(keyName) {
    for (var action in keymap) if (keymap[action] === keyName) return action;
    return null;
  }
  function deepActive() {
    var t = document.activeElement;
    while (t && t.shadowRoot && t.shadowRoot.activeElement) t = t.shadowRoot.activeElement;
    return t;
  }
  function theForm() {
    var forms = document.querySelectorAll('crowd-form');
    if (forms.length === 1) return forms[0];
    var ea = document.querySelector('crowd-entity-annotation');
    return (ea && ea.shadowRoot && ea.shadowRoot.querySelector('crowd-form')) || null;
  }
  function connectedWidgets() {
    return widgets.filter(function (w) {
      return w.isConnected;
    });
  }

  /* ---------- the ? overlay ---------- */
  var overlay = null;
  var returnFocus = null;
  function buildOverlay() {
    var box = document.createElement('div');
    box.id = 'hitl-shortcuts';
    box.className = 'hitl-shortcuts';
    box.hidden = true;
    box.innerHTML =
      '<div class="hitl-shortcuts-dialog" role="dialog" aria-modal="true" aria-labelledby="hitl-shortcuts-title">' +
      '<div class="hitl-shortcuts-head"><h2 id="hitl-shortcuts-title">Keyboard shortcuts</h2>' +
      '<button type="button" class="hitl-shortcuts-close" aria-label="Close">\u00d7</button></div>' +
      '<table><tbody></tbody></table>' +
      '<p class="hitl-shortcuts-note">Change your keys on the portal\u2019s Shortcuts page (in its header).</p></div>';
    box.querySelector('.hitl-shortcuts-close').addEventListener('click', closeOverlay);
    box.addEventListener('click', function (e) {
      if (e.target === box) closeOverlay();
    });
    document.body.appendChild(box);
    return box;
  }
  function fillOverlay() {
    var body = overlay.querySelector('tbody');
    body.innerHTML = '';
    // Each widget says which of its keys apply, in its own words (a box, a point, a word, a tool call).
    var help = {};
    connectedWidgets().forEach(function (w) {
      var own = typeof w.keyHelp === 'function' ? w.keyHelp() : {};
      Object.keys(own).forEach(function (action) {
        if (!help[action]) help[action] = own[action];
      });
    });
    function row(keys, what, action) {
      var tr = document.createElement('tr');
      if (action) tr.dataset.action = action;
      var k = document.createElement('td');
      var kbd = document.createElement('kbd');
      kbd.textContent = keys;
      k.appendChild(kbd);
      var d = document.createElement('td');
      d.textContent = what;
      tr.appendChild(k);
      tr.appendChild(d);
      body.appendChild(tr);
    }
    ACTIONS.forEach(function (a) {
      if (PAGE_ACTIONS.indexOf(a[0]) >= 0) row(keymap[a[0]], a[2], a[0]);
      else if (help[a[0]]) row(keymap[a[0]], help[a[0]], a[0]);
    });
    FIXED.forEach(function (f) {
      row(f[0], f[1]);
    });
  }
  function openOverlay() {
    overlay = overlay || buildOverlay();
    fillOverlay();
    returnFocus = deepActive();
    overlay.hidden = false;
    overlay.querySelector('.hitl-shortcuts-close').focus();
  }
  function closeOverlay() {
    if (!overlay || overlay.hidden) return;
    overlay.hidden = true;
    // Focus goes back where it was, so the reviewer carries on from the same field.
    if (returnFocus && returnFocus.isConnected && returnFocus.focus) returnFocus.focus();
    else document.body.focus();
  }

  function toPortal(action) {
    if (!C.standalone) window.parent.postMessage({ type: 'hitl:action', action: action }, '*');
  }

  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented) return;
    if (overlay && !overlay.hidden) {
      if (e.key === 'Escape' || actionFor(name(e)) === 'help') {
        e.preventDefault();
        closeOverlay();
      } else if (e.key === 'Tab') {
        // The list is modal: focus stays on its one button.
        e.preventDefault();
        overlay.querySelector('.hitl-shortcuts-close').focus();
      }
      return;
    }
    if (C.isEditable(document.activeElement)) {
      // Escape leaves a text field, so that keys are shortcuts again.
      if (e.key === 'Escape') {
        var field = deepActive();
        if (field && field.blur) field.blur();
      }
      return;
    }
    var keyName = name(e);
    if (keyName === 'Delete' || keyName === 'Backspace') {
      var deleted = connectedWidgets().some(function (w) {
        return w.keyAction('delete');
      });
      if (deleted) e.preventDefault();
      return;
    }
    if (/^[1-9]$/.test(keyName)) {
      var target = C.choiceTargets.filter(function (el) {
        return el.isConnected;
      })[0];
      if (target && target.pickChoice(Number(keyName) - 1)) e.preventDefault();
      return;
    }
    var action = actionFor(keyName);
    if (!action) return;
    if (action === 'help') {
      e.preventDefault();
      openOverlay();
    } else if (action === 'submit') {
      var t = deepActive();
      // Enter on a focused button or link activates it instead.
      if (keyName === 'Enter' && t && (t.localName === 'button' || t.localName === 'a' || t.localName === 'crowd-button')) return;
      var form = theForm();
      if (form && typeof form.submit === 'function') {
        e.preventDefault();
        form.submit();
      }
    } else if (action === 'skip' || action === 'release') {
      e.preventDefault();
      toPortal(action);
    } else {
      var handled = connectedWidgets().some(function (w) {
        return w.keyAction(action);
      });
      if (handled) e.preventDefault();
    }
  });

  window.addEventListener('message', function (e) {
    var data = e.data;
    if (e.source === window.parent && data && data.type === 'hitl:shown') {
      // A task loaded ahead, hidden and inert, could not take focus then: its auto-focus field takes it now.
      var auto = document.querySelector('[auto-focus]');
      if (auto && typeof auto.focus === 'function' && !C.isEditable(deepActive())) auto.focus();
      return;
    }
    if (e.source !== window.parent || !data || data.type !== 'hitl:keymap' || typeof data.keymap !== 'object') return;
    Object.keys(data.keymap).forEach(function (action) {
      if (Object.prototype.hasOwnProperty.call(keymap, action) && typeof data.keymap[action] === 'string' && data.keymap[action]) {
        keymap[action] = data.keymap[action];
      }
    });
    if (overlay && !overlay.hidden) fillOverlay();
  });

  // Focus is always visible, in the page and in every element's shadow root.
  var FOCUS_CSS = ':focus-visible{outline:3px solid #0073bb !important;outline-offset:2px}';
  C.ELEMENT_CSS += '\n' + FOCUS_CSS;
  var style = document.createElement('style');
  style.textContent = [
    FOCUS_CSS,
    '.hitl-shortcuts{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:flex-start;justify-content:center;z-index:2000;padding:5vh 8px 0;font:14px "Helvetica Neue",Roboto,Arial,sans-serif}',
    '.hitl-shortcuts[hidden]{display:none}',
    '.hitl-shortcuts-dialog{background:#fff;color:#16191f;max-width:560px;width:100%;max-height:85vh;overflow:auto;border-radius:4px;padding:12px 16px;box-shadow:0 4px 20px rgba(0,0,0,.3)}',
    '.hitl-shortcuts-head{display:flex;justify-content:space-between;align-items:center}',
    '.hitl-shortcuts-head h2{margin:0;font-size:17px}',
    '.hitl-shortcuts-close{border:none;background:none;font-size:22px;cursor:pointer;min-width:44px;min-height:44px}',
    '.hitl-shortcuts table{border-collapse:collapse;width:100%}',
    '.hitl-shortcuts td{padding:4px 6px;border-top:1px solid #eaeded;vertical-align:top}',
    '.hitl-shortcuts td:first-child{white-space:nowrap;width:1%}',
    '.hitl-shortcuts kbd{font:12px monospace;border:1px solid #aab7b8;border-radius:3px;padding:1px 5px;background:#fafafa}',
    '.hitl-shortcuts-note{color:#687078;font-size:12px;margin:8px 0 0}',
  ].join('\n');
  (document.head || document.documentElement).appendChild(style);

  C.keys = {
    name: name,
    keymap: function () {
      return Object.assign({}, keymap);
    },
    register: function (el) {
      widgets.push(el);
    },
    openOverlay: openOverlay,
  };
})();
