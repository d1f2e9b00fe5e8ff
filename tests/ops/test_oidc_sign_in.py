"""Reviewer single sign-on against a locally started OIDC provider, configured per workforce as in A2I."""

from __future__ import annotations

import json

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from flows.delivery.storage import get_store
from flows.loops import lifecycle
from tests import factories as f
from tests.ops.oidc_provider import OidcProvider
from workforce import secrets
from workforce.models import Workforce, WorkteamMembership

CLIENT_ID, CLIENT_SECRET = "hitl-portal", "idp-client-secret"


@pytest.fixture
def idp():
    with OidcProvider(CLIENT_ID, CLIENT_SECRET) as provider:
        yield provider


def sign_in(client, workforce: Workforce, idp: OidcProvider, claims: dict):
    """Go through the authorization-code flow as a browser would; return the final response."""
    idp.next_claims = claims
    start = client.post(f"/accounts/oidc/workforce-{workforce.pk}/login/")
    assert start.status_code == 302, start.content[:500]
    authorize = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert authorize.status_code == 302, authorize.text
    callback = authorize.headers["Location"].removeprefix("http://testserver")
    return start, client.get(callback)


@pytest.fixture
def workforce_with_idp(admin_client, idp, django_capture_on_commit_callbacks):
    """A workforce whose OIDC settings an operator entered in the admin, and its teams."""
    acct = f.account()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/workforce/workforce/add/",
            {
                "account": acct.pk,
                "name": "reviewers",
                "oidc_config": json.dumps(idp.oidc_config()),
                "oidc_client_secret": CLIENT_SECRET,
                "source_ip_cidrs": "[]",
                "tags": "[]",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    workforce = Workforce.objects.get(account=acct)
    invoices = f.workteam(acct, workforce=workforce, name="invoices")
    invoices.member_definitions = [{"OidcMemberDefinition": {"Groups": ["invoice-reviewers", "all"]}}]
    invoices.save()
    legal = f.workteam(acct, workforce=workforce, name="legal")
    legal.member_definitions = [{"OidcMemberDefinition": {"Groups": ["legal"]}}]
    legal.save()
    return workforce


@pytest.mark.django_db
def test_reviewer_signs_in_with_the_workforce_idp_and_groups_decide_the_teams(
    idp, workforce_with_idp, django_capture_on_commit_callbacks
):
    client = Client()  # the reviewer's browser, not the operator's
    workforce = workforce_with_idp
    assert CLIENT_SECRET not in json.dumps(workforce.oidc_config)
    assert secrets.decrypt(workforce.oidc_client_secret_encrypted) == CLIENT_SECRET
    claims = {
        "sub": "idp-user-42",
        "sagemaker:sub": "worker-sub-42",
        "sagemaker:groups": ["invoice-reviewers"],
        "sagemaker:client_id": CLIENT_ID,
        "sagemaker:name": "Dana",
        "email": "dana@example.com",
        "email_verified": True,
        "preferred_username": "dana",
    }

    start, done = sign_in(client, workforce, idp, claims)

    assert start["Location"].startswith(f"{idp.url}/authorize?")  # OidcConfig wins over discovery
    assert done.status_code == 302 and done["Location"] == "/portal/"
    # Discovery offers both methods: the secret goes in the Basic header, the common default.
    assert [r["method"] for r in idp.token_requests] == ["client_secret_basic"]
    assert "client_secret" not in idp.token_requests[0]["form"]
    dana = get_user_model().objects.get(email="dana@example.com")
    assert int(client.session["_auth_user_id"]) == dana.pk
    assert (dana.worker.identity_provider_type, dana.worker.issuer, dana.worker.sub) == (
        "Oidc",
        idp.url,
        "worker-sub-42",
    )
    teams = dict(WorkteamMembership.objects.filter(user=dana).values_list("workteam__name", "via_oidc_group"))
    assert teams == {"invoices": "invoice-reviewers"}

    # Her answer names her in output.json exactly as A2I does: workerId and the OIDC identity.
    invoices = workforce.workteams.get(name="invoices")
    flow = f.flow_definition(workforce.account, invoices)
    lifecycle.start_human_loop(
        account=workforce.account, name="sso-loop", flow_definition_arn=f.flow_arn(flow), input_content="{}"
    )
    task = lifecycle.claim_next_task(dana)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.submit_task(dana, task.id, {"ok": True})
    task.human_loop.refresh_from_db()
    bucket, key = task.human_loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    answer = json.loads(get_store().get(bucket, key))["humanAnswers"][0]
    assert answer["workerId"] == dana.worker.worker_id
    assert answer["workerMetadata"]["identityData"] == {
        "identityProviderType": "Oidc",
        "issuer": idp.url,
        "sub": "worker-sub-42",
    }

    # Next sign-in: the IdP moved her to the legal group (dash spelling); an operator also added her by hand.
    WorkteamMembership.objects.create(workteam=f.workteam(workforce.account, workforce=workforce), user=dana)
    client.logout()
    claims = {**claims, "sagemaker:groups": None, "sagemaker-groups": "legal"}
    del claims["sagemaker:groups"]
    sign_in(client, workforce, idp, claims)
    teams = dict(WorkteamMembership.objects.filter(user=dana).values_list("workteam__name", "via_oidc_group"))
    assert teams.pop("legal") == "legal" and "invoices" not in teams
    assert list(teams.values()) == [""]  # the hand-made membership stays
    assert get_user_model().objects.filter(email="dana@example.com").count() == 1


@pytest.mark.django_db
def test_a_token_for_another_client_is_refused(idp, workforce_with_idp):
    client = Client()
    claims = {"sub": "x", "sagemaker:sub": "x", "sagemaker:client_id": "someone-else", "email": "eve@example.com"}

    _, done = sign_in(client, workforce_with_idp, idp, claims)

    assert done.status_code == 403
    assert not get_user_model().objects.filter(email="eve@example.com").exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_workforce_changes_through_the_api_services_keep_the_sign_in_app_in_step(
    idp, django_capture_on_commit_callbacks
):
    from allauth.socialaccount.models import SocialApp

    from workforce import services

    acct = f.account()
    config = idp.oidc_config()
    with django_capture_on_commit_callbacks(execute=True):
        workforce = services.create_workforce(acct, name="wf", oidc_config=config, client_secret=CLIENT_SECRET)
    app = SocialApp.objects.get(provider="openid_connect", provider_id=f"workforce-{workforce.pk}")
    assert (app.client_id, app.secret, app.settings["server_url"]) == (CLIENT_ID, CLIENT_SECRET, idp.url)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_workforce(acct, "wf", oidc_config={**config, "ClientId": "rotated"}, client_secret="new")
    app.refresh_from_db()
    assert (app.client_id, app.secret) == ("rotated", "new")

    services.delete_workforce(acct, "wf")
    assert not SocialApp.objects.filter(provider_id=f"workforce-{workforce.pk}").exists()


@pytest.mark.django_db
def test_the_secret_goes_in_the_token_request_body_when_discovery_does_not_offer_basic(idp, workforce_with_idp):
    idp.auth_methods_supported = ["client_secret_post", "private_key_jwt"]
    idp.client_auth_method = "client_secret_post"
    claims = {"sub": "p", "sagemaker:sub": "p", "email": "pat@example.com", "sagemaker:groups": "legal"}

    _, done = sign_in(Client(), workforce_with_idp, idp, claims)

    assert done.status_code == 302 and done["Location"] == "/portal/"
    assert [r["method"] for r in idp.token_requests] == ["client_secret_post"]
    assert idp.token_requests[0]["form"]["client_secret"] == [CLIENT_SECRET]


@pytest.mark.django_db
def test_basic_authentication_form_encodes_a_secret_with_special_characters(idp, django_capture_on_commit_callbacks):
    from workforce import services

    idp.client_secret = "p@ss:w+rd/100%&more"
    with django_capture_on_commit_callbacks(execute=True):
        workforce = services.create_workforce(
            f.account(), name="wf", oidc_config=idp.oidc_config(), client_secret=idp.client_secret
        )
    claims = {"sub": "s", "sagemaker:sub": "s", "email": "sam@example.com"}

    _, done = sign_in(Client(), workforce, idp, claims)

    assert done.status_code == 302 and done["Location"] == "/portal/"
    assert [r["method"] for r in idp.token_requests] == ["client_secret_basic"]


@pytest.mark.django_db
def test_oidc_config_scope_and_extra_params_go_into_the_authorization_request(idp, django_capture_on_commit_callbacks):
    from workforce import services

    config = {
        **idp.oidc_config(),
        "Scope": "email groups",
        "AuthenticationRequestExtraParams": {"hitl_tenant": "acme", "prompt": "login", "state": "forged"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        workforce = services.create_workforce(f.account(), name="wf", oidc_config=config, client_secret=CLIENT_SECRET)
    claims = {"sub": "g", "sagemaker:sub": "g", "email": "gil@example.com"}

    _, done = sign_in(Client(), workforce, idp, claims)

    assert done.status_code == 302 and done["Location"] == "/portal/"
    (query,) = idp.authorize_requests
    assert set(query["scope"].split()) == {"openid", "email", "groups"}  # openid is always asked for
    assert (query["hitl_tenant"], query["prompt"]) == ("acme", "login")
    assert query["state"] != "forged"  # the protocol's own parameters cannot be replaced
    assert query["code_challenge_method"] == "S256"


@pytest.mark.django_db
def test_the_sign_in_page_offers_each_workforce_provider_and_lets_its_form_reach_it(idp, workforce_with_idp):
    client = Client(enforce_csrf_checks=True)

    page = client.get("/accounts/login/")

    assert page.status_code == 200
    html = page.content.decode()
    login_url = f"/accounts/oidc/workforce-{workforce_with_idp.pk}/login/"
    assert f'<form method="post" action="{login_url}">' in html
    assert "Sign in with reviewers" in html
    assert 'name="password"' in html  # the password form is still there
    form_action = _directive(page["Content-Security-Policy"], "form-action")
    assert form_action == f"form-action 'self' {idp.url}"  # the origin of OidcConfig.AuthorizationEndpoint
    assert _directive(client.get("/portal/")["Content-Security-Policy"], "form-action") == "form-action 'self'"

    # The button's form, CSRF token included, goes straight to the provider.
    token = page.cookies["csrftoken"].value
    start = client.post(login_url, {"csrfmiddlewaretoken": token})
    assert start.status_code == 302 and start["Location"].startswith(f"{idp.url}/authorize?")
    assert client.post(login_url).status_code == 403  # without the token: Django's CSRF refusal


@pytest.mark.django_db
def test_allauths_continue_page_allows_only_its_own_provider_in_form_action(
    idp, workforce_with_idp, django_capture_on_commit_callbacks
):
    from workforce import services

    other = {**idp.oidc_config(), "AuthorizationEndpoint": "https://other-idp.example.com/authorize"}
    with django_capture_on_commit_callbacks(execute=True):
        services.create_workforce(f.account(), name="other", oidc_config=other, client_secret="x")

    page = Client().get(f"/accounts/oidc/workforce-{workforce_with_idp.pk}/login/")

    assert page.status_code == 200 and b"Continue" in page.content
    assert _directive(page["Content-Security-Policy"], "form-action") == f"form-action 'self' {idp.url}"
    sign_in_page = Client().get("/accounts/login/")
    assert _directive(sign_in_page["Content-Security-Policy"], "form-action") == (
        f"form-action 'self' {idp.url} https://other-idp.example.com"
    )


def _directive(policy: str, name: str) -> str:
    return next(d.strip() for d in policy.split(";") if d.strip().startswith(name + " "))
