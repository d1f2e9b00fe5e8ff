"""Render a customer's task template (Liquid, as A2I does) with a loop's input.

The context is exactly `{"task": {"input": <parsed InputContent>}}`. Output is
HTML-escaped by default; objects and arrays print as JSON; the AWS crowd
bundle tag and a few known CDN URLs are rewritten to self-hosted copies.
See shared/spec/crowd-elements.md section 1. The engine is python-liquid 2
(a maintained Liquid implementation), not a translation to another language.
"""

from __future__ import annotations

import contextvars
import functools
import html
import io
import json
import logging
import re
import time
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from liquid import BoundTemplate, Environment, Markup, Mode, RenderContext
from liquid.builtin.expressions.loop import LoopExpression
from liquid.builtin.expressions.primitive import IntegerLiteral, RangeLiteral
from liquid.builtin.output import Output, OutputNode
from liquid.builtin.tags.echo_tag import EchoNode, EchoTag
from liquid.exceptions import LiquidError
from liquid.output import LimitedStringIO
from liquid.undefined import Undefined

from flows.delivery.storage import get_store
from hitl.kernel.errors import InvalidInput
from review_ui import grants

# --- Choices the spec marks "unconfirmed" (crowd-elements.md section 7) -------
# Every guess about A2I's behaviour lives here, so a capture of real AWS output
# can correct it in one place.

# 7.1: `skip_encoding` is not in AWS material; accept it as `skip_autoescape`.
SAFE_FILTER_ALIASES = ("skip_autoescape", "skip_encoding")
# 7.2: besides s3://bucket/key and path-style https://s3.amazonaws.com/bucket/key
# (documented), also accept regional path-style and virtual-hosted S3 hosts;
# any other URL is returned unchanged.
_PATH_STYLE_HOST = re.compile(r"^s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$")
_VIRTUAL_HOST = re.compile(r"^(?P<bucket>[a-z0-9.-]+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$")
# 7.3: text made by {% capture %} is already escaped, so it is printed as is
# (python-liquid marks captures safe when autoescape is on).
# 7.4: `"` escapes to &quot; (markupsafe would write &#34;).
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)
_ESCAPE_ONCE_TABLE = str.maketrans({char: entity for char, entity in _ESCAPES.items() if char != "&"})
# 7.5: objects and arrays print as compact JSON (then escaped), like JSON.stringify.
JSON_SEPARATORS = (",", ":")
# 7.6: a missing key prints as the empty string (lax); see `_render_env`.
# 7.7: a template without the AWS bundle tag still gets our bundle.
INJECT_BUNDLE_WHEN_MISSING = True

BUNDLE_STATIC_PATH = "review_ui/elements/crowd-html-elements.js"
_AWS_BUNDLE_TAG = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*([\"']?)(?:https?:)?//assets\.crowd\.aws/crowd-html-elements\.js(?:\?[^\"'\s>]*)?\1"
    r"[^>]*>\s*</script\s*>",
    re.IGNORECASE,
)
# Known third-party scripts in the AWS samples, served from vendored copies (spec 1.7).
CDN_REWRITES = {
    "https://cdnjs.cloudflare.com/ajax/libs/node-uuid/1.4.8/uuid.min.js": "review_ui/vendor/node-uuid-1.4.8.js",
    "https://cdnjs.cloudflare.com/ajax/libs/draggable/1.0.0-beta.8/draggable.bundle.js": (
        "review_ui/vendor/draggable-1.0.0-beta.8.bundle.js"
    ),
}

# --- The render budget (docs/security.md, "Limits") ---------------------------------
# A template runs on our web workers with a reviewer waiting, so every render is
# bounded in work, output and time; real task pages stay far below these.
RENDER_LOOP_ITERATION_LIMIT = 100_000  # iterations of nested loops, multiplied (python-liquid counts so)
RENDER_OUTPUT_LIMIT = 10 * 1024 * 1024  # bytes of HTML: a 3 MiB input printed as JSON, and then some
RENDER_DEADLINE_SECONDS = 1.0  # wall time, checked at every loop start and every write

logger = logging.getLogger(__name__)

# Absolute URLs for pages served elsewhere (the JSON API); empty = root-relative.
_base_url: contextvars.ContextVar[str] = contextvars.ContextVar("hitl_render_base_url", default="")
# Whose objects this render may grant (None: nobody's, e.g. a template checked on its own).
_grants: contextvars.ContextVar[grants.ObjectGrants | None] = contextvars.ContextVar("hitl_grants", default=None)


class UnrenderableTask(Exception):
    """The template cannot be rendered with this input (over budget, or an error); `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Monotonic time by which the current render must finish (None: no render in progress).
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("hitl_render_deadline", default=None)


def _check_deadline() -> None:
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise UnrenderableTask(f"rendering took longer than {RENDER_DEADLINE_SECONDS:g} s, the render budget")


def _outside_budget(setup: Any) -> Any:
    """Call `setup` (one-time work of the process, not of the template) without counting it against the deadline."""
    started = time.monotonic()
    try:
        return setup()
    finally:
        deadline = _deadline.get()
        if deadline is not None:
            _deadline.set(deadline + time.monotonic() - started)


# Not LiquidErrors: in lax mode python-liquid drops a failing top-level node and renders on,
# so a budget error must be an exception it does not catch.
class _BudgetedBuffer(LimitedStringIO):
    def write(self, text: str) -> int:
        if text:
            _check_deadline()
            self.size += len(text.encode("utf-8", "surrogatepass"))
            if self.size > self.limit:
                raise UnrenderableTask(f"the page would be larger than {RENDER_OUTPUT_LIMIT} bytes, the render budget")
        return io.StringIO.write(self, text)  # past LimitedStringIO's own (LiquidError) check


class _BudgetedContext(RenderContext):
    def raise_for_loop_limit(self, length: int = 1) -> None:
        try:
            super().raise_for_loop_limit(length)
        except LiquidError:
            raise UnrenderableTask(
                f"its loops would run more than {RENDER_LOOP_ITERATION_LIMIT} iterations, the render budget"
            ) from None
        _check_deadline()

    def get_buffer(self, buf: TextIO | None = None) -> _BudgetedBuffer:
        carry = buf.size if isinstance(buf, LimitedStringIO) else 0
        return _BudgetedBuffer(limit=RENDER_OUTPUT_LIMIT - carry)


class _BudgetedTemplate(BoundTemplate):
    context_class = _BudgetedContext

    def _get_buffer(self) -> _BudgetedBuffer:
        return _BudgetedBuffer(limit=RENDER_OUTPUT_LIMIT)


# --- Values to text -------------------------------------------------------------


def to_text(value: Any) -> str:
    """Return how Liquid prints `value`, before escaping: JSON for objects and arrays."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, dict | list | tuple):
        return _json(value)
    if isinstance(value, range):
        return f"{value.start}..{value.stop - 1}"
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=JSON_SEPARATORS, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Undefined):
        return None
    return str(value)


def escape_html(text: str) -> Markup:
    """Escape & < > " ' for HTML text and attribute values, and mark the result safe."""
    return Markup(text.translate(_ESCAPE_TABLE))


def _print(value: Any, autoescape: bool) -> str:
    if autoescape and hasattr(value, "__html__"):
        return str(value.__html__())
    text = to_text(value)
    return escape_html(text) if autoescape else text


class JsonOutputNode(OutputNode):
    def render_to_output(self, context, buffer: TextIO) -> int:
        return buffer.write(_print(self.expression.evaluate(context), context.autoescape))

    async def render_to_output_async(self, context, buffer: TextIO) -> int:
        return buffer.write(_print(await self.expression.evaluate_async(context), context.autoescape))


class JsonOutput(Output):
    node_class = JsonOutputNode


class JsonEchoNode(EchoNode, JsonOutputNode):
    pass


class JsonEchoTag(EchoTag):
    node_class = JsonEchoNode


# --- Filters ------------------------------------------------------------------


def grant_read_access(value: Any) -> str:
    """Turn an S3 URI into a short-lived URL the reviewer's browser can load; leave other URLs alone.

    Only objects the render's account may read get a URL (review_ui.grants); any other S3 URI
    becomes a placeholder image and is listed in a notice on the page.
    """
    uri = html.unescape(to_text(value)).strip()
    location = parse_s3_uri(uri)
    if location is None:
        return uri
    bucket, key = location
    current = _grants.get()
    reason = current.policy.refusal(bucket, key) if current is not None else grants.NO_ACCOUNT_REASON
    if reason is not None:
        if current is not None:
            current.refused.append((uri, reason))
        return grants.REFUSED_PLACEHOLDER_URL
    if settings.HITL_OUTPUT_BACKEND == "s3":
        return _outside_budget(get_store).client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=current.max_age_seconds
        )
    return _base_url.get() + grants.object_url(bucket, key, current)


def parse_s3_uri(uri: str) -> tuple[str, str] | None:
    """Return (bucket, key) of an s3:// URI or an S3 HTTP URL, or None for any other string."""
    if uri.startswith("s3://"):
        bucket, _, key = uri[5:].partition("/")
        return (bucket, key) if bucket and key else None
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    path = unquote(parts.path)
    if _PATH_STYLE_HOST.match(host):
        bucket, _, key = path.lstrip("/").partition("/")
        return (bucket, key) if bucket and key else None
    match = _VIRTUAL_HOST.match(host)
    if match and path.lstrip("/"):
        return match["bucket"], path.lstrip("/")
    return None


# Characters that end a <script> element, start markup or an entity, quote an attribute, or end a
# JavaScript line (U+2028/2029 before ES2019): inside JSON they only occur in strings, where the
# \uXXXX escape means the same text to any JSON or JavaScript parser.
_JSON_IN_HTML = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def to_json(value: Any) -> Markup:
    """Serialize as JSON that is safe in HTML text and <script>; exempt from autoescaping, as in AWS's example.

    In an attribute, write `| to_json | escape` (the AWS samples do): the JSON's own quotes need escaping there.
    """
    if isinstance(value, Undefined):
        value = None
    return Markup(json.dumps(value, ensure_ascii=False, default=_json_default).translate(_JSON_IN_HTML))


def escape(value: Any) -> Markup:
    return escape_html(to_text(value))


_BARE_AMPERSAND = re.compile(r"&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#[xX][0-9a-fA-F]+);)")


def escape_once(value: Any) -> Markup:
    """Escape like `escape`, but leave entities that are already there (`&amp;` stays)."""
    text = _BARE_AMPERSAND.sub("&amp;", to_text(value))
    return Markup(text.translate(_ESCAPE_ONCE_TABLE))


def skip_autoescape(value: Any) -> Markup:
    return Markup(to_text(value))


# --- Environments ---------------------------------------------------------------


class TaskTemplateEnvironment(Environment):
    """Liquid as A2I templates expect it: autoescaped, JSON printing, AWS filters."""

    # Guard the server against runaway templates (the render budget above).
    template_class = _BudgetedTemplate
    loop_iteration_limit = RENDER_LOOP_ITERATION_LIMIT
    output_stream_limit = RENDER_OUTPUT_LIMIT
    local_namespace_limit = RENDER_OUTPUT_LIMIT

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        self.add_tag(JsonOutput)
        self.add_tag(JsonEchoTag)
        self.add_filter("grant_read_access", grant_read_access)
        self.add_filter("s3_presign", grant_read_access)
        self.add_filter("to_json", to_json)
        self.add_filter("escape", escape)
        self.add_filter("escape_once", escape_once)
        for name in SAFE_FILTER_ALIASES:
            self.add_filter(name, skip_autoescape)


@functools.cache
def _render_env() -> TaskTemplateEnvironment:
    # Lax: an unknown filter or a failing one renders nothing instead of
    # failing the reviewer's page; templates are checked strictly on upload.
    return TaskTemplateEnvironment(autoescape=True, tolerance=Mode.LAX, strict_filters=False)


@functools.cache
def _strict_env() -> TaskTemplateEnvironment:
    return TaskTemplateEnvironment(autoescape=True, tolerance=Mode.STRICT, strict_filters=True)


@functools.lru_cache(maxsize=128)
def _parsed(content: str):
    return _render_env().from_string(content)


# --- Public API -------------------------------------------------------------------


def validate_template(content: str) -> None:
    """Raise InvalidInput naming the line and the reason if `content` is not valid Liquid."""
    env = _strict_env()
    try:
        template = env.from_string(content)
        analysis = template.analyze(include_partials=False)
    except LiquidError as exc:
        raise InvalidInput(f"The template is not valid Liquid: {_describe(exc, content)}") from None
    for name, spans in analysis.filters.items():
        if name not in env.filters:
            line, _col = spans[0].line_col(content)
            raise InvalidInput(f"The template is not valid Liquid: line {line}: unknown filter '{name}'.")
    _check_static_cost(template, content)


def _check_static_cost(template: BoundTemplate, content: str) -> None:
    """Refuse loops over literal ranges whose nested iterations exceed the render budget."""
    static_context = _BudgetedContext(template)
    stack = [(node, 1) for node in template.nodes]
    while stack:
        node, iterations = stack.pop()
        expression = getattr(node, "expression", None)
        if isinstance(expression, LoopExpression):
            iterations *= _literal_length(expression)
            if iterations > RENDER_LOOP_ITERATION_LIMIT:
                line = content.count("\n", 0, getattr(node.token, "start_index", 0)) + 1
                raise InvalidInput(
                    f"The template's loops would run {iterations} iterations (line {line}: nested literal ranges); "
                    f"the render budget allows {RENDER_LOOP_ITERATION_LIMIT}."
                )
        stack.extend((child, iterations) for child in node.children(static_context, include_partials=False))


def _literal_length(expression: LoopExpression) -> int:
    """Return how many times a loop over a literal range runs (1 when it depends on the input)."""
    iterable = expression.iterable
    if not (
        isinstance(iterable, RangeLiteral)
        and isinstance(iterable.start, IntegerLiteral)
        and isinstance(iterable.stop, IntegerLiteral)
    ):
        return 1
    length = max(0, iterable.stop.value - iterable.start.value + 1)
    if isinstance(expression.limit, IntegerLiteral):
        length = min(length, max(0, expression.limit.value))
    return max(length, 1)


def _describe(exc: LiquidError, content: str) -> str:
    reason = str(exc.message).rstrip(".")
    try:
        where = exc.context()
    except ValueError:
        where = None
    if where is None:
        # python-liquid reports an unclosed block at a position-less end token.
        last_line = max(1, content.count("\n") + 1)
        return f"line {last_line} (end of the template): {reason}."
    line, column = where[0], where[1]
    return f"line {line}, column {column + 1}: {reason}."


def object_link(uri: str, *, object_grants: grants.ObjectGrants, base_url: str = "") -> str:
    """Return the URL grant_read_access gives `uri` for `object_grants` (the console's drawings of a loop's image).

    The same read rules as a task page: an object outside the account's read locations gets the
    refusal placeholder, and the refusal is audited.
    """
    _load_url_resolvers()
    base_token = _base_url.set(base_url.rstrip("/"))
    grants_token = _grants.set(object_grants)
    try:
        return grant_read_access(uri)
    finally:
        _base_url.reset(base_token)
        _grants.reset(grants_token)
        if object_grants.refused:
            grants.record_refusals(object_grants)


def render_task_template(
    content: str, task_input: Any, *, base_url: str = "", object_grants: grants.ObjectGrants | None = None
) -> str:
    """Render a task template with `task.input` and point its scripts at our copies.

    `base_url` (scheme and host) makes generated URLs absolute, for HTML that
    is shown outside the portal (the JSON API); by default they are root-relative.
    `object_grants` says whose objects grant_read_access may name; without it none. Refused
    objects are listed in a notice at the top of the page and, with grants, audited.
    Raises UnrenderableTask when the render is over budget or fails: every
    render runs under RENDER_LOOP_ITERATION_LIMIT, RENDER_OUTPUT_LIMIT and
    RENDER_DEADLINE_SECONDS.
    """
    try:
        template = _parsed(content)  # parsing is bounded by the template's size (128,000 characters)
    except Exception as exc:  # stored before validation got stricter, or inserted directly
        raise UnrenderableTask(f"the template does not parse ({type(exc).__name__}: {str(exc)[:200]})") from None
    _load_url_resolvers()
    base_token = _base_url.set(base_url.rstrip("/"))
    grants_token = _grants.set(object_grants)
    deadline = _deadline.set(time.monotonic() + RENDER_DEADLINE_SECONDS)
    try:
        rendered = template.render(task={"input": task_input})
        rendered.encode("utf-8")  # a lone surrogate in a stored input would fail the response instead
    except UnrenderableTask:
        raise
    except UnicodeEncodeError:
        raise UnrenderableTask("the input holds a lone surrogate, which no web page can carry") from None
    except Exception as exc:  # lax mode swallows Liquid's own errors; anything else is a broken task
        logger.warning("task template failed to render", exc_info=True)
        raise UnrenderableTask(f"the template failed with {type(exc).__name__}: {str(exc)[:200]}") from None
    finally:
        _deadline.reset(deadline)
        _base_url.reset(base_token)
        _grants.reset(grants_token)
    if object_grants is not None and object_grants.refused:
        rendered = grants.insert_notice(rendered, grants.refusal_notice(object_grants.refused))
        grants.record_refusals(object_grants)
    return rewrite_external_scripts(rendered, base_url=base_url)


@functools.cache
def _load_url_resolvers() -> None:
    # The first reverse() of a process imports every URLconf: process setup, not the template's cost.
    reverse("review_ui:work_list")


def bundle_url(base_url: str = "") -> str:
    """Return the URL of our crowd-html-elements bundle."""
    return base_url.rstrip("/") + static(BUNDLE_STATIC_PATH)


def rewrite_external_scripts(rendered: str, *, base_url: str = "") -> str:
    """Point the AWS bundle tag and known CDN URLs at self-hosted files; add the bundle if missing."""
    tag = f'<script src="{bundle_url(base_url)}"></script>'
    rewritten, count = _AWS_BUNDLE_TAG.subn(lambda _match: tag, rendered)
    if count == 0 and INJECT_BUNDLE_WHEN_MISSING:
        body_end = rewritten.lower().rfind("</body>")
        if body_end >= 0:
            rewritten = rewritten[:body_end] + tag + rewritten[body_end:]
        else:
            rewritten = tag + "\n" + rewritten
    for cdn_url, static_path in CDN_REWRITES.items():
        rewritten = rewritten.replace(cdn_url, base_url.rstrip("/") + static(static_path))
    return rewritten
