// The import page's progress bar: poll the import's progress endpoint until it is done or failed.
(function () {
  "use strict";

  var box = document.getElementById("import-progress");
  if (!box) {
    return;
  }
  var bar = document.getElementById("import-bar");
  var counts = document.getElementById("import-counts");
  var state = document.getElementById("import-state");
  var message = document.getElementById("import-message");
  var errors = document.getElementById("import-errors");
  var labels = { queued: "Queued", running: "Running", done: "Done", failed: "Failed" };

  function show(p) {
    bar.value = p.percent;
    bar.textContent = p.percent + " %";
    counts.textContent = p.processed + " of " + p.total + " rows";
    state.textContent = labels[p.state] || p.state;
    state.className = "status import-" + p.state;
    box.dataset.state = p.state;
    message.textContent = p.message;
    errors.hidden = !p.has_errors;
  }

  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      })
      .then(function (p) {
        show(p);
        if (p.state !== "done" && p.state !== "failed") {
          window.setTimeout(poll, 400);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 2000);
      });
  }

  if (box.dataset.state !== "done" && box.dataset.state !== "failed") {
    poll();
  }
})();
