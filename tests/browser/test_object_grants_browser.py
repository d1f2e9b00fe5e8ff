"""In Chromium: a task page naming another account's output shows the refusal, and its own images load."""

import pytest

from tests import factories
from tests.browser.conftest import store_image

pytestmark = pytest.mark.browser

TEMPLATE = """<crowd-form>
  <img id="own" src="{{ task.input.own | grant_read_access }}">
  <img id="foreign" src="{{ task.input.foreign | grant_read_access }}">
  <crowd-input name="note" label="Note"></crowd-input>
</crowd-form>"""


def test_the_reviewer_sees_the_refusal_notice_and_only_the_allowed_image_loads(portal):
    other = factories.account(name="tenant-b")
    other_team = factories.workteam(other, members=[factories.user("bob")])
    factories.flow_definition(other, other_team, name="kyc", s3_output_path="s3://b-results/reviews")
    foreign = store_image("b-results", "reviews/kyc/2026/12/01/loop/output.png", 40, 30)
    flow = portal.flow(TEMPLATE)
    factories.human_loop(flow, {"own": store_image("photos", "own.png", 64, 48), "foreign": foreign})

    frame = portal.start(flow)

    notice = frame.locator("[data-hitl-refused-objects]")
    assert notice.is_visible()
    assert "another account's output path" in notice.inner_text()
    sizes = portal.frame().evaluate(
        """() => Promise.all(['own', 'foreign'].map(id => {
             const img = document.getElementById(id);
             return img.complete ? [img.naturalWidth, img.currentSrc.slice(0, 5)]
               : new Promise(done => img.addEventListener('load', () => done([img.naturalWidth, img.currentSrc.slice(0, 5)])));
           }))"""
    )
    assert sizes[0] == [64, "http:"]  # the account's own image, through its bound URL
    assert sizes[1] == [480, "data:"]  # the placeholder, never B's object
