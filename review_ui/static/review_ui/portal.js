// Parent side of the task frame protocol (see review_ui/isolation.py).
//
// The task runs in <iframe id="task-frame" sandbox="allow-scripts allow-forms allow-popups">,
// which has an opaque origin and cannot reach the portal. When its crowd-form submits, it sends
//   {type: "hitl:submit", answer: {...}}
// This page checks that the message comes from that frame, POSTs {"answerContent": answer} to the
// reviewer API with the session's CSRF token, replies
//   {type: "hitl:submit-result", ok: bool, message: string}
// and on success opens the next task of the flow. The frame's keyboard shortcuts for Skip and Release
// arrive as {type: "hitl:action", action: "skip" | "release"}; after hitl:ready this page focuses the
// frame and sends the reviewer's keymap as {type: "hitl:keymap", keymap}. In preview mode nothing is
// sent: the answer is shown, and the reply carries preview: true and the answer.
(function () {
  "use strict";

  var frame = document.getElementById("task-frame");
  var bar = document.getElementById("task-bar");
  if (!frame || !bar) {
    return;
  }
  var preview = bar.dataset.preview === "1";
  var statusBox = document.getElementById("submit-status");
  var submitting = false;

  function reply(payload) {
    payload.type = "hitl:submit-result";
    frame.contentWindow.postMessage(payload, "*");
  }

  function showStatus(text, kind) {
    if (statusBox) {
      statusBox.textContent = text;
      statusBox.className = "submit-status " + (kind || "");
    }
  }

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function showPreviewAnswer(answer) {
    var box = document.getElementById("preview-answer");
    if (box) {
      box.textContent = JSON.stringify(answer, null, 2);
    }
    reply({ ok: true, preview: true, answer: answer, message: "Preview: the answer was not sent." });
  }

  function submitAnswer(answer) {
    if (submitting) {
      return;
    }
    submitting = true;
    showStatus("Submitting…");
    fetch(bar.dataset.submitUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": bar.dataset.csrfToken,
      },
      body: JSON.stringify({ answerContent: answer }),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return { ok: response.ok, body: body, status: response.status };
          });
      })
      .then(function (result) {
        if (result.ok) {
          showStatus("Submitted. Loading the next task…", "ok");
          reply({ ok: true, message: "Submitted." });
          window.location.assign(bar.dataset.nextUrl);
          return;
        }
        submitting = false;
        var message = result.body.message || result.body.detail || "The answer was not accepted (" + result.status + ").";
        showStatus(message, "error");
        reply({ ok: false, message: message });
      })
      .catch(function () {
        submitting = false;
        var message = "The answer could not be sent. Check your connection and submit again.";
        showStatus(message, "error");
        reply({ ok: false, message: message });
      });
  }

  window.addEventListener("message", function (event) {
    // Only the task frame may talk to us; its origin is opaque ("null"), so check the window.
    if (event.source !== frame.contentWindow) {
      return;
    }
    var data = event.data;
    if (!isPlainObject(data)) {
      return;
    }
    if (data.type === "hitl:ready") {
      frame.classList.add("ready");
      // Keyboard-only review: keys go to the task straight away, with the reviewer's own keymap.
      frame.focus();
      if (bar.dataset.keymap) {
        frame.contentWindow.postMessage({ type: "hitl:keymap", keymap: JSON.parse(bar.dataset.keymap) }, "*");
      }
      return;
    }
    if (data.type === "hitl:action") {
      // Skip and Release are this page's buttons (they post the release form).
      var button = document.getElementById(data.action === "skip" ? "skip-button" : "release-button");
      if (button && !preview && (data.action === "skip" || data.action === "release")) {
        button.click();
      }
      return;
    }
    if (data.type !== "hitl:submit") {
      return;
    }
    if (!isPlainObject(data.answer)) {
      reply({ ok: false, message: "The task produced an answer that is not a JSON object." });
      return;
    }
    if (preview) {
      showPreviewAnswer(data.answer);
    } else {
      submitAnswer(data.answer);
    }
  });

  // Lease countdown, from the server's count of seconds left (immune to a wrong client clock).
  var timeLeft = document.getElementById("time-left");
  if (timeLeft && bar.dataset.secondsLeft) {
    var deadline = Date.now() + parseInt(bar.dataset.secondsLeft, 10) * 1000;
    var format = function (seconds) {
      var h = Math.floor(seconds / 3600);
      var m = Math.floor((seconds % 3600) / 60);
      var s = seconds % 60;
      var mm = (h > 0 && m < 10 ? "0" : "") + m;
      return (h > 0 ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
    };
    var tick = function () {
      var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      timeLeft.textContent = format(seconds);
      if (seconds === 0) {
        timeLeft.classList.add("expired");
        showStatus("Your time for this task ran out; it went back to the queue.", "error");
        return;
      }
      timeLeft.classList.toggle("low", seconds < 60);
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
