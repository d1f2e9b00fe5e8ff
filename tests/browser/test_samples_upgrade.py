"""Every AWS sample template, rendered with a plausible input, runs on our bundle without a script error.

The page is served standalone (not framed), as a template author's local preview would be: the bundle
must define every crowd element the template uses and announce all-crowd-elements-ready exactly once.
"""

import pytest

from review_ui import rendering
from tests.browser.conftest import standalone_grants, standalone_sample_page
from tests.review_ui.samples import sample_input, sample_paths, sample_template

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def preview(chromium, live_server):
    """One page for all samples (so the bundle comes from the browser cache); the sample HTML is injected."""
    with standalone_sample_page(chromium, live_server, timeout_ms=10_000) as page_and_pages:
        yield page_and_pages


@pytest.mark.parametrize("sample", sample_paths())
def test_sample_upgrades_without_script_errors(sample, preview, live_server):
    page, pages = preview
    url = f"{live_server.url}/__sample__/{sample}"
    pages[url] = rendering.render_task_template(
        sample_template(sample), sample_input(sample), base_url=live_server.url, object_grants=standalone_grants()
    )
    errors = []

    def record(error):
        errors.append(str(error))

    page.on("pageerror", record)
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_function("() => window.__crowdReady === 1")
        undefined = page.evaluate(
            "() => [...document.querySelectorAll('*')].map(e => e.localName)"
            ".filter(n => n.startsWith('crowd-') && !customElements.get(n))"
        )
        has_form = page.evaluate(
            "() => !!(document.querySelector('crowd-form')?.form"
            " || document.querySelector('crowd-entity-annotation')?.shadowRoot.querySelector('crowd-form').form)"
        )
    finally:
        page.remove_listener("pageerror", record)

    assert undefined == []
    assert errors == []
    # A form (crowd-form, or the entity annotator's own) is there to submit the answer.
    assert has_form
