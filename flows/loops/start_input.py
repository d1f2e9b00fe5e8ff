"""StartHumanLoop's input rules, written once: the loop name, InputContent and DataAttributes.

Used by every way of starting loops: the runtime API (flows.api.runtime), the
bulk path (flows.loops.bulk, `manage.py bulk_start`) and flows.loops.lifecycle for callers
that pass unparsed input (adapters, the demo). Each check returns the
refusal as an AWS-style message (or None), so the API can report it together
with the other members' problems; `check_start_input` raises them all at once.
The state rules (flow Active, idempotency, Conflict, quota) live in
flows.loops.lifecycle.

Loop names follow the service rather than its published model: the model's
pattern is lowercase only, but A2I completed loops such as
`Fraud-detector-1613589638354` and `Translate-A2I-Text1700000000000`, so
capital letters are accepted. Names are case-sensitive, as S3 keys are:
`Review-1` and `review-1` are two loops with their own ARNs and output paths,
and describing, stopping or deleting one takes its exact name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import regex

from hitl.kernel import client_json
from hitl.kernel.errors import InvalidInput

HUMAN_LOOP_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"
MAX_NAME_LENGTH = 63
MAX_INPUT_CONTENT = 3_145_728  # characters, as the service model counts them
CONTENT_CLASSIFIERS = ("FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent")
MAX_CONTENT_CLASSIFIERS = 256

_NAME = regex.compile(HUMAN_LOOP_NAME_PATTERN)
# The same names as HUMAN_LOOP_NAME_PATTERN (letters and digits, inner hyphens) without its nested
# repetition or its `$` (which also lets one trailing newline through): a name it takes is valid, one it
# does not goes through _NAME. Several times cheaper, for the bulk paths that check a million names.
_PLAIN_NAME = re.compile(r"[a-zA-Z0-9]+(?:-+[a-zA-Z0-9]+)*")


@dataclass(frozen=True)
class StartInput:
    """A start request's input that passed every rule here."""

    name: str
    input_content: str
    input_json: Any
    data_attributes: dict[str, list[str]] | None


def _violation(value: Any, member: str, constraint: str) -> str:
    text = str(value)
    shown = text if len(text) <= 80 else text[:77] + "..."
    return f"Value '{shown}' at '{member}' failed to satisfy constraint: {constraint}"


def _missing(member: str) -> str:
    return f"Value null at '{member}' failed to satisfy constraint: Member must not be null"


def _type_problem(value: Any, member: str, kind: type, noun: str) -> str | None:
    if value is None:
        return _missing(member)
    if not isinstance(value, kind):
        return _violation(value, member, f"Member must be {noun}")
    return None


def name_problem(name: Any, member: str = "humanLoopName") -> str | None:
    """Return why `name` is not a valid human loop name, or None."""
    if type(name) is str and len(name) <= MAX_NAME_LENGTH and _PLAIN_NAME.fullmatch(name):
        return None
    problem = _type_problem(name or None, member, str, "a string")
    if problem:
        return problem
    if len(name) > MAX_NAME_LENGTH:
        return _violation(name, member, f"Member must have length less than or equal to {MAX_NAME_LENGTH}")
    if not _NAME.match(name):
        return _violation(name, member, f"Member must satisfy regular expression pattern: {HUMAN_LOOP_NAME_PATTERN}")
    return None


def input_content_problem(content: Any) -> str | None:
    """Return why `content` cannot be an InputContent (absent, not a string, too long), or None."""
    if type(content) is str and len(content) <= MAX_INPUT_CONTENT:
        return None  # the common case, without building the member's name
    member = "humanLoopInput.inputContent"
    problem = _type_problem(content, member, str, "a string")
    if problem:
        return problem
    if len(content) > MAX_INPUT_CONTENT:
        return (
            f"Value at '{member}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_INPUT_CONTENT}"
        )
    return None


def data_attributes_problem(attributes: Any) -> str | None:
    """Return why `attributes` is not a valid DataAttributes structure (None is valid), or None."""
    if attributes is None:
        return None
    if not isinstance(attributes, dict):
        return _violation(attributes, "dataAttributes", "Member must be a structure")
    classifiers = attributes.get("ContentClassifiers")
    member = "dataAttributes.contentClassifiers"
    problem = _type_problem(classifiers, member, list, "a list")
    if problem:
        return problem
    if len(classifiers) > MAX_CONTENT_CLASSIFIERS:
        return _violation(
            classifiers, member, f"Member must have length less than or equal to {MAX_CONTENT_CLASSIFIERS}"
        )
    for index, item in enumerate(classifiers):
        if item not in CONTENT_CLASSIFIERS:
            return _violation(
                item, f"{member}.{index + 1}", f"Member must satisfy enum value set: [{', '.join(CONTENT_CLASSIFIERS)}]"
            )
    return None


def parse_input_content(content: str) -> Any:
    """Return the parsed InputContent, or raise InvalidInput: the one "not JSON" refusal of every start path."""
    try:
        return client_json.parse(content)
    except client_json.ClientJsonError as exc:
        raise InvalidInput(
            [
                f"Value at 'humanLoopInput.inputContent' failed to satisfy constraint: Member must be a JSON document ({exc})"
            ]
        ) from None


def problems(name: Any, content: Any, data_attributes: Any = None) -> list[str]:
    """Return every shape problem of a start request's name, InputContent and DataAttributes."""
    found = (name_problem(name), input_content_problem(content), data_attributes_problem(data_attributes))
    return [problem for problem in found if problem]


def check_start_input(name: Any, content: Any, data_attributes: Any = None) -> StartInput:
    """Check a start request's name, InputContent and DataAttributes; raise InvalidInput listing every problem."""
    problems_found = problems(name, content, data_attributes)
    if problems_found:
        raise InvalidInput(problems_found)
    return StartInput(name, content, parse_input_content(content), data_attributes)
