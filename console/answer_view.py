"""Draw one answer for a person: shapes on the task's image, entity spans in its text, chosen labels.

An answer is a reviewer's answerContent ({member: value}); each member is drawn by the first rule
that fits its value (crowd-elements.md answer shapes): image annotations (boxes, keypoints,
polygons, lines, polylines) become an SVG over the input image, entity annotations become
highlighted spans of the input text, classifier answers become label chips; anything else is
shown as JSON. Offsets of entity spans are UTF-16 code units, as the browser counted them.
"""

from __future__ import annotations

import html
import json
import zlib
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f6feb", "#d9480f", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#e03131", "#5c940d")
IMAGE_MEMBERS = ("boundingBoxes", "keypoints", "polygons", "lines", "polylines")


def color_of(label: Any) -> str:
    """Return the same colour for the same label on every page."""
    return PALETTE[zlib.crc32(str(label).encode()) % len(PALETTE)]


def drawings(answer: Any, *, text: str | None, image_url: str | None) -> list[dict[str, Any]]:
    """Return one drawing per member of `answer`: {"name", "kind", "html"} (kind: image, text, labels, json)."""
    if not isinstance(answer, dict):
        return [{"name": "answer", "kind": "json", "html": _json(answer)}]
    drawn = []
    for name, value in answer.items():
        drawn.append({"name": name, **_draw(value, text=text, image_url=image_url)})
    return drawn


def _draw(value: Any, *, text: str | None, image_url: str | None) -> dict[str, Any]:
    if isinstance(value, dict) and any(isinstance(value.get(member), list) for member in IMAGE_MEMBERS):
        return {"kind": "image", "html": image_svg(value, image_url)}
    if isinstance(value, dict) and isinstance(value.get("entities"), list) and text is not None:
        return {"kind": "text", "html": entity_spans(text, value["entities"])}
    if isinstance(value, dict) and set(value) == {"label"} and isinstance(value["label"], str | int | float):
        return {"kind": "labels", "html": _chips([value["label"]])}
    if isinstance(value, dict) and isinstance(value.get("labels"), list) and set(value) == {"labels"}:
        return {"kind": "labels", "html": _chips(value["labels"])}
    return {"kind": "json", "html": _json(value)}


def image_svg(value: dict[str, Any], image_url: str | None) -> SafeString:
    """Return an SVG of the image with the answer's shapes, in the image's own pixel coordinates."""
    props = value.get("inputImageProperties") or {}
    width, height = _number(props.get("width")), _number(props.get("height"))
    if not width or not height:  # no size recorded: a canvas that holds every shape
        xs, ys = _extent(value)
        width, height = max(xs + 20, 100), max(ys + 20, 100)
    stroke = max(width, height) / 300
    parts = []
    if image_url:
        parts.append(format_html('<image href="{}" x="0" y="0" width="{}" height="{}"/>', image_url, width, height))
    for box in _items(value, "boundingBoxes"):
        x, y, w, h = (_number(box.get(k)) for k in ("left", "top", "width", "height"))
        parts.append(_shape("rect", box.get("label"), stroke, x=x, y=y, width=w, height=h))
        parts.append(_caption(box.get("label"), x, y, stroke))
    for point in _items(value, "keypoints"):
        x, y = _number(point.get("x")), _number(point.get("y"))
        parts.append(_shape("circle", point.get("label"), stroke, cx=x, cy=y, r=stroke * 4, fill=True))
    for member, closed in (("polygons", True), ("lines", False), ("polylines", False)):
        for shape in _items(value, member):
            points = " ".join(f"{_number(v.get('x'))},{_number(v.get('y'))}" for v in _items(shape, "vertices"))
            parts.append(_shape("polygon" if closed else "polyline", shape.get("label"), stroke, points=points))
    body = mark_safe("".join(parts))  # noqa: S308 - every part was built by format_html
    return format_html(
        '<svg class="drawing" viewBox="0 0 {} {}" role="img" aria-label="answer drawn on the image">{}</svg>',
        width,
        height,
        body,
    )


def _shape(tag: str, label: Any, stroke: float, *, fill: bool = False, **attributes: Any) -> SafeString:
    color = color_of(label)
    attrs = format_html_join(" ", '{}="{}"', ((name, value) for name, value in attributes.items()))
    return format_html(
        '<{} class="shape" data-label="{}" {} stroke="{}" stroke-width="{}" fill="{}"><title>{}</title></{}>',
        tag,
        label if label is not None else "",
        attrs,
        color,
        round(stroke * 2, 2),
        color if fill else "none",
        label if label is not None else "",
        tag,
    )


def _caption(label: Any, x: float, y: float, stroke: float) -> SafeString:
    """Return the label written just above a shape's top-left corner (inside the image at its top edge)."""
    size = round(stroke * 12, 2)
    return format_html(
        '<text class="caption" x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
        x,
        max(y - stroke * 2, size),
        size,
        color_of(label),
        label if label is not None else "",
    )


def entity_spans(text: str, entities: list[Any]) -> SafeString:
    """Return `text` with each entity span highlighted and labelled (overlaps: the earlier span wins)."""
    units = text.encode("utf-16-le")
    spans = []
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        start, end = _number(entity.get("startOffset")), _number(entity.get("endOffset"))
        if 0 <= start < end <= len(units) // 2:
            spans.append((int(start), int(end), str(entity.get("label", ""))))
    parts, position = [], 0
    for start, end, label in sorted(spans):
        if start < position:
            continue
        parts.append(html.escape(_utf16(units, position, start)))
        parts.append(
            format_html(
                '<mark class="entity" data-label="{}" style="border-color:{}">{}<small>{}</small></mark>',
                label,
                color_of(label),
                _utf16(units, start, end),
                label,
            )
        )
        position = end
    parts.append(html.escape(_utf16(units, position, len(units) // 2)))
    return format_html('<p class="entity-text">{}</p>', mark_safe("".join(parts)))  # noqa: S308 - escaped above


def _utf16(units: bytes, start: int, end: int) -> str:
    return units[2 * start : 2 * end].decode("utf-16-le", errors="replace")


def _chips(labels: list[Any]) -> SafeString:
    return format_html_join(
        " ", '<span class="chip" style="border-color:{}">{}</span>', ((color_of(label), label) for label in labels)
    )


def _json(value: Any) -> SafeString:
    return format_html('<pre class="answer">{}</pre>', json.dumps(value, indent=2, ensure_ascii=False))


def _items(value: dict[str, Any], member: str) -> list[dict[str, Any]]:
    items = value.get(member)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _extent(value: dict[str, Any]) -> tuple[float, float]:
    xs, ys = [0.0], [0.0]
    for box in _items(value, "boundingBoxes"):
        xs.append(_number(box.get("left")) + _number(box.get("width")))
        ys.append(_number(box.get("top")) + _number(box.get("height")))
    for point in _items(value, "keypoints"):
        xs.append(_number(point.get("x")))
        ys.append(_number(point.get("y")))
    for member in ("polygons", "lines", "polylines"):
        for shape in _items(value, member):
            for vertex in _items(shape, "vertices"):
                xs.append(_number(vertex.get("x")))
                ys.append(_number(vertex.get("y")))
    return max(xs), max(ys)
