// The new-flow form's live preview: after each edit of the template or the sample input (debounced),
// POST both to the console's preview endpoint; when they are valid, reload the sandboxed preview frame
// (review_ui's preview frame renders what the session holds), else list the errors.
(function () {
  "use strict";

  var form = document.getElementById("flow-form");
  var frame = document.getElementById("task-frame");
  if (!form || !frame) {
    return;
  }
  var template = document.getElementById("id_template");
  var input = document.getElementById("id_sample_input");
  var team = document.getElementById("id_team");
  var errors = document.getElementById("preview-errors");
  var timer = null;
  var generation = 0;

  function showErrors(list) {
    errors.textContent = "";
    list.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      errors.appendChild(item);
    });
    errors.hidden = list.length === 0;
  }

  function refresh() {
    var mine = ++generation;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("template", template.value);
    body.append("input", input.value);
    if (team) {
      body.append("team", team.value);
    }
    fetch(form.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (mine !== generation) {
          return; // a newer edit is on its way
        }
        showErrors(result.ok ? [] : result.errors || ["The preview could not be made."]);
        if (result.ok) {
          frame.src = frame.dataset.src + "&v=" + mine;
          frame.dataset.generation = String(mine);
        }
      })
      .catch(function () { showErrors(["The preview could not be reached."]); });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }

  template.addEventListener("input", later);
  input.addEventListener("input", later);
  if (team) {
    team.addEventListener("change", later);
  }
  refresh();
})();
