"""Object grants: the URLs grant_read_access / s3_presign put in a task page, and who may load them.

A render gets an `ObjectGrants` for the loop's account and the person who will see the page
(the reviewer holding the task, or a staff member previewing). Each S3 URI the template grants
is checked against the account's read policy (flows.delivery.read_access); a refused one becomes a
placeholder image, a notice at the top of the page and an audit record, never a URL.

An allowed object on the local store gets a signed token that binds the bucket, key, account,
task and person; the object view (`review_ui.views.stored_object`) checks the signature, the
age, the policy again and that the person still holds the task (or administers the account,
for a preview). The frame has an opaque origin and sends no cookies, so the token is the
task-frame credential; when the session cookie does come (a link opened in a new tab) it must
be the same person. On the S3 backend the store presigns the URL instead, for at most as long
as the reviewer's lease.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from flows.delivery.read_access import ReadPolicy
from flows.models import ReviewTask
from hitl.kernel import clock
from workforce import roles
from workforce.audit import trail as audit

# Not in the spec: how long a grant_read_access URL stays valid at most (a lease can end it sooner).
GRANT_MAX_AGE_SECONDS = 3600
# v2: tokens bind the account, task and person; the unbound tokens of v1 are no longer accepted.
OBJECT_SIGNING_SALT = "review_ui.objects.v2"
NO_ACCOUNT_REASON = "this page was rendered without an account, so it cannot show stored objects"

_PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="60" viewBox="0 0 480 60">'
    '<rect width="480" height="60" fill="#fff4f4" stroke="#b00020" stroke-width="2"/>'
    '<text x="12" y="36" font-family="sans-serif" font-size="16" fill="#b00020">'
    "Access refused: this object is not readable by this account.</text></svg>"
)
REFUSED_PLACEHOLDER_URL = "data:image/svg+xml;charset=utf-8," + quote(_PLACEHOLDER_SVG, safe="")


@dataclass
class ObjectGrants:
    """For whom one render's object URLs are made; collects the refusals of that render."""

    account_id: int
    user_id: int
    actor: str
    task_id: int | None = None  # None: a staff preview
    max_age_seconds: int = GRANT_MAX_AGE_SECONDS
    refused: list[tuple[str, str]] = field(default_factory=list)
    policy: ReadPolicy = field(init=False)

    def __post_init__(self) -> None:
        self.policy = ReadPolicy(self.account_id)

    @classmethod
    def for_task(cls, task: Any, user: Any) -> ObjectGrants:
        """Grants for the reviewer `user` holding `task` (its loop's account; no longer than the lease)."""
        seconds_left = int((task.lease_expires_at - clock.now()).total_seconds()) if task.lease_expires_at else 0
        return cls(
            account_id=task.human_loop.account_id,
            user_id=user.pk,
            actor=user.get_username(),
            task_id=task.id,
            max_age_seconds=max(1, min(GRANT_MAX_AGE_SECONDS, seconds_left)),
        )


@dataclass(frozen=True)
class GrantToken:
    bucket: str
    key: str
    account_id: int
    user_id: int
    task_id: int | None


def object_url(bucket: str, key: str, grants: ObjectGrants) -> str:
    """Return the portal path that serves one stored object to the person `grants` is for.

    The signed token sits in the path (no `&` to escape); the key's last
    segment follows it so the URL ends with a meaningful file name.
    """
    payload = {"b": bucket, "k": key, "a": grants.account_id, "u": grants.user_id, "t": grants.task_id}
    token = signing.dumps(payload, salt=OBJECT_SIGNING_SALT, compress=True)
    filename = quote(key.rsplit("/", 1)[-1] or "object", safe="")
    # reverse() would leave sub-delimiters such as `&` unencoded, so the name is quoted here.
    prefix = reverse("review_ui:object", kwargs={"token": token, "filename": "-"}).removesuffix("-")
    return prefix + filename


def read_token(token: str) -> GrantToken:
    """Return what an object URL token grants; raise signing.BadSignature if forged, malformed or expired."""
    data = signing.loads(token, salt=OBJECT_SIGNING_SALT, max_age=GRANT_MAX_AGE_SECONDS)
    try:
        return GrantToken(data["b"], data["k"], int(data["a"]), int(data["u"]), data["t"])
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("malformed object token") from None


def viewer_refusal(grant: GrantToken, user: Any) -> str | None:
    """Return why the object of `grant` may not be served now to this request's `user`, or None.

    Checked on every load: the person the URL was made for must still hold the task (or, for a
    preview, still administer the account), and the account must still be allowed to read it.
    """
    if user is not None and user.is_authenticated and user.pk != grant.user_id:
        return "this link was made for another person"
    if grant.task_id is not None:
        held = ReviewTask.objects.filter(
            id=grant.task_id,
            worker_id=grant.user_id,
            state=ReviewTask.State.LEASED,
            lease_expires_at__gt=clock.now(),
            human_loop__account_id=grant.account_id,
        ).exists()
        if not held:
            return "the task this link was made for is no longer assigned to its reviewer"
    else:
        person = get_user_model().objects.filter(pk=grant.user_id, is_active=True, is_staff=True).first()
        if person is None or not roles.administered_accounts(person).filter(id=grant.account_id).exists():
            return "the preview this link was made for is no longer allowed for its account"
    return ReadPolicy(grant.account_id).refusal(grant.bucket, grant.key)


def refusal_notice(refused: list[tuple[str, str]]) -> str:
    """Return the HTML notice shown at the top of a task page whose objects were refused."""
    items = "".join(f"<li>{html.escape(reason)}</li>" for _uri, reason in refused)
    return (
        '<div role="alert" data-hitl-refused-objects style="border:2px solid #b00020;background:#fff4f4;'
        'color:#b00020;padding:8px 12px;margin:8px 0;font:14px/1.4 sans-serif">'
        "<strong>Some content of this task cannot be shown.</strong> "
        "Tell the task's owner; answering without it may not be possible."
        f"<ul>{items}</ul></div>"
    )


def insert_notice(rendered: str, notice: str) -> str:
    """Put `notice` right after the opening <body> tag, or first when the page has none."""
    lower = rendered.lower()
    body = lower.find("<body")
    if body >= 0:
        end = lower.find(">", body)
        if end >= 0:
            return rendered[: end + 1] + notice + rendered[end + 1 :]
    return notice + rendered


def record_refusals(grants: ObjectGrants) -> None:
    """Write one audit record per refused object of a render."""
    for uri, reason in grants.refused:
        audit.record_refused_grant(
            account_id=grants.account_id, actor=grants.actor, uri=uri, reason=reason, task_id=grants.task_id
        )
