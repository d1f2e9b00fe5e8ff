"""A flow's quality-control settings, read from its tags with the `hitl:` prefix.

A boto3 user turns quality control on without a new client: tags on
CreateFlowDefinition or AddTags (docs/quality.md lists them). Every `hitl:`
key is checked when it is set; an unknown key or a bad value is an
InvalidInput (ValidationException) that says what is allowed.

| tag | value | default |
|---|---|---|
| hitl:consolidation | dawid-skene or majority-vote | dawid-skene |
| hitl:overlap | fixed, or adaptive:MIN:MAX:TARGET (1 <= MIN <= MAX <= 9, 0.5 <= TARGET < 1) | fixed |
| hitl:gold-rate | share of a reviewer's tasks that are gold items, 0 to 0.5 | 0 |
| hitl:pause-below | gold accuracy under which a reviewer is paused (flows.quality.gold.should_pause), 0 to 1 | 0.6 |
| hitl:pause-after | gold answers before a reviewer can be paused (decided at 3x this many), 1 to 1000 | 10 |
| hitl:qualification | N or N:ACCURACY: N gold items first, passed at ACCURACY (default 0.8); team: the work team's test | off |
| hitl:flag-below | consolidated confidence under which an answer is flagged, 0 to 1 | 0.7 |
| hitl:min-history | answers of a field before Dawid–Skene replaces majority vote, 0 to 1000000 | 50 |
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hitl.kernel.errors import InvalidInput
from workforce.qualification import Qualification, parse_value

TEAM = "team"

PREFIX = "hitl:"
# hitl: tags of other features, read by their own modules (flows.definitions.agent_policy,
# flows.definitions.deadlines).
OTHER_PREFIXES = ("hitl:agent:", "hitl:deadline")
MAX_TASK_COUNT = 9
DAWID_SKENE = "dawid-skene"
MAJORITY_VOTE = "majority-vote"


@dataclass(frozen=True)
class Overlap:
    minimum: int
    maximum: int
    target: float


@dataclass(frozen=True)
class QualityConfig:
    consolidation: str = DAWID_SKENE
    overlap: Overlap | None = None  # None: fixed overlap, TaskCount answers (A2I's rule)
    gold_rate: float = 0.0
    pause_below: float = 0.6
    pause_after: int = 10
    qualification: Qualification | None = None
    # hitl:qualification=team: the work team's test (workforce.qualification), passed once for all its flows.
    team_qualification: bool = False
    flag_below: float = 0.7
    min_history: int = 50

    @property
    def uses_gold(self) -> bool:
        return self.gold_rate > 0 or self.qualification is not None or self.team_qualification


DEFAULT = QualityConfig()


def _number(key: str, value: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # also refuses nan
        raise InvalidInput(f"Tag {key} must be a number from {low:g} to {high:g}, not {value!r}.")
    return number


def _integer(key: str, value: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise InvalidInput(f"Tag {key} must be a whole number from {low} to {high}, not {value!r}.")
    return int(value)


def _consolidation(key: str, value: str) -> str:
    if value not in (DAWID_SKENE, MAJORITY_VOTE):
        raise InvalidInput(f"Tag {key} must be {DAWID_SKENE} or {MAJORITY_VOTE}, not {value!r}.")
    return value


def _overlap(key: str, value: str) -> Overlap | None:
    if value == "fixed":
        return None
    parts = value.split(":")
    usage = (
        f"Tag {key} must be fixed or adaptive:MIN:MAX:TARGET with 1 <= MIN <= MAX <= {MAX_TASK_COUNT} and "
        f"0.5 <= TARGET < 1 (for example adaptive:1:5:0.95), not {value!r}."
    )
    if len(parts) != 4 or parts[0] != "adaptive" or not parts[1].isdigit() or not parts[2].isdigit():
        raise InvalidInput(usage)
    minimum, maximum = int(parts[1]), int(parts[2])
    try:
        target = float(parts[3])
    except ValueError:
        raise InvalidInput(usage) from None
    if not (1 <= minimum <= maximum <= MAX_TASK_COUNT and 0.5 <= target < 1):
        raise InvalidInput(usage)
    return Overlap(minimum, maximum, target)


def _qualification(key: str, value: str) -> Qualification | str | None:
    if value == TEAM:
        return TEAM  # _parse_cached turns it into team_qualification
    return parse_value(key, value, team_allowed=True)


_PARSERS = {
    "consolidation": ("consolidation", _consolidation),
    "overlap": ("overlap", _overlap),
    "gold-rate": ("gold_rate", lambda key, value: _number(key, value, 0, 0.5)),
    "pause-below": ("pause_below", lambda key, value: _number(key, value, 0, 1)),
    "pause-after": ("pause_after", lambda key, value: _integer(key, value, 1, 1000)),
    "qualification": ("qualification", _qualification),
    "flag-below": ("flag_below", lambda key, value: _number(key, value, 0, 1)),
    "min-history": ("min_history", lambda key, value: _integer(key, value, 0, 1_000_000)),
}


def parse(tags: list[dict[str, str]]) -> QualityConfig:
    """Return the settings the `hitl:` tags give; raise InvalidInput naming the first bad tag."""
    return _parse_cached(tuple((tag.get("Key", ""), tag.get("Value", "")) for tag in tags or ()))


@functools.lru_cache(maxsize=1024)
def _parse_cached(pairs: tuple[tuple[str, str], ...]) -> QualityConfig:
    values = {}
    for key, value in pairs:
        if not key.startswith(PREFIX) or key.startswith(OTHER_PREFIXES):
            continue
        name = key[len(PREFIX) :]
        if name not in _PARSERS:
            known = ", ".join(PREFIX + known for known in _PARSERS)
            raise InvalidInput(
                f"Tag {key} is not a hitl setting; the quality tags are {known} (hitl:agent:... for agents, hitl:deadline... for deadlines)."
            )
        field, parser = _PARSERS[name]
        values[field] = parser(key, value.strip())
    if values.get("qualification") == TEAM:
        values["qualification"], values["team_qualification"] = None, True
    return QualityConfig(**values)


def of_flow(flow) -> QualityConfig:
    """Return a flow definition's settings (tags were validated when set; a bad one now reads as the default)."""
    try:
        return parse(flow.tags)
    except InvalidInput:
        return DEFAULT


def tasks_at_start(flow) -> int:
    """Return how many review tasks a new loop of `flow` gets: TaskCount, or adaptive overlap's minimum."""
    overlap = of_flow(flow).overlap
    return overlap.minimum if overlap is not None else flow.task_count


# --- Consolidation, registered from above ---------------------------------------------------------
# Consolidation (inference_adapters.quality.consolidation and .quality) sits above flows; gold scoring and
# adaptive overlap need two of its answers, so inference_adapters registers them in AppConfig.ready.
QuestionsOf = Callable[[list[dict[str, Any]]], dict[str, list[Any]]]
ConfidenceOf = Callable[[Any, list[tuple[str, dict[str, Any]]]], float | None]
_consolidation: dict[str, Callable[..., Any]] = {}


def register_consolidation(*, questions: QuestionsOf, confidence: ConfidenceOf) -> None:
    """Install what reads an item's categorical questions and what says how sure their answer is."""
    _consolidation["questions"], _consolidation["confidence"] = questions, confidence


def categorical_questions(answers: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Each categorical question of these answers with each answer's value (None where absent)."""
    return _consolidation["questions"](answers)


def answers_confidence(flow, answers: list[tuple[str, dict[str, Any]]]) -> float | None:
    """The lowest posterior confidence over the questions of (workerId, answerContent) pairs (None: none)."""
    return _consolidation["confidence"](flow, answers)
