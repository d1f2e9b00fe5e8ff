"""In a real browser, a task template and its input cannot reach the reviewer's session.

The template below tries everything a hostile template author would: read
cookies and storage, reach into the portal page, fetch portal pages with the
reviewer's cookie, post a form. It writes what happened into the frame's own
DOM, which the test reads through the browser's debugging protocol.
"""

from __future__ import annotations

import json
import time

import pytest

from flows.models import ReviewTask  # noqa: E402
from tests import factories  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"

PROBE_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<div id="input">{{ task.input.taskObject }}</div>
<pre id="probe">running</pre>
<script>
  var results = {};
  function attempt(name, action) {
    try { results[name] = "allowed:" + String(action()).slice(0, 80); }
    catch (error) { results[name] = "blocked:" + error.name; }
  }
  attempt("cookie", function () { return document.cookie; });
  attempt("localStorage", function () { return window.localStorage.length; });
  attempt("parentDocument", function () { return window.parent.document.title; });
  attempt("parentLocation", function () { return window.parent.location.href; });
  var pending = 2;
  function done() { if (--pending === 0) document.getElementById("probe").textContent = JSON.stringify(results); }
  fetch("/portal/", { credentials: "include" })
    .then(function (r) { return r.text(); })
    .then(function (t) { results.fetch = "allowed:" + t.slice(0, 40); done(); },
          function (e) { results.fetch = "blocked:" + e.name; done(); });
  var xhr = new XMLHttpRequest();
  try {
    xhr.open("GET", "/portal/api/tasks/next");
    xhr.withCredentials = true;
    xhr.onload = function () { results.xhr = "allowed:" + xhr.status; done(); };
    xhr.onerror = function () { results.xhr = "blocked:error"; done(); };
    xhr.send();
  } catch (error) { results.xhr = "blocked:" + error.name; done(); }
</script>
"""


@pytest.mark.django_db(transaction=True)
def test_a_template_cannot_read_the_session_or_fetch_portal_pages_and_input_scripts_do_not_run(live_server, chromium):
    account = factories.account()
    reviewer = factories.user("rita", password=PASSWORD)
    team = factories.workteam(account, members=[reviewer])
    ui = factories.human_task_ui(account, content=PROBE_TEMPLATE)
    flow = factories.flow_definition(account, team, ui, name="probe")
    factories.human_loop(flow, {"taskObject": '<img src="x" onerror="window.pwned=1"><script>window.pwned=2</script>'})
    factories.human_loop(flow)  # what a successful /api/tasks/next from the frame would claim

    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        # The portal page itself claims the next task ahead; here it must not, so only the frame could.
        page.route("**/portal/api/tasks/ahead*", lambda route: route.fulfill(status=204))
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=login]", "rita")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-button")
        page.wait_for_url("**/portal/")
        page.goto(live_server.url + "/portal/work/?flow=probe")

        frame = page.frame_locator("#task-frame")
        probe = frame.locator("#probe")
        deadline = time.monotonic() + 15
        while probe.inner_text() == "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        results = json.loads(probe.inner_text())
        frame_handle = page.locator("#task-frame").element_handle().content_frame()
        pwned = frame_handle.evaluate("window.pwned === undefined ? null : window.pwned")
        input_text = frame.locator("#input").inner_text()
    finally:
        context.close()

    assert all(outcome.startswith("blocked:") for outcome in results.values()), results
    assert set(results) == {"cookie", "localStorage", "parentDocument", "parentLocation", "fetch", "xhr"}
    assert pwned is None  # neither the <script> nor the onerror handler in the input ran
    assert input_text.startswith('<img src="x"')  # the input shows as text
    assert ReviewTask.objects.filter(worker=reviewer).count() == 1  # the frame's API call never reached the server
