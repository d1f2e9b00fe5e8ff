"""Input cannot run script in the task frame through any filter the AWS samples use (issue 11, finding 6).

The samples print input with plain output (autoescaped), `escape`, `to_json` (inside <script>),
`to_json | escape` (in attributes) and `grant_read_access` (in src attributes). A value that closes
the script element and opens another one must stay data in every one of them; had it run, it would
post a forged answer through the portal's postMessage channel.
"""

import pytest

from tests import factories

pytestmark = pytest.mark.browser

RUN = "window.__pwned=(window.__pwned||0)+1;parent.postMessage({type:'hitl:submit',answer:{forged:'yes'}},'*');"
PAYLOAD = f'</script><script>{RUN}</script><img src=x onerror="{RUN}">\'"&amp;\u2028\u2029<!--'

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<script>var data = {{ task.input | to_json }}; var text = {{ task.input.text | to_json }};</script>
<crowd-form>
  <p id="plain">{{ task.input.text }}</p>
  <p id="escaped">{{ task.input.text | escape }}</p>
  <div id="categories" data-categories="{{ task.input.labels | to_json | escape }}"></div>
  <img id="picture" alt="" src="{{ task.input.text | grant_read_access }}">
  <input type="hidden" name="pwned" id="pwned" value="pending">
  <input type="hidden" name="roundtrip" id="roundtrip" value="pending">
  <input type="hidden" name="categories" id="categoriesOut" value="pending">
</crowd-form>
<script>
  document.getElementById('roundtrip').value = (data.text === text) ? text : 'mismatch';
  document.getElementById('categoriesOut').value = JSON.parse(
    document.getElementById('categories').getAttribute('data-categories'))[0];
  setTimeout(function () { document.getElementById('pwned').value = String(window.__pwned || 0); }, 500);
</script>
"""


def test_script_in_the_input_stays_text_through_every_filter_the_samples_use(portal):
    flow = portal.flow(TEMPLATE)
    loop = factories.human_loop(flow, {"text": PAYLOAD, "labels": [PAYLOAD]})
    dialogs = []
    portal.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    frame = portal.start(flow)
    frame.locator("#pwned:not([value=pending])").wait_for(state="attached")
    assert frame.locator("#plain").text_content() == PAYLOAD
    assert frame.locator("#escaped").text_content() == PAYLOAD
    assert frame.locator("#plain script, #plain img, #escaped script, #escaped img").count() == 0
    frame.get_by_role("button", name="Submit").click()

    answer = portal.answer_of(loop)
    assert answer == {"pwned": "0", "roundtrip": PAYLOAD, "categories": PAYLOAD}
    assert dialogs == []
