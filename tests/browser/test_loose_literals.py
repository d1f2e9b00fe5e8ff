"""Structured attributes are JavaScript literals, not strict JSON; a broken one is shown to the author."""

import pytest

pytestmark = pytest.mark.browser

PAGE = """<!DOCTYPE html><meta charset="utf-8">
<script src="/static/review_ui/elements/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="broken" categories="['Open quote, ]" header="Broken"></crowd-classifier>
</crowd-form>
"""

CASES = [
    ("['Positive', 'Negative']", ["Positive", "Negative"]),
    ("{ text: 'None of the above' }", {"text": "None of the above"}),
    # What the Rekognition sample's {% for %} loop prints: unquoted keys and trailing commas.
    ('[\n  {\n    name: "Suggestive",\n    parentName: "",\n  },\n]', [{"name": "Suggestive", "parentName": ""}]),
    ('[{"label": "person", "shortDisplayName": "per"}]', [{"label": "person", "shortDisplayName": "per"}]),
    ("['it\\'s', \"say \\\"hi\\\"\", 'tab\\there'] // comment", ["it's", 'say "hi"', "tab\there"]),
    ("{a: -1.5e2, b: [true, false, null], c: .5,}", {"a": -150, "b": [True, False, None], "c": 0.5}),
]


@pytest.fixture
def elements_page(page, live_server):
    url = live_server.url + "/__literals__"
    page.route(url, lambda route: route.fulfill(body=PAGE, content_type="text/html; charset=utf-8"))
    page.goto(url)
    page.wait_for_function("() => window.CrowdElements && window.CrowdElements.loaded")
    return page


@pytest.mark.parametrize(("literal", "value"), CASES)
def test_loose_literals_parse_like_javascript(elements_page, literal, value):
    assert elements_page.evaluate("(text) => window.CrowdElements.parseLoose(text)", literal) == value


def test_an_attribute_that_is_not_a_literal_is_reported_on_the_page(elements_page):
    error = elements_page.locator(".crowd-template-error")
    assert error.is_visible()
    assert error.inner_text().startswith('<crowd-classifier>: attribute "categories" is not a valid literal')
