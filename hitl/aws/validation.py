"""Validate AWS request members the way the service does, with AWS-style messages.

Protocol: both. botocore checks only required members and minimums client-side;
maximum lengths, patterns, enums and ranges are the server's job. Errors are
collected and reported together:

    1 validation error detected: Value 'Bad_Name' at 'humanLoopName' failed to
    satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$

Usage:
    v = Validator(body)
    name = v.string("HumanLoopName", required=True, max_len=63, pattern=NAME)
    v.done()   # raises hitl.kernel.errors.InvalidInput listing every violation
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import regex

from hitl.kernel.errors import InvalidInput


def member_path(name: str) -> str:
    """Return the lowerCamelCase member path AWS uses in messages (HumanLoopName -> humanLoopName)."""
    return ".".join(part[:1].lower() + part[1:] for part in name.split("."))


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Validator:
    """Collect validation errors for one request body (or one nested structure)."""

    def __init__(self, body: dict[str, Any] | None, prefix: str = "", errors: list[str] | None = None) -> None:
        self.body = body if isinstance(body, dict) else {}
        self.prefix = prefix
        self.errors: list[str] = [] if errors is None else errors

    def _path(self, name: str) -> str:
        return member_path(f"{self.prefix}.{name}" if self.prefix else name)

    def fail(self, name: str, value: Any, constraint: str) -> None:
        self.errors.append(
            f"Value '{_short(value)}' at '{self._path(name)}' failed to satisfy constraint: {constraint}"
        )

    def missing(self, name: str) -> None:
        self.errors.append(f"Value null at '{self._path(name)}' failed to satisfy constraint: Member must not be null")

    def present(self, name: str) -> bool:
        return self.body.get(name) is not None

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        min_len: int = 0,
        max_len: int | None = None,
        pattern: str | None = None,
        enum: tuple[str, ...] | list[str] | None = None,
        default: str | None = None,
    ) -> str | None:
        """Return the string member `name`, recording any violation."""
        value = self.body.get(name)
        if value is None:
            if required:
                self.missing(name)
            return default
        if not isinstance(value, str):
            self.fail(name, value, "Member must be a string")
            return default
        if len(value) < min_len:
            self.fail(name, value, f"Member must have length greater than or equal to {min_len}")
        if max_len is not None and len(value) > max_len:
            self.fail(name, value, f"Member must have length less than or equal to {max_len}")
        if pattern is not None and not regex.fullmatch(pattern, value):
            self.fail(name, value, f"Member must satisfy regular expression pattern: {pattern}")
        if enum is not None and value not in enum:
            self.fail(name, value, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        return value

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        min_value: int | None = None,
        max_value: int | None = None,
        default: int | None = None,
    ) -> int | None:
        value = self.body.get(name)
        if value is None:
            if required:
                self.missing(name)
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, value, "Member must be an integer")
            return default
        if min_value is not None and value < min_value:
            self.fail(name, value, f"Member must have value greater than or equal to {min_value}")
        if max_value is not None and value > max_value:
            self.fail(name, value, f"Member must have value less than or equal to {max_value}")
        return value

    def boolean(self, name: str, *, default: bool | None = None) -> bool | None:
        value = self.body.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, value, "Member must be a boolean")
            return default
        return value

    def structure(self, name: str, *, required: bool = False) -> Validator | None:
        """Return a Validator for the nested object `name` (sharing this one's error list), or None."""
        value = self.body.get(name)
        if value is None:
            if required:
                self.missing(name)
            return None
        if not isinstance(value, dict):
            self.fail(name, value, "Member must be a structure")
            return None
        return Validator(value, prefix=self._path(name), errors=self.errors)

    def list(
        self, name: str, *, required: bool = False, min_items: int = 0, max_items: int | None = None
    ) -> list[Any] | None:
        value = self.body.get(name)
        if value is None:
            if required:
                self.missing(name)
            return None
        if not isinstance(value, list):
            self.fail(name, value, "Member must be a list")
            return None
        if len(value) < min_items:
            self.fail(name, value, f"Member must have length greater than or equal to {min_items}")
        if max_items is not None and len(value) > max_items:
            self.fail(name, value, f"Member must have length less than or equal to {max_items}")
        return value

    def timestamp(self, name: str) -> dt.datetime | None:
        """Return a timestamp member sent as epoch seconds (JSON 1.1) or an ISO 8601 string."""
        value = self.body.get(name)
        if value is None:
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            self.fail(name, value, "Member must be a timestamp (epoch seconds or ISO 8601)")
        return parsed

    def done(self) -> None:
        """Raise InvalidInput listing every recorded violation, if any."""
        if self.errors:
            raise InvalidInput(list(self.errors))


def parse_timestamp(value: Any) -> dt.datetime | None:
    """Parse epoch seconds or any ISO 8601 form (date-only = midnight UTC; naive = UTC)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(value, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            return parse_timestamp(number)
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None
