"""Create, describe, list, update and delete workforces and work teams; add reviewers to teams.

Callers (the `sagemaker` handlers, management commands) validate wire shapes.
These functions enforce what needs the database: one workforce per account,
unique team names, the team quota, member kinds that match the workforce,
and deletes that would orphan flow definitions or teams.

Not-found errors are InvalidInput, not NotFound: SageMaker reports missing
work teams and workforces as ValidationException (spec 5.4, 5.5).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet

from hitl.kernel import arns, clock
from hitl.kernel.errors import InUse, InvalidInput, LimitExceeded
from hitl.kernel.public_url import public_url
from workforce import qualification, secrets
from workforce.models import Account, Worker, Workforce, Workteam, WorkteamMembership

DEFAULT_WORKFORCE_NAME = "default"
_UNSET: Any = object()


def portal_host() -> str:
    """Return the worker-portal host name (SubDomain): the host of the public URL (hitl.kernel.public_url)."""
    return urlsplit(public_url()).netloc


# --- Workforces ---------------------------------------------------------------


def create_workforce(
    account: Account,
    *,
    name: str,
    oidc_config: dict[str, Any] | None,
    client_secret: str = "",
    source_ip_cidrs: list[str] | None = None,
    vpc_config: dict[str, Any] | None = None,
    ip_address_type: str = "",
    tags: list[dict[str, str]] | None = None,
) -> Workforce:
    """Create the account's private workforce; a second one is refused (InvalidInput).

    `oidc_config` is the OidcConfig as sent, without ClientSecret; the secret
    is stored encrypted and never returned.
    """
    with transaction.atomic():
        # Lock the account so two concurrent creates cannot both pass the check.
        Account.objects.select_for_update().get(pk=account.pk)
        existing = Workforce.objects.filter(account=account).first()
        if existing is not None:
            raise InvalidInput(
                f"The account already has a workforce ({existing.name}); only one private workforce is allowed "
                "per account and region."
            )
        now = clock.now()
        return Workforce.objects.create(
            account=account,
            name=name,
            status=Workforce.Status.ACTIVE,
            oidc_config=oidc_config,
            oidc_client_secret_encrypted=secrets.encrypt(client_secret) if client_secret else "",
            source_ip_cidrs=source_ip_cidrs or [],
            vpc_config=vpc_config,
            ip_address_type=ip_address_type,
            # Blank: SubDomain follows HITL_PUBLIC_URL (see portal_host) unless an operator sets one.
            sub_domain="",
            tags=tags or [],
            created_at=now,
            updated_at=now,
        )


def get_workforce(account: Account, name: str) -> Workforce:
    """Return the account's workforce `name`, or raise InvalidInput ("No workforce ...")."""
    workforce = Workforce.objects.filter(account=account, name=name).first()
    if workforce is None:
        raise InvalidInput(f"No workforce found with name {name}.")
    return workforce


def workforces(account: Account) -> QuerySet[Workforce]:
    """Return the account's workforces (at most one)."""
    return Workforce.objects.filter(account=account)


def update_workforce(
    account: Account,
    name: str,
    *,
    oidc_config: dict[str, Any] | None = _UNSET,
    client_secret: str = _UNSET,
    source_ip_cidrs: list[str] = _UNSET,
    vpc_config: dict[str, Any] | None = _UNSET,
    ip_address_type: str = _UNSET,
) -> Workforce:
    """Change only the given settings of the workforce and bump its LastUpdatedDate."""
    with transaction.atomic():
        workforce = Workforce.objects.select_for_update().filter(pk=get_workforce(account, name).pk).get()
        if workforce.cognito_config and oidc_config is not _UNSET:
            raise InvalidInput(f"Workforce {name} uses Cognito; its OidcConfig cannot be set.")
        if oidc_config is not _UNSET:
            workforce.oidc_config = oidc_config
        if client_secret is not _UNSET:
            workforce.oidc_client_secret_encrypted = secrets.encrypt(client_secret) if client_secret else ""
        if source_ip_cidrs is not _UNSET:
            workforce.source_ip_cidrs = source_ip_cidrs
        if vpc_config is not _UNSET:
            workforce.vpc_config = vpc_config
        if ip_address_type is not _UNSET:
            workforce.ip_address_type = ip_address_type
        workforce.updated_at = clock.now()
        workforce.save()
        return workforce


def delete_workforce(account: Account, name: str) -> None:
    """Delete the workforce; refused (InvalidInput) while work teams belong to it."""
    workforce = get_workforce(account, name)
    teams = list(workforce.workteams.values_list("name", flat=True)[:5])
    if teams:
        raise InvalidInput(
            f"Workforce {name} still has work teams ({', '.join(teams)}); delete them before the workforce."
        )
    try:
        workforce.delete()
    except ProtectedError:
        raise InvalidInput(f"Workforce {name} still has work teams; delete them before the workforce.") from None


def default_workforce(account: Account) -> Workforce:
    """Return the account's only workforce, creating one named "default" if it has none."""
    workforce = Workforce.objects.filter(account=account).order_by("id").first()
    if workforce is not None:
        return workforce
    try:
        return create_workforce(account, name=DEFAULT_WORKFORCE_NAME, oidc_config=None)
    except InvalidInput:
        # Created concurrently by another request.
        return Workforce.objects.filter(account=account).order_by("id").first()


# --- Work teams ---------------------------------------------------------------


def create_workteam(
    account: Account,
    *,
    name: str,
    description: str,
    member_definitions: list[dict[str, Any]],
    workforce_name: str | None = None,
    notification_config: dict[str, Any] | None = None,
    worker_access_config: dict[str, Any] | None = None,
    tags: list[dict[str, str]] | None = None,
) -> Workteam:
    """Create a private work team in the named (or the account's only) workforce.

    Raises InUse (name taken), LimitExceeded (HITL_WORKTEAM_QUOTA) or
    InvalidInput (no such workforce, member kind not matching the workforce).
    """
    if workforce_name is None:
        workforce = default_workforce(account)
    else:
        workforce = Workforce.objects.filter(account=account, name=workforce_name).first()
        if workforce is None:
            raise InvalidInput(f"No workforce found with name {workforce_name}.")
    _check_member_kind(workforce, member_definitions)
    qualification.validate_team_tags(tags)
    with transaction.atomic():
        if Workteam.objects.filter(account=account).count() >= settings.HITL_WORKTEAM_QUOTA:
            raise LimitExceeded(f"The account already has {settings.HITL_WORKTEAM_QUOTA} work teams, the maximum.")
        now = clock.now()
        try:
            with transaction.atomic():
                return Workteam.objects.create(
                    account=account,
                    workforce=workforce,
                    name=name,
                    description=description,
                    member_definitions=member_definitions,
                    notification_config=notification_config,
                    worker_access_config=worker_access_config,
                    tags=tags or [],
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            raise InUse(f"A work team named {name} already exists in this account.") from None


def get_workteam(account: Account, name: str) -> Workteam:
    """Return the account's work team `name`, or raise InvalidInput ("The work team ... does not exist.")."""
    team = Workteam.objects.select_related("workforce").filter(account=account, name=name).first()
    if team is None:
        raise InvalidInput(f"The work team {arns.build('workteam', account.aws_account_id, name)} does not exist.")
    return team


def workteams(account: Account) -> QuerySet[Workteam]:
    """Return the account's work teams with their workforce."""
    return Workteam.objects.filter(account=account).select_related("workforce")


def update_workteam(
    account: Account,
    name: str,
    *,
    description: str | None = None,
    member_definitions: list[dict[str, Any]] | None = None,
    notification_config: dict[str, Any] | None = None,
    worker_access_config: dict[str, Any] | None = None,
) -> Workteam:
    """Change only the given members of the team and bump its LastUpdatedDate.

    Reviewers whose OIDC groups no longer match lose the team at their next
    sign-in (membership is resolved there).
    """
    with transaction.atomic():
        team = Workteam.objects.select_for_update().select_related("workforce").get(pk=get_workteam(account, name).pk)
        if member_definitions is not None:
            _check_member_kind(team.workforce, member_definitions)
            team.member_definitions = member_definitions
        if description is not None:
            team.description = description
        if notification_config is not None:
            team.notification_config = notification_config
        if worker_access_config is not None:
            team.worker_access_config = worker_access_config
        team.updated_at = clock.now()
        team.save()
        return team


def delete_workteam(account: Account, name: str) -> None:
    """Delete the team; refused (InUse) while a flow definition still routes tasks to it."""
    team = get_workteam(account, name)
    flows = list(team.flow_definitions.filter(deleted_at__isnull=True).values_list("name", flat=True)[:5])
    if flows:
        raise InUse(f"The work team {name} is used by flow definition(s) {', '.join(flows)}; delete them first.")
    try:
        team.delete()
    except ProtectedError:
        raise InUse(
            f"The work team {name} is still referenced by deleted flow definitions whose human loops are kept; "
            "delete those human loops first."
        ) from None


def _check_member_kind(workforce: Workforce, member_definitions: list[dict[str, Any]]) -> None:
    kinds = {kind for definition in member_definitions for kind in definition}
    if len(kinds) > 1:
        raise InvalidInput("MemberDefinitions may not mix CognitoMemberDefinition and OidcMemberDefinition.")
    if workforce.oidc_config and "CognitoMemberDefinition" in kinds:
        raise InvalidInput(
            f"Workforce {workforce.name} uses OIDC: use OidcMemberDefinition, not CognitoMemberDefinition."
        )
    if workforce.cognito_config and "OidcMemberDefinition" in kinds:
        raise InvalidInput(
            f"Workforce {workforce.name} uses Cognito: use CognitoMemberDefinition, not OidcMemberDefinition."
        )


# --- Reviewers ------------------------------------------------------------------


def ensure_reviewer(username: str, *, password: str | None = None, email: str | None = None) -> AbstractBaseUser:
    """Return the user `username` with a Worker identity, creating the user if missing.

    A password or email given for an existing user replaces the old one.
    """
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"email": email or ""})
    changed = []
    if password:
        user.set_password(password)
        changed.append("password")
    elif created:
        user.set_unusable_password()
        changed.append("password")
    if email and user.email != email:
        user.email = email
        changed.append("email")
    if changed:
        user.save(update_fields=changed)
    Worker.objects.get_or_create(user=user, defaults={"identity_provider_type": "Cognito", "sub": username})
    return user


def add_member(team: Workteam, user: AbstractBaseUser) -> bool:
    """Make `user` a reviewer on `team`; return False if they already were."""
    _, created = WorkteamMembership.objects.get_or_create(workteam=team, user=user)
    return created
