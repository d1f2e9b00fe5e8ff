"""Drive an AWS sample task page like a reviewer would: fill what it needs, then press its Submit button.

Strategies are chosen by element type (a dispatch on the crowd-* tag names and native controls found in the
page), not per sample. Each strategy records what it did (the choice it clicked, the text it typed, the shapes
it drew), so that the test can check the submitted answer against the reviewer's actions.

The page is a standalone preview (not framed): there the bundle shows the serialized answer in #answers-box
instead of posting it to the portal (crowd-elements.md 4.1).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Locator, Page

from tests.browser.conftest import ENTITY_TEXT_BOX_JS, utf16_offset

# crowd-elements.md 3.7: the two A2I built-in widgets answer under fixed keys and ignore `name`.
FIXED_KEYS = {
    "crowd-textract-analyze-document": "AWS/Textract/AnalyzeDocument/Forms/V1",
    "crowd-rekognition-detect-moderation-labels": "AWS/Rekognition/DetectModerationLabels/Image/V3",
}

# crowd-elements.md section 2 ("answer?" = yes).
ANSWER_TAGS = {
    "crowd-classifier",
    "crowd-classifier-multi-select",
    "crowd-image-classifier",
    "crowd-image-classifier-multi-select",
    "crowd-bounding-box",
    "crowd-keypoint",
    "crowd-polygon",
    "crowd-line",
    "crowd-polyline",
    "crowd-semantic-segmentation",
    "crowd-instance-segmentation",
    "crowd-entity-annotation",
    "crowd-input",
    "crowd-text-area",
    "crowd-checkbox",
    "crowd-toggle-button",
    "crowd-radio-button",
    "crowd-slider",
    *FIXED_KEYS,
}
CLASSIFIERS = {
    "crowd-classifier",
    "crowd-classifier-multi-select",
    "crowd-image-classifier",
    "crowd-image-classifier-multi-select",
}
ANNOTATORS = {
    "crowd-bounding-box",
    "crowd-keypoint",
    "crowd-polygon",
    "crowd-line",
    "crowd-polyline",
    "crowd-semantic-segmentation",
    "crowd-instance-segmentation",
}
TEXT_FIELDS = {"crowd-input", "crowd-text-area"}
NATIVE_SKIPPED_TYPES = {"button", "submit", "reset", "image", "file"}
NATIVE_BOOLEAN_TYPES = {"radio", "checkbox"}

# Label the custom-label samples get from the reviewer (typed into their "Add new label" box).
CUSTOM_LABEL = "Mailbox"

# Every answer-producing control of the page's form(s), in document order; each gets data-submit-test=<i>.
# Attributes written as JavaScript literals (crowd-elements.md 3.0.1) are evaluated by the browser's own
# JavaScript engine, not by the bundle.
COLLECT_CONTROLS = """
([answerTags, fixedTags]) => {
  const literal = (el, attr) => {
    const text = el.getAttribute(attr);
    if (text === null) return null;
    try { return Function('return (' + text + ');')(); } catch (e) { return null; }
  };
  const roots = [];
  document.querySelectorAll('crowd-form').forEach(f => roots.push({owner: null, form: f.form || f}));
  document.querySelectorAll('crowd-entity-annotation').forEach(e => {
    const inner = e.shadowRoot && e.shadowRoot.querySelector('crowd-form');
    roots.push({owner: e, form: inner ? (inner.form || inner) : e});
  });
  const out = [];
  const seen = new Set();
  const add = el => {
    if (seen.has(el)) return;
    const tag = el.localName;
    const native = ['input', 'select', 'textarea'].includes(tag);
    if (!answerTags.includes(tag) && !native) return;
    if (!el.hasAttribute('name') && !fixedTags.includes(tag)) return;
    seen.add(el);
    el.setAttribute('data-submit-test', String(out.length));
    out.push({
      index: out.length,
      tag,
      name: el.getAttribute('name'),
      type: native && tag === 'input' ? (el.type || 'text').toLowerCase() : el.getAttribute('type'),
      required: el.hasAttribute('required'),
      disabled: el.hasAttribute('disabled') || (native && el.disabled),
      value: el.getAttribute('value'),
      min: el.getAttribute('min'),
      max: el.getAttribute('max'),
      step: el.getAttribute('step'),
      text: el.getAttribute('text'),
      categories: literal(el, 'categories'),
      labels: literal(el, 'labels'),
      group: el.closest('crowd-radio-group') ? [...document.querySelectorAll('crowd-radio-group')].indexOf(el.closest('crowd-radio-group')) : null,
    });
  };
  for (const {owner, form} of roots) {
    if (owner) add(owner);
    form.querySelectorAll('*').forEach(add);
  }
  return out;
}
"""


@dataclass
class Control:
    index: int
    tag: str
    name: str | None
    type: str | None
    required: bool
    disabled: bool
    value: str | None
    min: str | None
    max: str | None
    step: str | None
    text: str | None
    categories: Any
    labels: Any
    group: int | None
    # What the driver did to it (shape checks compare the answer with this).
    done: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str | None:
        return FIXED_KEYS.get(self.tag, self.name)


class Driver:
    def __init__(self, page: Page):
        self.page = page
        self.controls: list[Control] = []
        self.consumed: set[int] = set()  # text fields used as tools (custom-label boxes), not answered

    def locate(self, control: Control) -> Locator:
        return self.page.locator(f'[data-submit-test="{control.index}"]')

    def collect(self) -> list[Control]:
        raw = self.page.evaluate(COLLECT_CONTROLS, [sorted(ANSWER_TAGS), sorted(FIXED_KEYS)])
        self.controls = [Control(**c) for c in raw]
        return self.controls

    # ---------- filling ----------

    def fill_all(self) -> None:
        # Widgets first: custom-label widgets use a text box as a tool before the generic text fill runs.
        order = sorted(self.controls, key=lambda c: (c.tag not in ANNOTATORS, c.index))
        for control in order:
            if control.disabled:
                continue
            strategy = STRATEGIES.get(control.tag)
            if strategy is None and control.tag in ("input", "select", "textarea"):
                strategy = fill_native
            if strategy is not None:
                strategy(self, control)

    def visible_box(self, locator: Locator) -> dict[str, float]:
        """The part of `locator`'s box inside the viewport, after scrolling it into view."""
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        assert box is not None
        viewport = self.page.viewport_size
        top = max(box["y"], 0)
        bottom = min(box["y"] + box["height"], viewport["height"])
        left = max(box["x"], 0)
        right = min(box["x"] + box["width"], viewport["width"])
        assert bottom - top > 40 and right - left > 40, f"drawing surface not visible: {box}"
        return {"x": left, "y": top, "width": right - left, "height": bottom - top}

    # ---------- answer ----------

    def submit(self) -> Locator:
        """Press the page's one Submit control and return it."""
        custom = self.page.locator("crowd-button[form-action=submit]")
        if custom.count():
            button = custom.first
        else:
            buttons = self.page.locator("button.crowd-submit:visible, button.crowd-auto-submit:visible")
            assert buttons.count() == 1, f"expected exactly one Submit button, found {buttons.count()}"
            button = buttons.first
        button.click()
        return button

    def answer(self, timeout: float = 3_000) -> dict[str, Any]:
        box = self.page.locator("#answers-box")
        try:
            box.wait_for(state="attached", timeout=timeout)
        except Exception as exc:
            status = self.page.evaluate(
                "() => [...document.querySelectorAll('crowd-form .crowd-form-status, crowd-alert, .validation')]"
                ".map(e => e.textContent.trim()).filter(Boolean).join(' | ')"
            )
            raise AssertionError(f"the form produced no answer; page says: {status!r}") from exc
        return json.loads(box.text_content())

    def expected_keys(self) -> dict[str, Control]:
        """Answer key -> the control whose value it holds (later controls win, crowd-elements.md 4.2)."""
        keys: dict[str, Control] = {}
        for control in self.controls:
            if control.disabled or control.key is None:
                continue
            if (
                control.tag in TEXT_FIELDS
                or control.tag == "textarea"
                or (control.tag == "input" and control.type not in NATIVE_BOOLEAN_TYPES and control.type != "hidden")
            ):
                # An empty text control is left out of the answer (crowd-elements.md 3.3, 4.2).
                if self.displayed_text(control) == "":
                    continue
            if control.tag == "select" and self.locate(control).input_value() == "":
                continue
            keys[control.key] = control
        return keys

    def displayed_text(self, control: Control) -> str:
        el = self.locate(control)
        if control.tag in TEXT_FIELDS:
            return el.locator("input, textarea").first.input_value()
        return el.input_value()


# ---------- strategies, by tag ----------


def pick_classifier(driver: Driver, control: Control) -> None:
    """Pick the first category (multi-selects: just that one)."""
    driver.locate(control).locator("button.choice").first.click()
    control.done["chosen"] = control.categories[0]


def type_text(driver: Driver, control: Control) -> None:
    if control.index in driver.consumed:
        return
    field_ = driver.locate(control).locator("input, textarea").first
    if field_.input_value() != "":
        control.done["text"] = field_.input_value()  # a preset the reviewer keeps (still submitted, 3.3)
        return
    text = {"date": "2020-02-29", "number": "7", "url": "https://example.com/a", "email": "a@example.com"}.get(
        control.type or "", f"answer for {control.name}"
    )
    field_.fill(text)
    control.done["text"] = text


def move_slider(driver: Driver, control: Control) -> None:
    """Keep a preset value; a required slider without one is moved one step with the keyboard."""
    low = float(control.min) if control.min is not None else 0.0
    step = float(control.step) if control.step is not None else 1.0
    if control.value is not None:
        control.done["number"] = float(control.value)
        return
    if not control.required:
        control.done["number"] = low
        return
    driver.locate(control).locator("input[type=range]").press("ArrowRight")
    control.done["number"] = low + step


def click_boolean(driver: Driver, control: Control) -> None:
    """Radio buttons: the first of each group is chosen. Checkboxes/toggles: checked only if required."""
    value = control.value or "on"
    if control.tag == "crowd-radio-button":
        first = next(c for c in driver.controls if c.tag == control.tag and c.group == control.group)
        if first is control:
            driver.locate(control).click()
        control.done["bool"] = {value: first is control}
    else:
        if control.required:
            driver.locate(control).click()
        control.done["bool"] = {value: control.required}


def ensure_labels(driver: Driver, control: Control) -> list[str]:
    """Custom-label samples start with no labels: add one with their own "Add" box and button."""
    labels = control.labels or []
    if labels:
        return [str(label) for label in labels]
    el = driver.locate(control)
    box = el.locator("crowd-input")
    box.locator("input").fill(CUSTOM_LABEL)
    el.locator("crowd-button").first.click()
    for text_field in driver.controls:
        if text_field.tag == "crowd-input" and driver.locate(text_field).evaluate(
            "(e, w) => w.contains(e)", el.element_handle()
        ):
            driver.consumed.add(text_field.index)
    return [CUSTOM_LABEL]


def annotate(driver: Driver, control: Control) -> None:
    """Draw one shape (keypoints: one point per label) with the mouse, with the first label."""
    page = driver.page
    el = driver.locate(control)
    page.wait_for_function(
        "el => el._displayWidth > 0 && el.shadowRoot.querySelector('img.source').naturalWidth > 0",
        arg=el.element_handle(),
    )
    labels = ensure_labels(driver, control)
    el.locator(".labels button").first.click()
    box = driver.visible_box(el.locator("canvas.upper-canvas"))

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy

    tag = control.tag
    control.done["labels"] = labels
    control.done["label"] = labels[0]
    if tag in ("crowd-bounding-box", "crowd-semantic-segmentation", "crowd-instance-segmentation"):
        page.mouse.move(*at(0.3, 0.3))
        page.mouse.down()
        page.mouse.move(*at(0.6, 0.6), steps=6)
        page.mouse.up()
        control.done["count"] = 1
    elif tag == "crowd-keypoint":
        for i in range(len(labels)):
            el.locator(".labels button").nth(i).click()
            page.mouse.click(*at(0.2 + 0.6 * i / max(1, len(labels) - 1), 0.3 + 0.1 * i))
        control.done["count"] = len(labels)
    elif tag == "crowd-polygon":
        corners = [at(0.3, 0.3), at(0.7, 0.35), at(0.5, 0.7)]
        for corner in corners:
            page.mouse.click(*corner)
        page.mouse.click(*corners[0])
        control.done["count"], control.done["vertices"] = 1, 3
    elif tag == "crowd-line":
        page.mouse.click(*at(0.2, 0.3))
        page.mouse.click(*at(0.7, 0.6))
        control.done["count"], control.done["vertices"] = 1, 2
    elif tag == "crowd-polyline":
        for point in [at(0.2, 0.3), at(0.5, 0.6), at(0.8, 0.3)]:
            page.mouse.click(*point)
        page.keyboard.press("Enter")
        control.done["count"], control.done["vertices"] = 1, 3


def select_entity(driver: Driver, control: Control) -> None:
    """Drag across the first word of three or more letters, with the preselected (first) label."""
    text = control.text or ""
    match = re.search(r"[A-Za-z]{3,}", text)
    assert match, f"no word to select in {text!r}"
    start, end = match.span()
    el = driver.locate(control)
    el.locator(".text").scroll_into_view_if_needed()
    rect = driver.page.evaluate(
        ENTITY_TEXT_BOX_JS, [el.element_handle(), utf16_offset(text, start), utf16_offset(text, end)]
    )
    assert rect, "the text to annotate is not shown"
    driver.page.mouse.move(rect["left"] + 1, rect["y"])
    driver.page.mouse.down()
    driver.page.mouse.move(rect["right"] - 1, rect["y"], steps=6)
    driver.page.mouse.up()
    labels = control.labels or []
    first = labels[0] if labels else None
    control.done["span"] = {
        "startOffset": start,
        "endOffset": end,
        "label": first["label"] if isinstance(first, dict) else first,
    }
    el.locator("mark").first.wait_for()


def tick_moderation_label(driver: Driver, control: Control) -> None:
    driver.locate(control).locator(".cats input[type=checkbox]").first.check()
    control.done["chosen"] = control.categories[0]


def fill_native(driver: Driver, control: Control) -> None:
    el = driver.locate(control)
    if control.tag == "select":
        if not control.required:
            return
        options = el.evaluate("s => [...s.options].map(o => ({value: o.value, disabled: o.disabled}))")
        index = next(i for i, o in enumerate(options) if o["value"] != "" and not o["disabled"])
        el.select_option(index=index)
        control.done["text"] = options[index]["value"]
    elif control.tag == "textarea" or (
        control.tag == "input" and control.type not in NATIVE_BOOLEAN_TYPES and control.type != "hidden"
    ):
        if el.input_value() != "" or not control.required:
            return
        text = control.min if control.type == "date" and control.min else f"answer for {control.name}"
        if control.type == "date" and not control.min:
            text = "2020-02-29"
        el.fill(text)
        control.done["text"] = text


STRATEGIES = {
    **dict.fromkeys(CLASSIFIERS, pick_classifier),
    **dict.fromkeys(ANNOTATORS, annotate),
    **dict.fromkeys(TEXT_FIELDS, type_text),
    "crowd-slider": move_slider,
    "crowd-radio-button": click_boolean,
    "crowd-checkbox": click_boolean,
    "crowd-toggle-button": click_boolean,
    "crowd-entity-annotation": select_entity,
    "crowd-rekognition-detect-moderation-labels": tick_moderation_label,
}
