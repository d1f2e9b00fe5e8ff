"""JSON a client sent us: parse it within limits, or refuse it saying where and why.

Every JSON document that arrives from outside goes through `parse`: AWS request
bodies (and with them task templates and every string member), InputContent,
activation conditions, and reviewers' answers. What it refuses is what would
otherwise turn into a 500 or a task nobody can open later:

- invalid UTF-8 (bytes), and lone surrogates (`"\\ud800"`), which no UTF-8
  page, output.json or PostgreSQL text column can hold;
- NUL characters (`"\\u0000"`), which PostgreSQL text and jsonb refuse;
- nesting deeper than MAX_DEPTH, checked before the parser runs, so it never
  gets near Python's recursion limit;
- numbers outside what JSON consumers can store: integers longer than
  MAX_INTEGER_DIGITS, and floats that overflow (`1e999` would be `inf`), as
  well as the non-standard `NaN` and `Infinity`.

Errors are `ClientJsonError` (a ValueError) with a reason and, for a bad
value, its JSON path; callers turn them into their surface's error with the
name of the member they parsed.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 100  # arrays and objects inside each other
MAX_INTEGER_DIGITS = 100  # Python's own limit is 4300, and converting that many digits is slow

# A string whose JSON holds one of these escapes may carry a NUL or a lone surrogate once decoded.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class ClientJsonError(ValueError):
    """A client's JSON document refused, with the reason and the JSON path of the bad value ('' for the whole)."""

    def __init__(self, reason: str, path: str = "") -> None:
        super().__init__(f"{reason} at {path}" if path else reason)
        self.reason = reason
        self.path = path


def _decode_utf8(raw: bytes) -> str:
    """Return `raw` decoded as UTF-8, or raise ClientJsonError naming the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ClientJsonError(f"invalid UTF-8 at byte {exc.start}") from None


def parse(document: str | bytes) -> Any:
    """Return the parsed JSON `document`, or raise ClientJsonError if it is not JSON within the limits."""
    text = _decode_utf8(document) if isinstance(document, bytes) else document
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a str whose own characters are lone surrogates
        raise ClientJsonError(f"a lone surrogate at character {exc.start}") from None
    if text.count("[") + text.count("{") > MAX_DEPTH:
        _check_nesting(text)
    try:
        value = _DECODER.decode(text)
    except RecursionError:  # not reached after _check_nesting; kept so no parser path can 500
        raise ClientJsonError(f"nesting deeper than {MAX_DEPTH} levels") from None
    except ClientJsonError:
        raise
    except ValueError as exc:
        raise ClientJsonError(str(exc)) from None
    if _SUSPECT_ESCAPE.search(text):
        _check_value(value)
    return value


def _check_value(value: Any) -> None:
    """Raise ClientJsonError if a parsed value holds a NUL, a lone surrogate or is nested too deep."""
    stack: list[tuple[Any, str, int]] = [(value, "$", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _check_string(item, path)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise ClientJsonError(f"nesting deeper than {MAX_DEPTH} levels", path)
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_string(key, f"{path} (a key)")
                    stack.append((child, f"{path}.{key}", depth + 1))
            else:
                stack.extend((child, f"{path}[{index}]", depth + 1) for index, child in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            raise ClientJsonError("a number out of range", path)


def _check_string(text: str, path: str) -> None:
    if "\x00" in text:
        raise ClientJsonError("a NUL character (\\u0000), which cannot be stored", path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        raise ClientJsonError(f"a lone surrogate (\\u{code:04x}) that is not a character", path) from None


def _check_nesting(text: str) -> None:
    depth = 0
    for bracket in _BRACKET.findall(_STRING_LITERAL.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            raise ClientJsonError(f"nesting deeper than {MAX_DEPTH} levels")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ClientJsonError(f"an integer of more than {MAX_INTEGER_DIGITS} digits")
    return int(digits)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ClientJsonError(f"the number {text[:40]} is out of range")
    return value


def _no_constant(name: str) -> float:
    raise ClientJsonError(f"{name} is not a JSON value")


# Built once: json.loads with hooks would build a decoder (and its scanner) on every call.
_DECODER = json.JSONDecoder(parse_int=_integer, parse_float=_finite_float, parse_constant=_no_constant)
