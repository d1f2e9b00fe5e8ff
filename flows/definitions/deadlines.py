"""A flow's deadline, reminders, escalation and on-timeout action, read from its `hitl:deadline` tags.

Set with CreateFlowDefinition's Tags or AddTags (boto3, no new client); checked
when set (a ValidationException names the tag), like flows.quality.quality_config and
flows.definitions.agent_policy. Times are seconds after the loop started, written `600`,
`10m` or `2h`:

| tag | value | default |
|---|---|---|
| hitl:deadline | when the on-timeout action happens; shorter than TaskAvailabilityLifetimeInSeconds | none (A2I: only the lifetime) |
| hitl:deadline:reminders | space-separated times: remind the reviewers holding the loop's task (nobody holds it: the team) | none |
| hitl:deadline:escalate-at | when the escalation step adds who may claim the loop and notifies them | none |
| hitl:deadline:escalate-to | space-separated work team names (or ARNs) and `user:NAME` reviewers (username or e-mail) | none |
| hitl:deadline:on-timeout | fail (A2I's Failed with FailureCode Expired), approve (Completed; opt-in, for low-risk actions) or escalate | fail |

Each step happens at most once per loop (notifications.models.LoopStep is unique per loop and step).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from hitl.kernel.errors import InvalidInput

PREFIX = "hitl:deadline"
DEADLINE = PREFIX
REMINDERS = PREFIX + ":reminders"
ESCALATE_AT = PREFIX + ":escalate-at"
ESCALATE_TO = PREFIX + ":escalate-to"
ON_TIMEOUT = PREFIX + ":on-timeout"
KEYS = (DEADLINE, REMINDERS, ESCALATE_AT, ESCALATE_TO, ON_TIMEOUT)
FAIL, APPROVE, ESCALATE = "fail", "approve", "escalate"
ON_TIMEOUT_CHOICES = (FAIL, APPROVE, ESCALATE)
USER_PREFIX = "user:"
MAX_REMINDERS = 5
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# Step names (notifications.models.LoopStep.step): reminder-1 ... reminder-5, escalation, timeout.
ESCALATION_STEP = "escalation"
TIMEOUT_STEP = "timeout"


@dataclass(frozen=True)
class EscalationTarget:
    team_names: tuple[str, ...] = ()
    usernames: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deadlines:
    deadline_seconds: int | None = None
    reminder_seconds: tuple[int, ...] = ()
    escalate_at_seconds: int | None = None
    escalate_to: EscalationTarget | None = None
    on_timeout: str = FAIL

    @property
    def configured(self) -> bool:
        return bool(self.deadline_seconds or self.reminder_seconds or self.escalate_at_seconds)

    def steps(self) -> list[tuple[str, int]]:
        """Return (step, seconds after the start) of every step of this flow, earliest first."""
        steps = [(f"reminder-{n}", s) for n, s in enumerate(self.reminder_seconds, start=1)]
        if self.escalate_at_seconds is not None:
            steps.append((ESCALATION_STEP, self.escalate_at_seconds))
        if self.deadline_seconds is not None:
            steps.append((TIMEOUT_STEP, self.deadline_seconds))
        return sorted(steps, key=lambda step: step[1])


NONE = Deadlines()


def duration(key: str, value: str) -> int:
    """Return the seconds of `600`, `10m`, `2h` or `1d`; InvalidInput names the tag otherwise."""
    text = value.strip().lower()
    unit = _UNITS.get(text[-1:], None) if text and not text[-1:].isdigit() else 1
    number = text[:-1] if text and not text[-1:].isdigit() else text
    if unit is None or not number.isdigit() or int(number) < 1:
        raise InvalidInput(f"Tag {key} must be a time such as 600, 10m, 2h or 1d (at least 1 s), not {value!r}.")
    return int(number) * unit


def parse(tags: list[dict[str, str]] | None, *, lifetime_seconds: int) -> Deadlines:
    """Return the flow's deadline settings; InvalidInput names the first bad or inconsistent tag."""
    pairs = tuple((t.get("Key", ""), t.get("Value", "")) for t in tags or () if t.get("Key", "").startswith(PREFIX))
    return _parse_cached(pairs, lifetime_seconds)


@functools.lru_cache(maxsize=1024)
def _parse_cached(pairs: tuple[tuple[str, str], ...], lifetime_seconds: int) -> Deadlines:
    values: dict = {}
    for key, value in pairs:
        if key == DEADLINE:
            values["deadline_seconds"] = duration(key, value)
        elif key == REMINDERS:
            times = tuple(sorted(duration(key, part) for part in value.split()))
            if not times or len(times) > MAX_REMINDERS:
                raise InvalidInput(f"Tag {key} must list 1 to {MAX_REMINDERS} times, e.g. '5m 9m', not {value!r}.")
            values["reminder_seconds"] = times
        elif key == ESCALATE_AT:
            values["escalate_at_seconds"] = duration(key, value)
        elif key == ESCALATE_TO:
            values["escalate_to"] = _target(key, value)
        elif key == ON_TIMEOUT:
            if value.strip() not in ON_TIMEOUT_CHOICES:
                raise InvalidInput(f"Tag {key} must be one of {', '.join(ON_TIMEOUT_CHOICES)}, not {value!r}.")
            values["on_timeout"] = value.strip()
        else:
            raise InvalidInput(f"Tag {key} is not a hitl deadline setting; known: {', '.join(KEYS)}.")
    result = Deadlines(**values)
    _check_consistent(result, lifetime_seconds)
    return result


def _target(key: str, value: str) -> EscalationTarget:
    teams, users = [], []
    for part in value.split():
        if part.startswith(USER_PREFIX) and len(part) > len(USER_PREFIX):
            users.append(part[len(USER_PREFIX) :])
        elif part.startswith(USER_PREFIX):
            raise InvalidInput(f"Tag {key}: {part!r} names no reviewer; write user:USERNAME or user:EMAIL.")
        else:
            # A work team ARN ends with workteam/<workforce>/<name>.
            teams.append(part.rsplit("/", 1)[-1] if part.startswith("arn:") else part)
    if not teams and not users:
        raise InvalidInput(f"Tag {key} must name work teams or user:NAME reviewers, not {value!r}.")
    return EscalationTarget(team_names=tuple(teams), usernames=tuple(users))


def _check_consistent(d: Deadlines, lifetime_seconds: int) -> None:
    if d.deadline_seconds is not None and d.deadline_seconds >= lifetime_seconds:
        raise InvalidInput(
            f"Tag {DEADLINE} ({d.deadline_seconds} s) must be shorter than the flow's "
            f"TaskAvailabilityLifetimeInSeconds ({lifetime_seconds} s), which ends the loop anyway."
        )
    end = d.deadline_seconds or lifetime_seconds
    for key, times in ((REMINDERS, d.reminder_seconds), (ESCALATE_AT, (d.escalate_at_seconds,))):
        late = [t for t in times if t is not None and t >= end]
        if late:
            raise InvalidInput(f"Tag {key} ({late[0]} s) must come before the deadline ({end} s).")
    escalates = d.escalate_at_seconds is not None or d.on_timeout == ESCALATE
    if escalates and d.escalate_to is None:
        raise InvalidInput(f"Escalation needs {ESCALATE_TO}: the work teams or user:NAME reviewers to add.")
    if d.escalate_to is not None and not escalates:
        raise InvalidInput(f"Tag {ESCALATE_TO} needs {ESCALATE_AT} or {ON_TIMEOUT}=escalate: when to escalate.")
    if d.on_timeout != FAIL and d.deadline_seconds is None:
        raise InvalidInput(f"Tag {ON_TIMEOUT}={d.on_timeout} needs {DEADLINE}: when the loop times out.")


def of_flow(flow) -> Deadlines:
    """Return a flow's deadline settings (validated when set; a bad one now reads as none)."""
    try:
        return parse(flow.tags, lifetime_seconds=flow.task_availability_lifetime_seconds)
    except InvalidInput:
        return NONE
