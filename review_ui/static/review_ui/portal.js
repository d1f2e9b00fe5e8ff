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
// frame (a preview page not while a field of its own has the focus) and sends the reviewer's keymap as
// {type: "hitl:keymap", keymap}. In preview mode nothing is sent: the answer is shown, and the reply
// carries preview: true and the answer.
//
// The next task already loaded: once a task is on the screen, this page claims the next one ahead
// (POST data-ahead-url, one ahead at most, through the same claim as any other) and renders it in a
// hidden, inert frame. On submit the frames swap at once, while the answer is being sent: the task
// ahead is on the screen in one step; once the answer is stored the server is told it is shown
// (POST showUrl: its time limit starts now). Should the answer be refused, the frames swap back and
// the refused task shows why. Leaving the page gives the hidden task back unseen, and so does a hidden task whose lease is
// about to run out (it is then claimed again). Without a task ahead, the page loads the next task
// once the answer is stored, as before. Every task put on the screen, by either path, is announced
// with a "hitl:task-shown" event on window.
(function () {
  "use strict";

  var bar = document.getElementById("task-bar");
  var firstFrame = document.getElementById("task-frame");
  if (!firstFrame || !bar) {
    return;
  }
  var preview = bar.dataset.preview === "1";
  var statusBox = document.getElementById("submit-status");
  var timeLeft = document.getElementById("time-left");
  var SWAP_MARGIN_MS = 2000;

  // A task on this page: its frame and what the task bar shows for it.
  function taskOf(frame, info) {
    return { frame: frame, info: info, ready: false, refresh: 0 };
  }
  var releaseForm = document.querySelector(".release-form");
  var titleBox = document.getElementById("task-title");
  var descriptionBox = document.getElementById("task-description");
  var current = taskOf(firstFrame, {
    taskId: bar.dataset.taskId,
    submitUrl: bar.dataset.submitUrl,
    apiReleaseUrl: bar.dataset.apiReleaseUrl,
    releaseUrl: releaseForm ? releaseForm.getAttribute("action") : "",
    title: titleBox ? titleBox.textContent : "",
    description: descriptionBox ? descriptionBox.textContent : "",
    deadline: Date.now() + parseInt(bar.dataset.secondsLeft || "0", 10) * 1000,
  });
  var ahead = null; // the task claimed ahead, in a hidden frame
  var submitting = null; // the task whose answer is being sent
  var claiming = false;

  // This page's requests go one at a time, in order: a submit, the next task's show, the next claim
  // ahead. The server then never sees two writes of one reviewer race (SQLite serializes writers).
  var requests = Promise.resolve();
  function post(url, body, keepalive) {
    if (keepalive) {
      return send(url, body, true); // the page is going away: now or never
    }
    var next = requests.then(function () {
      return send(url, body, false);
    });
    requests = next.catch(function () {});
    return next;
  }

  function send(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": bar.dataset.csrfToken,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  function reply(task, payload) {
    payload.type = "hitl:submit-result";
    task.frame.contentWindow.postMessage(payload, "*");
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

  function sendKeymap(task) {
    if (bar.dataset.keymap) {
      task.frame.contentWindow.postMessage({ type: "hitl:keymap", keymap: JSON.parse(bar.dataset.keymap) }, "*");
    }
  }

  /* ---------- which frame is on the screen ---------- */

  function hide(task) {
    task.frame.id = "";
    task.frame.classList.add("task-frame-ahead");
    // Inert and hidden: it takes no focus, no keys and no clicks until it is on the screen.
    task.frame.setAttribute("inert", "");
    task.frame.setAttribute("aria-hidden", "true");
    task.frame.tabIndex = -1;
  }

  function putOnScreen(task, swapped) {
    var frame = task.frame;
    frame.id = "task-frame";
    frame.classList.remove("task-frame-ahead");
    frame.removeAttribute("inert");
    frame.removeAttribute("aria-hidden");
    frame.removeAttribute("tabindex");
    current = task;
    var info = task.info;
    if (swapped) {
      bar.dataset.taskId = String(info.taskId);
      bar.dataset.submitUrl = info.submitUrl;
      bar.dataset.apiReleaseUrl = info.apiReleaseUrl;
      titleBox.textContent = info.title;
      if (descriptionBox) {
        descriptionBox.textContent = info.description;
      }
      document.title = info.title + " \u00b7 hitl";
      frame.title = info.title;
      Array.prototype.forEach.call(document.querySelectorAll(".release-form"), function (form) {
        form.setAttribute("action", info.releaseUrl);
      });
      if (info.deadline) {
        startCountdown(Math.max(0, Math.round((info.deadline - Date.now()) / 1000)));
      }
    }
    if (task.ready) {
      showReady(swapped);
    } // else its hitl:ready shows it
  }

  function editingThisPage() {
    var active = document.activeElement;
    return !!active && active.matches("input, textarea, select, button, [contenteditable]");
  }

  function showReady(swapped) {
    var frame = current.frame;
    frame.classList.add("ready");
    // Keyboard-only review: keys go to the task straight away (and to its auto-focus field, if any).
    // Not on a preview page while its person is in one of its fields: the frame reloads as they edit
    // the template or the form, and taking the focus (and scrolling to the frame) would drop their
    // typing and move the button they are about to click.
    if (!(preview && editingThisPage())) {
      frame.focus();
    }
    frame.contentWindow.postMessage({ type: "hitl:shown" }, "*");
    window.dispatchEvent(
      new CustomEvent("hitl:task-shown", { detail: { taskId: bar.dataset.taskId, swapped: !!swapped } })
    );
  }

  /* ---------- the task ahead ---------- */

  function claimAhead() {
    if (preview || !bar.dataset.aheadUrl || ahead || claiming || submitting) {
      return;
    }
    claiming = true;
    var url = new URL(bar.dataset.aheadUrl, window.location.href);
    url.searchParams.set("shown", bar.dataset.taskId);
    post(url.toString())
      .then(function (response) {
        return response.status === 200 ? response.json() : null;
      })
      .then(function (info) {
        claiming = false;
        if (!info || ahead || submitting || String(info.taskId) === bar.dataset.taskId) {
          return;
        }
        var frame = document.createElement("iframe");
        frame.className = "task-frame";
        frame.title = info.title;
        frame.setAttribute("sandbox", current.frame.getAttribute("sandbox"));
        info.deadline = Date.now() + info.secondsLeft * 1000;
        ahead = taskOf(frame, info);
        hide(ahead);
        armRefresh(ahead);
        frame.src = info.frameUrl;
        current.frame.parentNode.appendChild(frame);
      })
      .catch(function () {
        claiming = false; // no task ahead: the next submit loads the page again, which is still correct
      });
  }

  // A hidden task must not time out unseen (its loop would then be barred to this reviewer).
  function armRefresh(task) {
    var secondsLeft = (task.info.deadline - Date.now()) / 1000;
    var margin = Math.max(5, Math.min(30, task.info.secondsLeft / 4));
    task.refresh = window.setTimeout(function () {
      if (ahead === task) {
        giveBackAhead(false);
        claimAhead();
      }
    }, Math.max(0, secondsLeft - margin) * 1000);
  }

  function giveBackAhead(keepalive) {
    if (!ahead) {
      return;
    }
    var gone = ahead;
    ahead = null;
    window.clearTimeout(gone.refresh);
    gone.frame.remove();
    post(gone.info.apiReleaseUrl, { unseen: true }, keepalive).catch(function () {});
  }

  function swapInAhead() {
    var next = ahead;
    ahead = null;
    window.clearTimeout(next.refresh);
    putOnScreen(next, true);
    return next;
  }

  // After the answer before it is stored: one request at a time from this page, so the server never
  // sees a reviewer's submit and show race (SQLite serializes writers).
  function confirmShown(task) {
    post(task.info.showUrl)
      .then(function (response) {
        if (!response.ok) {
          throw new Error("not shown");
        }
        return response.json();
      })
      .then(function (body) {
        task.info.deadline = Date.now() + body.secondsLeft * 1000;
        if (current === task) {
          startCountdown(body.secondsLeft);
        }
        claimAhead();
      })
      .catch(function () {
        // The lease went away while the task waited: take the next task the ordinary way.
        if (current === task) {
          window.location.assign(bar.dataset.nextUrl);
        }
      });
  }

  /* ---------- submit ---------- */

  var queued = null; // an answer given while the one before it is still being sent
  function submitAnswer(answer) {
    var task = current;
    if (submitting) {
      queued = { task: task, answer: answer };
      return;
    }
    submitting = task;
    var swapped = null;
    if (ahead && ahead.info.deadline - Date.now() > SWAP_MARGIN_MS) {
      hide(task);
      swapped = swapInAhead();
      showStatus("");
    } else {
      showStatus("Submitting…");
    }
    post(task.info.submitUrl, { answerContent: answer })
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
        submitting = null;
        var after = queued;
        queued = null;
        if (result.ok) {
          if (swapped) {
            task.frame.remove();
            confirmShown(swapped);
            if (after && after.task === current) {
              submitAnswer(after.answer); // after the show, in the same line of requests
            }
          } else {
            showStatus("Submitted. Loading the next task…", "ok");
            reply(task, { ok: true, message: "Submitted." });
            giveBackAhead(true);
            window.location.assign(bar.dataset.nextUrl);
          }
          return;
        }
        if (after) {
          reply(after.task, { ok: false, message: "The answer before this one was refused, so this one was not sent." });
        }
        var message = result.body.message || result.body.detail || "The answer was not accepted (" + result.status + ").";
        refused(task, swapped, message);
      })
      .catch(function () {
        submitting = null;
        if (queued) {
          reply(queued.task, { ok: false, message: "The answer before this one could not be sent; submit again." });
          queued = null;
        }
        refused(task, swapped, "The answer could not be sent. Check your connection and submit again.");
      });
  }

  function refused(task, swapped, message) {
    if (swapped && task.frame.isConnected) {
      // Back to the refused task, so the reviewer sees why; the other one waits hidden again.
      var other = current;
      giveBackAhead(false);
      hide(other);
      ahead = other;
      armRefresh(other);
      putOnScreen(task, true);
    }
    showStatus(message, "error");
    reply(task, { ok: false, message: message });
  }

  /* ---------- messages from the frames ---------- */

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!isPlainObject(data)) {
      return;
    }
    // A hidden frame only says it is ready; nothing else it sends is heard.
    var hidden = [ahead, submitting].filter(function (task) {
      return task && task !== current && event.source === task.frame.contentWindow;
    })[0];
    if (hidden) {
      if (data.type === "hitl:ready") {
        hidden.ready = true;
        sendKeymap(hidden);
      }
      return;
    }
    // Only the task frame may talk to us; its origin is opaque ("null"), so check the window.
    if (event.source !== current.frame.contentWindow) {
      return;
    }
    if (data.type === "hitl:ready") {
      current.ready = true;
      sendKeymap(current);
      showReady(false);
      claimAhead();
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
      reply(current, { ok: false, message: "The task produced an answer that is not a JSON object." });
      return;
    }
    if (preview) {
      var box = document.getElementById("preview-answer");
      if (box) {
        box.textContent = JSON.stringify(data.answer, null, 2);
      }
      reply(current, { ok: true, preview: true, answer: data.answer, message: "Preview: the answer was not sent." });
    } else {
      submitAnswer(data.answer);
    }
  });

  // Leaving the page gives the hidden task back. Through this page's own links and forms (Skip,
  // Release, the header), before the next page is asked for, so the two requests never race;
  // closing the tab or typing an address, as the page goes (a keepalive request).
  function leaveAfterGivingBack(go) {
    var gone = ahead;
    ahead = null;
    window.clearTimeout(gone.refresh);
    var left = false;
    var leave = function () {
      if (!left) {
        left = true;
        go();
      }
    };
    post(gone.info.apiReleaseUrl, { unseen: true }).then(leave, leave);
    window.setTimeout(leave, 1500); // a slow server must not keep the reviewer here
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!ahead || !link || event.defaultPrevented || event.button !== 0 || link.target) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || link.origin !== window.location.origin) {
      return;
    }
    event.preventDefault();
    leaveAfterGivingBack(function () {
      window.location.assign(link.href);
    });
  });
  document.addEventListener("submit", function (event) {
    if (!ahead || event.defaultPrevented) {
      return;
    }
    var form = event.target;
    event.preventDefault();
    leaveAfterGivingBack(function () {
      HTMLFormElement.prototype.submit.call(form);
    });
  });
  window.addEventListener("pagehide", function () {
    giveBackAhead(true);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload(); // back from the page cache: the task ahead was given back
    }
  });

  /* ---------- lease countdown ---------- */

  // From the server's count of seconds left (immune to a wrong client clock).
  var countdown = 0;
  function startCountdown(secondsLeft) {
    if (!timeLeft) {
      return;
    }
    var generation = ++countdown;
    var deadline = Date.now() + secondsLeft * 1000;
    var format = function (seconds) {
      var h = Math.floor(seconds / 3600);
      var m = Math.floor((seconds % 3600) / 60);
      var s = seconds % 60;
      var mm = (h > 0 && m < 10 ? "0" : "") + m;
      return (h > 0 ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
    };
    timeLeft.classList.remove("expired", "low");
    var tick = function () {
      if (generation !== countdown) {
        return; // another task's countdown took over
      }
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
  if (bar.dataset.secondsLeft) {
    startCountdown(parseInt(bar.dataset.secondsLeft, 10));
  }
})();
