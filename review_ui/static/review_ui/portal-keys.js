// Keyboard on the portal's own pages (work list, history, shortcuts, the task page outside its frame).
//
// The reviewer's help key (? unless remapped) shows the list of shortcuts, with the reviewer's own keys,
// read from <script id="portal-shortcuts"> (review_ui/templatetags/portal_shortcuts.py). On the work
// list, 1-9 start the n-th task type. Inside the task frame, the frame's own list answers instead
// (elements/crowd-keys.js): key presses there never reach this page.
(function () {
  "use strict";

  var source = document.getElementById("portal-shortcuts");
  if (!source) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var helpKey = "?";
  data.actions.forEach(function (row) {
    if (row.action === "help") {
      helpKey = row.key;
    }
  });
  var overlay = null;
  var returnFocus = null;

  // The same key names as crowd-keys.js: "Enter", "s", "?", "Shift+ArrowLeft", "Ctrl+k".
  function keyName(e) {
    var key = e.key === " " ? "Space" : e.key;
    var printable = key.length === 1;
    return (e.ctrlKey ? "Ctrl+" : "") + (e.altKey ? "Alt+" : "") + (e.metaKey ? "Meta+" : "") +
      (e.shiftKey && !printable ? "Shift+" : "") + key;
  }

  function isEditable(el) {
    if (!el || !el.localName) {
      return false;
    }
    if (el.isContentEditable || el.localName === "textarea" || el.localName === "select") {
      return true;
    }
    return el.localName === "input" && ["checkbox", "radio", "button", "submit", "reset"].indexOf(el.type) < 0;
  }

  function startLinks() {
    return document.querySelectorAll("a.start-working");
  }

  function addRow(body, key, what, action) {
    var tr = document.createElement("tr");
    if (action) {
      tr.dataset.action = action;
    }
    var k = document.createElement("td");
    var kbd = document.createElement("kbd");
    kbd.textContent = key;
    k.appendChild(kbd);
    var d = document.createElement("td");
    d.textContent = what;
    tr.appendChild(k);
    tr.appendChild(d);
    body.appendChild(tr);
  }

  function addSection(table, title) {
    var head = document.createElement("tbody");
    var tr = document.createElement("tr");
    var th = document.createElement("th");
    th.colSpan = 2;
    th.scope = "colgroup";
    th.textContent = title;
    tr.appendChild(th);
    head.appendChild(tr);
    table.appendChild(head);
    var body = document.createElement("tbody");
    table.appendChild(body);
    return body;
  }

  function build() {
    var box = document.createElement("div");
    box.id = "portal-shortcuts-overlay";
    box.className = "shortcuts-overlay";
    box.hidden = true;
    box.innerHTML =
      '<div class="shortcuts-dialog" role="dialog" aria-modal="true" aria-labelledby="portal-shortcuts-title">' +
      '<div class="shortcuts-head"><h2 id="portal-shortcuts-title">Keyboard shortcuts</h2>' +
      '<button type="button" class="shortcuts-close" aria-label="Close">\u00d7</button></div>' +
      '<table></table><p class="shortcuts-note">These are your keys; change them on the ' +
      '<a href="/portal/shortcuts/">Shortcuts</a> page.</p></div>';
    var table = box.querySelector("table");
    var page = addSection(table, "On this page");
    addRow(page, helpKey, "Show or hide this list", "help");
    if (startLinks().length) {
      addRow(page, "1 \u2013 9", "Start working on the n-th task type of the list");
    }
    var task = addSection(table, "On a task");
    data.actions.forEach(function (row) {
      if (row.action !== "help") {
        addRow(task, row.key, row.description, row.action);
      }
    });
    data.fixed.forEach(function (row) {
      addRow(task, row.key, row.description);
    });
    box.querySelector(".shortcuts-close").addEventListener("click", close);
    box.addEventListener("click", function (e) {
      if (e.target === box) {
        close();
      }
    });
    document.body.appendChild(box);
    return box;
  }

  function open() {
    overlay = overlay || build();
    returnFocus = document.activeElement;
    overlay.hidden = false;
    overlay.querySelector(".shortcuts-close").focus();
  }

  function close() {
    if (!overlay || overlay.hidden) {
      return;
    }
    overlay.hidden = true;
    // Back where the reviewer was; on the task page that is the task itself.
    var frame = document.getElementById("task-frame");
    var target = returnFocus && returnFocus !== document.body ? returnFocus : frame;
    if (target && target.focus) {
      target.focus();
    }
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented) {
      return;
    }
    var name = keyName(e);
    if (overlay && !overlay.hidden) {
      if (e.key === "Escape" || name === helpKey) {
        e.preventDefault();
        close();
      } else if (e.key === "Tab") {
        e.preventDefault(); // the list is modal
        overlay.querySelector(".shortcuts-close").focus();
      }
      return;
    }
    if (isEditable(document.activeElement)) {
      return;
    }
    if (name === helpKey) {
      e.preventDefault();
      open();
      return;
    }
    var links = startLinks();
    if (/^[1-9]$/.test(name) && links.length >= Number(name)) {
      e.preventDefault();
      links[Number(name) - 1].click();
    }
  });
})();
