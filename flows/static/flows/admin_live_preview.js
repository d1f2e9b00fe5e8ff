// Live preview of the task UI template being edited in the admin (flows/admin_versions.py).
// On each pause in typing, the template and sample input go to the portal's preview
// (review_ui.preview.preview_render), which checks and stores them; the sandboxed frame
// then reloads the rendered task. No library: a fetch and an iframe.
(function () {
  "use strict";
  const DELAY_MS = 400;

  function start() {
    const holder = document.getElementById("live-preview");
    const editor = document.getElementById("template-editor");
    if (!holder || !editor) return;
    const input = document.getElementById("preview-input");
    const status = document.getElementById("preview-status");
    const errors = document.getElementById("preview-errors");
    const frameHolder = document.getElementById("preview-frame-holder");
    let timer = null;
    let sent = 0;

    function showErrors(list) {
      errors.replaceChildren(...list.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
      errors.hidden = list.length === 0;
    }

    function frameFor(url, sandbox) {
      // A new frame each time: the sandbox attribute only applies to frames created with it.
      const frame = document.createElement("iframe");
      frame.id = "preview-frame";
      frame.title = "Live preview";
      frame.setAttribute("sandbox", sandbox);
      frame.style.width = "100%";
      frame.style.minHeight = "420px";
      frame.style.border = "1px solid #ccc";
      frame.src = url;
      frameHolder.replaceChildren(frame);
    }

    async function render() {
      const number = ++sent;
      const body = new URLSearchParams({ template: editor.value, input: input.value, ui: holder.dataset.ui });
      status.textContent = "Rendering…";
      let answer;
      try {
        const response = await fetch(holder.dataset.renderUrl, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": holder.dataset.csrfToken, Accept: "application/json" },
        });
        answer = await response.json();
      } catch (error) {
        if (number === sent) status.textContent = "The preview could not be reached: " + error;
        return;
      }
      if (number !== sent) return; // a later edit is on its way
      showErrors(answer.errors || []);
      if (answer.ok) {
        frameFor(answer.frameUrl + "&n=" + number, answer.sandbox);
        status.textContent = "Preview of the text above (not published).";
      } else {
        status.textContent = "Fix the errors below to see the preview.";
      }
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(render, DELAY_MS);
    }

    editor.addEventListener("input", later);
    input.addEventListener("input", later);
    render();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
