"""Reviewer single sign-on through a workforce's OIDC identity provider (A2I private OIDC workforce).

Each workforce with an OidcConfig becomes a django-allauth `openid_connect`
app (provider id `workforce-<pk>`, sign-in at /accounts/oidc/workforce-<pk>/login/),
kept in step by a post_save signal whichever way the workforce changed (API or
admin). The endpoints configured in OidcConfig override what the issuer's
discovery document says; OidcConfig.Scope and AuthenticationRequestExtraParams
go into the authorization request; the token endpoint authentication method
follows the discovery document (`WorkforceOidcAdapter`, used by oidc_views).
At each sign-in the claims decide who the reviewer is and which teams they are on:

* `sagemaker:client_id` must equal ClientId (when sent), else the sign-in is refused;
* `sagemaker:sub` (or `sub`) with the Issuer is the Worker identity written into output.json;
* `sagemaker:groups` is matched against each team's OidcMemberDefinition.Groups:
  memberships that came from a group are added and removed to follow the claim,
  memberships an operator added by hand are left alone.

Both `sagemaker:` and `sagemaker-` claim spellings are accepted.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from allauth.account.signals import user_logged_in
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseForbidden

from workforce import secrets
from workforce.models import Worker, Workforce, Workteam, WorkteamMembership

PROVIDER = "openid_connect"
PROVIDER_ID_PREFIX = "workforce-"
MAX_GROUPS = 10
DEFAULT_SCOPE = ["openid", "profile", "email"]
# Authorization request parameters the sign-in itself sets (its CSRF state, nonce, PKCE challenge,
# where the answer goes): AuthenticationRequestExtraParams cannot replace them.
PROTOCOL_PARAMS = frozenset(
    {"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"}
)


def provider_id(workforce: Workforce) -> str:
    """Return the allauth provider id of a workforce's identity provider."""
    return f"{PROVIDER_ID_PREFIX}{workforce.pk}"


def sync_social_app(workforce: Workforce) -> SocialApp | None:
    """Create, update or remove the allauth app for `workforce` to match its OidcConfig."""
    apps = SocialApp.objects.filter(provider=PROVIDER, provider_id=provider_id(workforce))
    config = workforce.oidc_config or {}
    if not config.get("ClientId") or not config.get("Issuer"):
        apps.delete()
        return None
    overrides = {
        "issuer": config["Issuer"],
        "authorization_endpoint": config.get("AuthorizationEndpoint"),
        "token_endpoint": config.get("TokenEndpoint"),
        "userinfo_endpoint": config.get("UserInfoEndpoint"),
        "jwks_uri": config.get("JwksUri"),
        "end_session_endpoint": config.get("LogoutEndpoint"),
    }
    fields = {
        "name": workforce.name,
        "client_id": config["ClientId"],
        "secret": secrets.decrypt(workforce.oidc_client_secret_encrypted)
        if workforce.oidc_client_secret_encrypted
        else "",
        "settings": {
            "server_url": config["Issuer"],
            "openid_configuration_overrides": {k: v for k, v in overrides.items() if v},
            "scope": scope_of(config),
            "auth_params": extra_params_of(config),
            # RFC 9700 recommends PKCE for confidential clients too; providers without it ignore the parameters.
            "oauth_pkce_enabled": True,
            # No token_auth_method: WorkforceOidcAdapter follows the discovery document at each sign-in.
        },
    }
    app, _ = SocialApp.objects.update_or_create(provider=PROVIDER, provider_id=provider_id(workforce), defaults=fields)
    return app


def scope_of(config: dict[str, Any]) -> list[str]:
    """Return the scopes to request: OidcConfig.Scope (space-separated, `openid` added) or allauth's default."""
    scopes = (config.get("Scope") or "").split()
    if not scopes:
        return list(DEFAULT_SCOPE)
    return scopes if "openid" in scopes else ["openid", *scopes]


def extra_params_of(config: dict[str, Any]) -> dict[str, str]:
    """Return OidcConfig.AuthenticationRequestExtraParams without the parameters the protocol owns."""
    extra = config.get("AuthenticationRequestExtraParams") or {}
    return {key: value for key, value in extra.items() if key.lower() not in PROTOCOL_PARAMS}


def authorization_endpoint(app: SocialApp) -> str:
    """Return where the app's sign-in sends the browser (the OidcConfig endpoint, else the issuer)."""
    overrides = app.settings.get("openid_configuration_overrides") or {}
    return overrides.get("authorization_endpoint") or app.settings.get("server_url", "")


def token_auth_method(discovery: dict[str, Any]) -> str:
    """Return how to authenticate at the token endpoint, as the provider's discovery document allows.

    `client_secret_basic` when listed, or when the list is absent (OpenID Connect Discovery's default);
    `client_secret_post` otherwise.
    """
    methods = discovery.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"


class WorkforceOidcAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, authenticating at the token endpoint as discovery says."""

    @property
    def basic_auth(self) -> bool:
        return token_auth_method(self.openid_config) == "client_secret_basic"

    def get_access_token_data(self, request: HttpRequest, app: SocialApp, client: OAuth2Client, **kwargs: Any):
        if client.basic_auth:
            # RFC 6749 2.3.1: both are form-urlencoded before they go into the Basic header.
            client.consumer_key = quote_plus(client.consumer_key, safe="")
            client.consumer_secret = quote_plus(client.consumer_secret, safe="")
        return super().get_access_token_data(request, app, client, **kwargs)


@receiver(post_save, sender=Workforce, dispatch_uid="oidc_sync_social_app")
def _workforce_saved(sender: type, instance: Workforce, **kwargs: Any) -> None:
    transaction.on_commit(lambda: sync_social_app(instance))


@receiver(post_delete, sender=Workforce, dispatch_uid="oidc_delete_social_app")
def _workforce_deleted(sender: type, instance: Workforce, **kwargs: Any) -> None:
    SocialApp.objects.filter(provider=PROVIDER, provider_id=provider_id(instance)).delete()


def workforce_of(sociallogin: SocialLogin) -> Workforce | None:
    """Return the workforce whose identity provider produced this sign-in, if any."""
    app_provider_id = getattr(sociallogin.provider.app, "provider_id", "") or ""
    if sociallogin.account.provider not in (PROVIDER, app_provider_id) or not app_provider_id.startswith(
        PROVIDER_ID_PREFIX
    ):
        return None
    pk = app_provider_id.removeprefix(PROVIDER_ID_PREFIX)
    return Workforce.objects.filter(pk=pk).first() if pk.isdigit() else None


def claims_of(sociallogin: SocialLogin) -> dict[str, Any]:
    """Return the ID token claims overlaid with the userinfo claims."""
    data = sociallogin.account.extra_data or {}
    if "id_token" in data or "userinfo" in data:
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return dict(data)


def claim(claims: dict[str, Any], name: str) -> Any:
    """Return `sagemaker:<name>` or `sagemaker-<name>`."""
    return claims.get(f"sagemaker:{name}", claims.get(f"sagemaker-{name}"))


def groups_of(claims: dict[str, Any]) -> list[str]:
    """Return the group names of the `sagemaker:groups` claim (a string or a list)."""
    raw = claim(claims, "groups")
    if raw is None:
        return []
    groups = [raw] if isinstance(raw, str) else list(raw)
    return [str(g) for g in groups if g][:MAX_GROUPS]


class WorkforceSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Admit reviewers of a workforce's IdP (sign-up is otherwise invite-only) and check their claims."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        if workforce_of(sociallogin) is not None:
            return True  # the workforce's IdP decides who may sign in; groups decide the teams
        return super().is_open_for_signup(request, sociallogin)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        workforce = workforce_of(sociallogin)
        if workforce is None:
            return
        claims = claims_of(sociallogin)
        client_id = claim(claims, "client_id")
        if client_id is not None and client_id != (workforce.oidc_config or {}).get("ClientId"):
            raise ImmediateHttpResponse(
                HttpResponseForbidden("The identity token was issued for another client (sagemaker:client_id).")
            )
        if not (claim(claims, "sub") or claims.get("sub")):
            raise ImmediateHttpResponse(HttpResponseForbidden("The identity token has no sagemaker:sub claim."))

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        name = claim(claims_of(sociallogin), "name")
        if name and not user.first_name:
            user.first_name = str(name)[:150]
        return user


def apply_sign_in(user: Any, workforce: Workforce, claims: dict[str, Any]) -> list[Workteam]:
    """Record the reviewer's OIDC identity and make their team memberships follow the group claim.

    Returns the teams the groups put them on.
    """
    issuer = (workforce.oidc_config or {}).get("Issuer", "")
    sub = str(claim(claims, "sub") or claims.get("sub"))
    groups = set(groups_of(claims))
    with transaction.atomic():
        worker, _ = Worker.objects.get_or_create(user=user)
        Worker.objects.filter(pk=worker.pk).update(identity_provider_type="Oidc", issuer=issuer, sub=sub)
        matched: dict[int, tuple[Workteam, str]] = {}
        for team in Workteam.objects.filter(workforce=workforce):
            for definition in team.member_definitions or []:
                team_groups = (definition.get("OidcMemberDefinition") or {}).get("Groups") or []
                hit = next((g for g in team_groups if g in groups), None)
                if hit and team.id not in matched:
                    matched[team.id] = (team, hit)
        for team, group in matched.values():
            membership, created = WorkteamMembership.objects.get_or_create(
                workteam=team, user=user, defaults={"via_oidc_group": group}
            )
            if not created and membership.via_oidc_group and membership.via_oidc_group != group:
                WorkteamMembership.objects.filter(pk=membership.pk).update(via_oidc_group=group)
        WorkteamMembership.objects.filter(user=user, workteam__workforce=workforce).exclude(via_oidc_group="").exclude(
            workteam_id__in=list(matched)
        ).delete()
    return [team for team, _ in matched.values()]


@receiver(user_logged_in, dispatch_uid="oidc_apply_sign_in")
def _signed_in(sender: type, request: HttpRequest, user: Any, sociallogin: SocialLogin | None = None, **kw) -> None:
    if sociallogin is None:
        return
    workforce = workforce_of(sociallogin)
    if workforce is not None:
        apply_sign_in(user, workforce, claims_of(sociallogin))
