"""Policy for AI agents' tool-call reviews, set per flow definition with `hitl:agent:` tags.

A flow carrying any of these tags reviews LangChain HITLRequests
({"action_requests": [...], "review_configs": [...]}) and StartHumanLoop applies:

  hitl:agent:allowed-decisions[:TOOL]   "approve reject": the decisions a request may offer for TOOL
                                        (without :TOOL, for every tool); a request offering more is refused
  hitl:agent:auto-approve:TOOL          "always": TOOL never needs a person; "ARG=PREFIX": only when argument
                                        ARG (as text) starts with PREFIX; "ARG==VALUE": only when it is
                                        exactly VALUE. A request whose every action is
                                        auto-approved starts no loop (StartHumanLoop answers {} as for a
                                        built-in flow whose conditions did not fire); the agent proceeds
  hitl:agent:approval-valid-seconds     N: an approve or edit older than N seconds when it is read is void
                                        (read as a reject), so a stale approval cannot trigger the action
  hitl:agent:on-timeout                 "deny" (default) or "approve": the decision of a review that ended
                                        without an answer (stopped, expired, failed)

Pure functions over the flow's tags and the loop's rows, like flows.definitions.activation; the
tags are checked when a flow is created or tagged (ValidationException naming the tag).
AWS tag values allow only letters, digits, spaces and _ . : / = + - @, hence no commas
or regular expressions in the values.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from hitl.kernel.errors import InvalidInput

PREFIX = "hitl:agent:"
DECISIONS = ("approve", "edit", "reject", "respond")
ALLOWED = PREFIX + "allowed-decisions"
AUTO_APPROVE = PREFIX + "auto-approve:"
VALID_SECONDS = PREFIX + "approval-valid-seconds"
ON_TIMEOUT = PREFIX + "on-timeout"
ON_TIMEOUT_CHOICES = ("deny", "approve")


@dataclass(frozen=True)
class AutoApprove:
    argument: str | None  # None: every call of the tool
    text: str = ""
    exact: bool = False

    def matches(self, args: Any) -> bool:
        if self.argument is None:
            return True
        if not isinstance(args, dict) or self.argument not in args:
            return False
        value = args[self.argument]
        text = value if isinstance(value, str) else json.dumps(value)
        # A prefix of a path-like value must not let "/tmp/../etc" through.
        if ".." in text.split("/"):
            return False
        return text == self.text if self.exact else text.startswith(self.text)


@dataclass(frozen=True)
class Policy:
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # tool ("" = every tool) -> decisions
    auto_approve: dict[str, AutoApprove] = field(default_factory=dict)
    valid_seconds: int | None = None
    on_timeout: str = "deny"

    def allowed_for(self, tool: str) -> tuple[str, ...]:
        return self.allowed.get(tool) or self.allowed.get("") or DECISIONS


def parse(tags: list[dict[str, str]] | None) -> Policy | None:
    """Return the flow's policy, or None when it has no `hitl:agent:` tag; InvalidInput names a bad tag."""
    mine = [(t["Key"], t["Value"]) for t in tags or [] if t.get("Key", "").startswith(PREFIX)]
    if not mine:
        return None
    allowed: dict[str, tuple[str, ...]] = {}
    auto: dict[str, AutoApprove] = {}
    valid_seconds, on_timeout = None, "deny"
    for key, value in mine:
        if key == ALLOWED or key.startswith(ALLOWED + ":"):
            tool = key[len(ALLOWED) + 1 :]
            decisions = tuple(value.replace("+", " ").split())
            unknown = [d for d in decisions if d not in DECISIONS]
            if not decisions or unknown:
                raise _bad(key, value, f"a space-separated list of {' '.join(DECISIONS)}")
            allowed[tool] = decisions
        elif key.startswith(AUTO_APPROVE) and len(key) > len(AUTO_APPROVE):
            auto[key[len(AUTO_APPROVE) :]] = _auto_approve(key, value)
        elif key == VALID_SECONDS:
            if not value.isdigit() or int(value) < 1:
                raise _bad(key, value, "a whole number of seconds, at least 1")
            valid_seconds = int(value)
        elif key == ON_TIMEOUT:
            if value not in ON_TIMEOUT_CHOICES:
                raise _bad(key, value, "deny or approve")
            on_timeout = value
        else:
            raise InvalidInput(
                f"Tag {key} is not a hitl agent policy tag; known: {ALLOWED}[:TOOL], {AUTO_APPROVE}TOOL, "
                f"{VALID_SECONDS}, {ON_TIMEOUT}."
            )
    return Policy(allowed=allowed, auto_approve=auto, valid_seconds=valid_seconds, on_timeout=on_timeout)


def _auto_approve(key: str, value: str) -> AutoApprove:
    if value == "always":
        return AutoApprove(argument=None)
    argument, sep, text = value.partition("=")
    exact = text.startswith("=")
    text = text[1:] if exact else text
    if not sep or not argument or not text:
        raise _bad(key, value, "always, ARGUMENT=PREFIX or ARGUMENT==VALUE, e.g. path=/tmp/")
    return AutoApprove(argument=argument, text=text, exact=exact)


def _bad(key: str, value: str, expected: str) -> InvalidInput:
    return InvalidInput(f"Tag {key} has the value {value!r}; it must be {expected}.")


@dataclass(frozen=True)
class StartDecision:
    start: bool
    activation_output: dict[str, Any] | None


def evaluate_start(flow_name: str, policy: Policy, input_json: Any) -> StartDecision:
    """Check a HITLRequest against the policy; decide whether it needs a person at all."""
    if not isinstance(input_json, dict) or not isinstance(input_json.get("action_requests"), list):
        raise InvalidInput(
            f"Flow definition {flow_name} reviews agent tool calls (hitl:agent: tags); InputContent must be a "
            'LangChain HITLRequest: {"action_requests": [{"name", "args", "description"}], "review_configs": [...]}.'
        )
    actions = input_json["action_requests"]
    configs = input_json.get("review_configs") or []
    for index, action in enumerate(actions):
        name = action.get("name") if isinstance(action, dict) else None
        if not isinstance(name, str) or not name:
            raise InvalidInput(f'action_requests[{index}] needs a tool name ("name").')
        config = next((c for c in configs if isinstance(c, dict) and c.get("action_name") == name), None)
        offered = (config or {}).get("allowed_decisions") or []
        permitted = policy.allowed_for(name)
        extra = [d for d in offered if d not in permitted]
        if extra:
            raise InvalidInput(
                f"Flow definition {flow_name} allows only {', '.join(permitted)} for {name} "
                f"(tag {ALLOWED}); the request also offers {', '.join(extra)}."
            )
    needs_person = [
        a
        for a in actions
        if not (a["name"] in policy.auto_approve and policy.auto_approve[a["name"]].matches(a.get("args")))
    ]
    if not needs_person and actions:
        return StartDecision(start=False, activation_output=None)
    return StartDecision(start=True, activation_output=None)


def effective_decision(
    policy: Policy | None,
    *,
    status: str,
    input_json: Any,
    answers: list[dict[str, Any]],
    submitted_at: dt.datetime | None,
    now: dt.datetime,
) -> dict[str, Any] | None:
    """Return the HITLResponse an agent should act on for a finished loop, with the policy applied.

    The reviewer's answer when there is one (approvals and edits past the validity
    window become rejects); otherwise every action rejected, or approved when the
    flow's on-timeout says so. None for a loop whose input is not a HITLRequest.
    """
    actions = input_json.get("action_requests") if isinstance(input_json, dict) else None
    if not isinstance(actions, list):
        return None
    if status == "Completed" and answers:
        response = answers[0].get("answerContent")
        if not isinstance(response, dict) or not isinstance(response.get("decisions"), list):
            return None
        if policy and policy.valid_seconds and submitted_at is not None:
            age = (now - submitted_at).total_seconds()
            if age > policy.valid_seconds:
                void = (
                    f"The approval expired: it was given {int(age)} s ago; this flow accepts {policy.valid_seconds} s."
                )
                return {
                    "decisions": [
                        {"type": "reject", "message": void} if d.get("type") in ("approve", "edit") else d
                        for d in response["decisions"]
                    ]
                }
        return response
    # A Completed loop without answers was approved at its deadline (hitl:deadline:on-timeout approve).
    if (policy and policy.on_timeout == "approve") or status == "Completed":
        return {"decisions": [{"type": "approve"} for _ in actions]}
    message = f"No human decision: the review ended as {status}. The tool was not run."
    return {"decisions": [{"type": "reject", "message": message} for _ in actions]}
