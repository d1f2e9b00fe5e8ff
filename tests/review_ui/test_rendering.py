"""Task templates render with A2I's Liquid semantics (crowd-elements.md section 1)."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser

import pytest
from django.core import signing

from hitl.kernel.errors import InvalidInput
from review_ui.rendering import render_task_template, validate_template
from tests import factories
from tests.review_ui.samples import TEXTRACT_INPUT, sample_input, sample_paths, sample_template

BUNDLE_URL = "/static/review_ui/elements/crowd-html-elements.js"
INJECTED = f'<script src="{BUNDLE_URL}"></script>\n'


def render_bare(source: str, data, **kwargs) -> str:
    """Render a snippet and drop the bundle tag injected at its top."""
    rendered = render_task_template(source, data, **kwargs)
    assert rendered.startswith(INJECTED)
    return rendered.removeprefix(INJECTED)


class _Attributes(HTMLParser):
    """Collect (tag, attributes) pairs, with entity-decoded values as a browser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def attributes_of(rendered: str, tag: str) -> list[dict[str, str | None]]:
    parser = _Attributes()
    parser.feed(rendered)
    return [attrs for name, attrs in parser.tags if name == tag]


@pytest.mark.parametrize("relative", sample_paths())
def test_every_sample_template_validates_and_renders_with_our_bundle(relative):
    template = sample_template(relative)
    validate_template(template)

    rendered = render_task_template(template, sample_input(relative))

    assert "assets.crowd.aws/crowd-html-elements.js" not in rendered
    assert "cdnjs.cloudflare.com" not in rendered
    scripts = [attrs.get("src") for attrs in attributes_of(rendered, "script")]
    assert scripts.count(BUNDLE_URL) == 1
    assert "{{" not in rendered and "{%" not in rendered
    assert "s3://" not in rendered  # every S3 URI went through grant_read_access


def test_text_input_is_html_escaped_so_a_script_in_it_does_not_run():
    hostile = "<script>alert(1)</script> & \"quotes\" 'single'"

    rendered = render_task_template(sample_template("text/sentiment-analysis.liquid.html"), {"taskObject": hostile})

    assert "<script>alert(1)</script>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;" in rendered


def granting(*buckets: str):
    """Object grants of a new account allowed to read the whole of each of `buckets`."""
    acct = factories.account()
    for bucket in buckets:
        factories.read_location(acct, bucket)
    return factories.preview_grants(acct)


@pytest.mark.django_db
def test_objects_print_as_escaped_json_for_the_textract_review():
    rendered = render_task_template(
        sample_template("text/textract_analyze_document.liquid.html"), TEXTRACT_INPUT, object_grants=granting("scans")
    )

    [element] = attributes_of(rendered, "crowd-textract-analyze-document")
    assert json.loads(element["initial-value"]) == TEXTRACT_INPUT["selectedAiServiceResponse"]["blocks"]
    assert json.loads(element["keys"]) == TEXTRACT_INPUT["humanLoopContext"]["importantFormKeys"]
    assert "&quot;blockType&quot;" in rendered  # escaped, not raw JSON that would end the attribute
    assert element["src"].startswith("/portal/objects/") and element["src"].endswith("/7781.png")


def test_to_json_then_escape_gives_the_categories_attribute_a_json_list():
    data = sample_input("other/website-classification.liquid.html")
    data["labels"] = ["Sports", "Rock 'n' Roll", "A&B"]

    rendered = render_task_template(sample_template("other/website-classification.liquid.html"), data)

    [classifier] = attributes_of(rendered, "crowd-classifier")
    assert json.loads(classifier["categories"]) == ["Sports", "Rock 'n' Roll", "A&B"]
    assert "Rock \\u0027n\\u0027 Roll" in rendered


def test_to_json_alone_is_not_html_escaped_and_keeps_non_ascii_but_writes_markup_characters_as_json_escapes():
    rendered = render_bare("{{ task.input | to_json }}", {"a": "é</script>&'\u2028\u2029"})
    assert rendered == '{"a": "é\\u003c/script\\u003e\\u0026\\u0027\\u2028\\u2029"}'
    assert json.loads(rendered) == {"a": "é</script>&'\u2028\u2029"}


def test_values_print_like_liquid_numbers_booleans_missing_keys_and_hyphenated_paths():
    data = {"n": 3, "f": 2.5, "yes": True, "no": False, "source-ref": "s3://b/k.jpg", "box": [{"class-name": "dog"}]}
    source = (
        "{{ task.input.n }}|{{ task.input.f }}|{{ task.input.yes }}|{{ task.input.no }}|"
        "[{{ task.input.missing.deeper }}]|{{ task.input.box[0]['class-name'] }}|{{ task.input.source-ref }}"
    )

    rendered = render_bare(source, data)

    assert rendered == "3|2.5|true|false|[]|dog|s3://b/k.jpg"


def test_standard_tags_and_filters_work():
    source = (
        "{% assign n = task.input.items | size %}{% for x in task.input.items %}{{ forloop.index }}:{{ x | upcase }} "
        "{% endfor %}{% if n > 1 %}many{% else %}few{% endif %} {{ task.input.nothing | default: 'none' }} "
        "{% case task.input.kind %}{% when 'a' %}A{% else %}other{% endcase %} "
        "{% unless task.input.nothing %}unset{% endunless %} {{ task.input.items | join: '+' }}"
    )

    rendered = render_task_template(source, {"items": ["x", "y"], "kind": "a"})

    assert "1:X 2:Y many none A unset x+y" in rendered


def test_captured_text_is_not_escaped_twice_and_grant_read_access_unescapes_it(client, settings, db):
    from flows.delivery.storage import get_store

    get_store().put("my-bucket", "dir/a&b.jpg", b"JPEGDATA", content_type="image/jpeg")
    source = (
        "{% capture uri %}s3://{{ task.input.bucket }}/{{ task.input.key }}{% endcapture %}"
        '<p title="{{ uri }}"></p><img src="{{ uri | grant_read_access }}">'
    )

    rendered = render_task_template(
        source, {"bucket": "my-bucket", "key": "dir/a&b.jpg"}, object_grants=granting("my-bucket")
    )

    assert 'title="s3://my-bucket/dir/a&amp;b.jpg"' in rendered
    [image] = attributes_of(rendered, "img")
    assert "&" not in image["src"]
    response = client.get(image["src"])
    assert response.status_code == 200
    assert response.content == b"JPEGDATA"
    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.django_db
def test_grant_read_access_accepts_path_style_urls_and_leaves_other_urls_alone():
    source = (
        "{{ task.input.a | grant_read_access }}|{{ task.input.b | s3_presign }}|{{ task.input.c | grant_read_access }}"
    )

    rendered = render_bare(
        source,
        {
            "a": "https://s3.amazonaws.com/bucket/key%20with%20space.png",
            "b": "s3://bucket/x.png",
            "c": "https://example.com/x.png",
        },
        object_grants=granting("bucket"),
    )

    first, second, third = rendered.split("|")
    assert first.startswith("/portal/objects/") and first.endswith("/key%20with%20space.png")
    assert second.startswith("/portal/objects/")
    assert third == "https://example.com/x.png"


def test_object_urls_expire(client, monkeypatch, db):
    from flows.delivery.storage import get_store

    get_store().put("bucket", "old.jpg", b"X", content_type="image/jpeg")
    [image] = attributes_of(
        render_task_template(
            '<img src="{{ "s3://bucket/old.jpg" | grant_read_access }}">', {}, object_grants=granting("bucket")
        ),
        "img",
    )
    url = image["src"]
    assert client.get(url).status_code == 200

    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 2 * 3600)

    assert client.get(url).status_code == 404
    assert client.get(url.replace("/portal/objects/", "/portal/objects/x")).status_code == 404


@pytest.mark.django_db
def test_grant_read_access_presigns_with_the_s3_backend(settings, monkeypatch):
    from flows.delivery.storage import get_store

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    settings.HITL_OUTPUT_BACKEND = "s3"
    get_store.cache_clear()

    rendered = render_task_template(
        '<img src="{{ task.input.taskObject | grant_read_access }}">',
        {"taskObject": "s3://media/cat.jpg"},
        object_grants=granting("media"),
    )

    [image] = attributes_of(rendered, "img")
    assert "media" in image["src"] and "cat.jpg" in image["src"]
    assert "X-Amz-Signature=" in image["src"] or "Signature=" in image["src"]


def test_escape_filters_and_skip_autoescape():
    source = (
        "{{ task.input.v | escape }}|{{ task.input.v | escape_once }}|{{ task.input.e | escape_once }}|"
        "{{ task.input.h | skip_autoescape }}|{{ task.input.h | skip_encoding }}|{{ task.input.h }}"
    )

    rendered = render_bare(source, {"v": "<a href='x'>&</a>", "e": "&amp; <", "h": "<b>bold</b>"})

    assert rendered == (
        "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;|&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;|&amp; &lt;|"
        "<b>bold</b>|<b>bold</b>|&lt;b&gt;bold&lt;/b&gt;"
    )


def test_bundle_tag_with_a_query_is_rewritten_and_a_missing_one_is_injected():
    with_query = render_task_template(
        '<script src="https://assets.crowd.aws/crowd-html-elements.js?v=2" defer></script><crowd-form></crowd-form>', {}
    )
    assert with_query.startswith(f'<script src="{BUNDLE_URL}"></script><crowd-form>')

    with_body = render_task_template("<html><body><crowd-form></crowd-form></body></html>", {})
    assert with_body.endswith(f'<crowd-form></crowd-form><script src="{BUNDLE_URL}"></script></body></html>')

    fragment = render_task_template("<crowd-form></crowd-form>", {})
    assert fragment.startswith(f'<script src="{BUNDLE_URL}"></script>')


@pytest.mark.parametrize(
    ("sample", "vendored"),
    [
        ("images/bounding-box-hierarchical.liquid.html", "review_ui/vendor/node-uuid-1.4.8.js"),
        (
            "images/multi-image-classification-draggable.liquid.html",
            "review_ui/vendor/draggable-1.0.0-beta.8.bundle.js",
        ),
    ],
)
def test_known_cdn_scripts_point_at_vendored_copies(sample, vendored):
    from django.contrib.staticfiles import finders

    rendered = render_task_template(sample_template(sample), sample_input(sample))

    assert f'<script src="/static/{vendored}"></script>' in rendered
    assert finders.find(vendored) is not None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>\n{% if task.input.x %}\nopen", "line 3"),
        ("<p>\n\n{{ task.input.x | no_such_filter }}", "line 3: unknown filter 'no_such_filter'"),
        ("ok\n{% endfor %}", "line 2"),
        ("{% for x in %}{% endfor %}", "line 1"),
    ],
)
def test_validate_template_names_the_line_of_a_parse_error(source, expected):
    with pytest.raises(InvalidInput) as error:
        validate_template(source)

    assert expected in error.value.message
    assert error.value.message.startswith("The template is not valid Liquid")


def test_escaped_markup_in_attributes_decodes_to_the_original_text():
    text = 'He said "hi" & left <quietly>'

    rendered = render_task_template(
        '<crowd-entity-annotation text="{{ task.input.t }}"></crowd-entity-annotation>', {"t": text}
    )

    [element] = attributes_of(rendered, "crowd-entity-annotation")
    assert element["text"] == text
    assert html.unescape(rendered.split('text="')[1].split('"')[0]) == text
