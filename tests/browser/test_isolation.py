"""The task frame is a boundary: task input cannot run script, and a template cannot act as the reviewer."""

import pytest

from flows.models import ReviewTask
from tests import factories

pytestmark = pytest.mark.browser

HOSTILE_INPUT = "<script>alert(1)</script><img src=x onerror=alert(2)>"

PROBING_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <p id="shown">{{ task.input.taskObject }}</p>
  <input type="hidden" name="cookie" id="cookieProbe" value="pending">
  <input type="hidden" name="fetch" id="fetchProbe" value="pending">
  <input type="hidden" name="parent" id="parentProbe" value="pending">
</crowd-form>
<script>
  try { cookieProbe.value = 'read:' + document.cookie; } catch (e) { cookieProbe.value = 'blocked:' + e.name; }
  try { parentProbe.value = 'read:' + window.parent.document.cookie; } catch (e) { parentProbe.value = 'blocked:' + e.name; }
  fetch('/portal/api/tasks/next', {credentials: 'include'})
    .then(function (r) { return r.text().then(function (t) { fetchProbe.value = 'read:' + r.status + ':' + t; }); })
    .catch(function (e) { fetchProbe.value = 'blocked:' + e.name; });
</script>
"""


def test_script_in_the_task_input_is_shown_as_text_and_never_runs(portal):
    flow = portal.flow(factories.SENTIMENT_TEMPLATE)
    loop = factories.human_loop(flow, {"taskObject": HOSTILE_INPUT})
    dialogs = []
    portal.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    frame = portal.start(flow)
    target = frame.locator("classification-target")
    assert target.inner_text().strip() == HOSTILE_INPUT
    assert target.locator("script, img").count() == 0
    target.click()
    portal.page.keyboard.press("1")
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {"sentiment": {"label": "Positive"}}
    assert dialogs == []


def test_a_template_cannot_read_the_session_or_call_the_portal_as_the_reviewer(portal):
    # Given two loops: a successful /portal/api/tasks/next from the frame would claim the second one
    flow = portal.flow(PROBING_TEMPLATE)
    loop = factories.human_loop(flow, {"taskObject": "probe"})
    other = factories.human_loop(flow, {"taskObject": "bystander"})
    # The portal page itself claims the next task ahead; here it must not, so only the frame could.
    portal.page.route("**/portal/api/tasks/ahead*", lambda route: route.fulfill(status=204))

    frame = portal.start(flow)
    assert "sessionid" in {c["name"] for c in portal.page.context.cookies()}
    frame.locator("#fetchProbe[value^=blocked], #fetchProbe[value^=read]").wait_for(state="attached")
    # The other loop's task was not claimed behind the reviewer's back.
    assert ReviewTask.objects.get(human_loop=other).state == ReviewTask.State.OPEN
    frame.get_by_role("button", name="Submit").click()

    answer = portal.answer_of(loop)
    assert answer == {
        "cookie": "blocked:SecurityError",
        "fetch": "blocked:TypeError",
        "parent": "blocked:SecurityError",
    }
