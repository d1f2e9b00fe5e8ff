"""Browser tests: Debian's Chromium (headless, through Playwright) against the live portal.

One browser for the session, a fresh context (cookies) and page per test. Every test signs in as a
reviewer, takes a task from the work list, works inside the sandboxed task frame, submits, and then
reads the answer the server stored.
"""

from __future__ import annotations

import json
import os
import struct
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls next to one otherwise.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, FrameLocator, Page  # noqa: E402

from flows.delivery.storage import get_store  # noqa: E402
from flows.models import HumanLoop, ReviewTask  # noqa: E402
from tests import factories  # noqa: E402
from tests.shared_material import SAMPLE_TEMPLATES  # noqa: E402

SAMPLES = SAMPLE_TEMPLATES
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery"


@pytest.fixture
def page(chromium: Browser) -> Page:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def png_bytes(width: int, height: int) -> bytes:
    """Return a PNG of the given natural size: a sky gradient with a dark block in the middle."""
    rows = []
    for y in range(height):
        sky = bytes((40 + 120 * y // height, 120 + 80 * y // height, 200))
        row = sky * width
        if height // 3 <= y < 2 * height // 3:
            left, right = width // 3, 2 * width // 3
            row = sky * left + bytes((90, 60, 40)) * (right - left) + sky * (width - right)
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


# Counts all-crowd-elements-ready events: a standalone page must announce it exactly once.
COUNT_READY = (
    "document.addEventListener('all-crowd-elements-ready', () => {"
    " window.__crowdReady = (window.__crowdReady || 0) + 1; });"
)

# The viewport box of UTF-16 offsets [start, end) of a crowd-entity-annotation's text (its shadow DOM).
ENTITY_TEXT_BOX_JS = """([el, start, end]) => {
    for (const seg of el.shadowRoot.querySelectorAll('.text .seg')) {
        const from = Number(seg.dataset.start), node = seg.firstChild;
        if (!node || start < from || end > from + node.length) continue;
        const range = document.createRange();
        range.setStart(node, start - from);
        range.setEnd(node, end - from);
        const boxes = range.getClientRects();
        const first = boxes[0], last = boxes[boxes.length - 1];
        return {left: first.left, right: last.right, y: first.top + first.height / 2};
    }
    return null;
}"""


def utf16_offset(text: str, index: int) -> int:
    """The DOM's offset (UTF-16 code units) of Python string index `index` in `text`."""
    return len(text[:index].encode("utf-16-le")) // 2


@contextmanager
def standalone_sample_page(
    chromium: Browser, live_server: Any, *, timeout_ms: int, task_image: bytes | None = None
) -> Iterator[tuple[Page, dict[str, str]]]:
    """One page for many sample templates, served standalone (as a template author's local preview).

    Yields the page and a dict: put rendered HTML at a URL under the live server, then goto it.
    With `task_image`, image requests to the live server outside /static/ (grant_read_access URLs
    of the empty per-test store) get that image. Anything off this machine fails fast, as offline.
    """
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.add_init_script(COUNT_READY)
    pages: dict[str, str] = {}

    def serve(route):
        url, request = route.request.url, route.request
        if url in pages:
            route.fulfill(body=pages[url], content_type="text/html; charset=utf-8")
        elif (
            task_image is not None
            and url.startswith(live_server.url)
            and request.resource_type == "image"
            and "/static/" not in url
        ):
            route.fulfill(body=task_image, content_type="image/png")
        elif url.startswith(live_server.url):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", serve)
    try:
        yield page, pages
    finally:
        context.close()


# The buckets the browser tests keep task images in; the portal persona's account may read them.
IMAGE_BUCKETS = ("photos", "scans", "uploads")


class _SampleImagesPolicy:
    def refusal(self, bucket: str, key: str) -> None:
        return None


def standalone_grants():
    """Object grants for standalone sample pages, which have no account or database behind them.

    Their images only have to point at the live server, whose route answers with the test image;
    the read policy is tested with real accounts in tests/review_ui/test_object_grants.py.
    """
    from review_ui.grants import ObjectGrants

    object_grants = ObjectGrants(account_id=0, user_id=0, actor="sample-preview")
    object_grants.policy = _SampleImagesPolicy()
    return object_grants


def store_image(bucket: str, key: str, width: int, height: int) -> str:
    """Put a PNG into the local store (served by grant_read_access URLs) and return its s3:// URI."""
    get_store().put(bucket, key, png_bytes(width, height), content_type="image/png")
    return f"s3://{bucket}/{key}"


@dataclass
class Portal:
    """A reviewer at the portal: signs in, opens work, and reads back what the server stored."""

    page: Page
    url: str
    account: Any
    reviewer: Any
    team: Any

    def flow(self, template: str, **overrides: Any):
        ui = factories.human_task_ui(self.account, content=template)
        overrides.setdefault("task_time_limit_seconds", 600)
        return factories.flow_definition(self.account, self.team, ui, **overrides)

    def sample_flow(self, sample: str, **overrides: Any):
        return self.flow((SAMPLES / sample).read_text(), **overrides)

    def sign_in(self) -> None:
        self.page.goto(self.url + "/accounts/login/")
        self.page.fill("input[name=login]", self.reviewer.username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("#login-button")
        self.page.wait_for_url("**/portal/**")

    def start(self, flow) -> FrameLocator:
        """Sign in, click "Start working" on `flow` in the work list, and wait for the task frame."""
        self.sign_in()
        self.page.goto(self.url + "/portal/")
        self.page.click(f".work-item[data-flow='{flow.name}'] a.start-working")
        return self.task_frame()

    def task_frame(self) -> FrameLocator:
        self.page.wait_for_selector("#task-frame.ready")
        # Which task is on the screen, so wait_for_next_task can tell when another one is.
        self.page.evaluate(
            "() => { const bar = document.getElementById('task-bar');"
            " window.__hitlTaskPage = (bar && bar.dataset.taskId) || 'preview'; }"
        )
        return self.page.frame_locator("#task-frame")

    def wait_for_next_task(self) -> None:
        """Wait until the portal moved on from the task of the last task_frame() call.

        Either it swapped in the task it had loaded ahead, or it loaded a page (the next task or no more work).
        """
        self.page.wait_for_function(
            "() => { const bar = document.getElementById('task-bar');"
            " return !window.__hitlTaskPage || !bar || bar.dataset.taskId !== window.__hitlTaskPage; }"
        )
        self.page.wait_for_load_state("domcontentloaded")

    def frame(self):
        return self.page.locator("#task-frame").element_handle().content_frame()

    def answer_of(self, loop: HumanLoop, timeout: float = 15.0) -> dict:
        """Wait until `loop` is Completed and return the answerContent stored in its output.json.

        Waiting for the output (written on commit, in the server thread) also keeps the test's
        database teardown from racing the server's last writes.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                loop.refresh_from_db()
                task = ReviewTask.objects.filter(human_loop=loop, state=ReviewTask.State.SUBMITTED).first()
            except OperationalError:
                # SQLite's shared in-memory test database: the server thread holds the table lock.
                task = None
            if task is not None and loop.status == HumanLoop.Status.COMPLETED:
                assert task.worker_id == self.reviewer.id
                bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
                output = json.loads(get_store().get(bucket, key))
                assert output["humanAnswers"][0]["answerContent"] == task.answer
                # The portal moves on to the next task (or "no more work") once the answer is taken.
                self.wait_for_next_task()
                self.page.wait_for_load_state("networkidle")
                return task.answer
            time.sleep(0.05)
        raise AssertionError(f"no answer was stored for {loop.name}")


@pytest.fixture
def portal(live_server, transactional_db, page: Page) -> Portal:
    # `page` comes last so that it closes first, before the database goes away under in-flight requests.
    account = factories.account()
    reviewer = factories.user("rita", email="rita@example.com", password=PASSWORD)
    team = factories.workteam(account, members=[reviewer], name="reviewers")
    for bucket in IMAGE_BUCKETS:  # where store_image puts the pictures the task pages show
        factories.read_location(account, bucket)
    return Portal(page=page, url=live_server.url, account=account, reviewer=reviewer, team=team)


def screenshot(page: Page, name: str) -> None:
    """Save a README screenshot (docs/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
