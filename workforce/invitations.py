"""Invite reviewers to a work team by e-mail: one address, or many from a CSV file.

An invited reviewer gets an account with an unusable password and an e-mail
with a one-time link to choose one (allauth's password-reset-from-key page),
and joins the team at once.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from hitl.kernel.public_url import public_url
from workforce.models import Worker, Workteam, WorkteamMembership

MAX_CSV_ROWS = 5000


@dataclass
class InviteResult:
    invited: list[str] = field(default_factory=list)  # new accounts, mail sent
    added: list[str] = field(default_factory=list)  # existing accounts added to the team
    already_members: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def invite_reviewer(team: Workteam, email: str, *, role: str = WorkteamMembership.Role.REVIEWER) -> str:
    """Add the reviewer with this e-mail to `team`, creating and inviting the account if new.

    Returns "invited", "added" or "already_member". Raises ValidationError for a bad address or role.
    """
    email = email.strip().lower()
    validate_email(email)
    if role not in WorkteamMembership.Role.values:
        raise ValidationError(f"Unknown role {role!r}; use one of {', '.join(WorkteamMembership.Role.values)}.")
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User(username=_free_username(email), email=email)
            user.set_unusable_password()
            user.save()
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            Worker.objects.get_or_create(user=user)
        _, joined = WorkteamMembership.objects.get_or_create(workteam=team, user=user, defaults={"role": role})
        if created:
            transaction.on_commit(lambda: _send_invitation(user, team))
    if created:
        return "invited"
    return "added" if joined else "already_member"


def invite_from_csv(team: Workteam, data: bytes) -> InviteResult:
    """Invite every row of a CSV (`email[,role]`, optional header row); bad rows are reported, not fatal."""
    result = InviteResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("The file is not UTF-8 text.")
        return result
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if line_no > MAX_CSV_ROWS:
            result.errors.append(f"Only the first {MAX_CSV_ROWS} rows were read.")
            break
        cells = [cell.strip() for cell in row]
        if not cells or not cells[0] or (line_no == 1 and cells[0].lower() in ("email", "e-mail")):
            continue
        email, role = cells[0], (cells[1].lower() if len(cells) > 1 and cells[1] else "reviewer")
        try:
            outcome = invite_reviewer(team, email, role=role)
        except ValidationError as exc:
            result.errors.append(f"Row {line_no} ({email}): {' '.join(exc.messages)}")
            continue
        {"invited": result.invited, "added": result.added, "already_member": result.already_members}[outcome].append(
            email.lower()
        )
    return result


def invitation_link(user) -> str:
    """Return the absolute one-time link where an invited reviewer sets a password."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return public_url() + path


def _send_invitation(user, team: Workteam) -> None:
    send_mail(
        subject=f"You are invited to review for {team.name}",
        message=(
            f"You were added to the work team {team.name}.\n\n"
            f"Choose a password to sign in (the link works once):\n{invitation_link(user)}\n\n"
            f"Your user name is {user.get_username()}.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def _free_username(email: str) -> str:
    User = get_user_model()
    base = re.sub(r"[^\w.@+-]", "", email)[:140] or "reviewer"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate
