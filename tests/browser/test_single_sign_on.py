"""Reviewer single sign-on in Chromium against a real OpenID Connect provider over HTTPS.

The provider is panva's oidc-provider (npm) with its own login and consent pages, serving a
certificate from a CA made for the test. Chromium trusts that CA through its NSS database and the
Django server through REQUESTS_CA_BUNDLE: no certificate error is ignored anywhere. The workforce,
team, task UI and flow are created with boto3 against the live server, as an AWS customer would.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from django.core.management import call_command
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from flows.delivery.storage import get_store
from flows.models import HumanLoop
from tests.browser.conftest import screenshot
from tests.browser.oidc_server import OidcServer, ThrowawayCa, nss_home
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import SENTIMENT_TEMPLATE
from workforce.models import Workforce, WorkteamMembership

pytestmark = pytest.mark.browser

CLIENT_ID = "hitl-portal"
CLIENT_SECRET = "s3cret/with+special:chars&100%"  # form-urlencoded in the Basic header (RFC 6749 2.3.1)
PEOPLE = {
    "dana": {
        "email": "dana@example.com",
        "email_verified": True,
        "name": "Dana Ortiz",
        "preferred_username": "dana",
        "sagemaker:sub": "dana-7f3a",
        "sagemaker:name": "Dana",
        "sagemaker:groups": ["invoice-reviewers"],
    },
    "omar": {
        "email": "omar@example.com",
        "email_verified": True,
        "preferred_username": "omar",
        "sagemaker:sub": "omar-81c2",
        "sagemaker:groups": ["marketing"],
    },
}


@pytest.fixture
def ca(tmp_path) -> ThrowawayCa:
    return ThrowawayCa.create(tmp_path / "ca")


@pytest.fixture
def idp(ca, tmp_path) -> Iterator[OidcServer]:
    server = OidcServer(ca, tmp_path, PEOPLE)
    yield server
    server.stop()


@pytest.fixture
def trusting_browser(chromium: Browser, ca, tmp_path) -> Iterator[Browser]:
    """A second Chromium whose HOME holds an NSS database that trusts the test CA."""
    home = nss_home(ca, tmp_path / "home")
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(home)}
    )
    yield browser
    browser.close()


def aws_clients(live_server) -> tuple:
    out = io.StringIO()
    call_command("create_access_key", "ops", "--create-user", "--account", "acme", stdout=out)
    key_id, secret = (line.split(" = ", 1)[1] for line in out.getvalue().splitlines())
    kwargs = {
        "endpoint_url": live_server.url,
        "region_name": "us-east-1",
        "aws_access_key_id": key_id,
        "aws_secret_access_key": secret,
        "config": Config(retries={"max_attempts": 1}),
    }
    return boto3.client("sagemaker", **kwargs), boto3.client("sagemaker-a2i-runtime", **kwargs)


def sign_in_through_the_provider(
    page: Page, portal_url: str, idp: OidcServer, login: str, screenshot_name: str | None = None
) -> None:
    page.goto(portal_url + "/accounts/login/")
    if screenshot_name:
        screenshot(page, screenshot_name)
    page.click("button.sso-button:has-text('Sign in with acme-reviewers')")
    # The provider's own pages: its login form, then its consent page listing the scopes asked for.
    page.wait_for_url(f"{idp.url}/interaction/**")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password: oidc-provider's development login")
    page.click("button.login-submit")
    page.wait_for_selector("text=groups")
    page.click("button:has-text('Continue')")
    page.wait_for_url(portal_url + "/portal/")


def completed_output(loop_name: str, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        loop = HumanLoop.objects.get(name=loop_name)
        if loop.status == HumanLoop.Status.COMPLETED:
            bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
            return json.loads(get_store().get(bucket, key))
        time.sleep(0.1)
    raise AssertionError(f"{loop_name} did not complete")


def test_a_reviewer_signs_in_at_the_identity_provider_and_answers_and_an_outsider_gets_no_work(
    live_server, transactional_db, idp, ca, chromium, trusting_browser, monkeypatch
):
    # The Django server checks the provider's certificate against the test CA (and only that CA).
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.ca_file))
    sagemaker, runtime = aws_clients(live_server)
    # Given a workforce configured with OidcConfig as AWS documents it; groups come only with the `groups` scope,
    sagemaker.create_workforce(
        WorkforceName="acme-reviewers",
        OidcConfig={
            **idp.oidc_config(CLIENT_ID, CLIENT_SECRET),
            "Scope": "openid email profile groups sagemaker",
            "AuthenticationRequestExtraParams": {"hitl_tenant": "acme"},
        },
    )
    team_arn = sagemaker.create_workteam(
        WorkteamName="invoices",
        WorkforceName="acme-reviewers",
        Description="Invoice reviewers",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["invoice-reviewers"]}}],
    )["WorkteamArn"]
    ui_arn = sagemaker.create_human_task_ui(HumanTaskUiName="sentiment", UiTemplate={"Content": SENTIMENT_TEMPLATE})[
        "HumanTaskUiArn"
    ]
    account_id = team_arn.split(":")[4]
    flow_arn = sagemaker.create_flow_definition(
        FlowDefinitionName="invoice-sentiment",
        HumanLoopConfig={
            "WorkteamArn": team_arn,
            "HumanTaskUiArn": ui_arn,
            "TaskTitle": "Invoice note sentiment",
            "TaskDescription": "Pick the sentiment",
            "TaskCount": 1,
        },
        OutputConfig={"S3OutputPath": "s3://a2i-results/sso"},
        RoleArn=f"arn:aws:iam::{account_id}:role/A2I",
    )["FlowDefinitionArn"]
    runtime.start_human_loop(
        HumanLoopName="invoice-1",
        FlowDefinitionArn=flow_arn,
        HumanLoopInput={"InputContent": json.dumps({"taskObject": "Paid early, thanks for the discount!"})},
    )
    # and the provider, with hitl registered as a client the way the docs say (redirect URI, Basic auth).
    workforce = Workforce.objects.get(name="acme-reviewers")
    idp.start(CLIENT_ID, CLIENT_SECRET, f"{live_server.url}/accounts/oidc/workforce-{workforce.pk}/login/callback/")

    # (A Chromium without the CA in its NSS database refuses the provider: the trust below is real.)
    untrusting = chromium.new_context()
    with pytest.raises(PlaywrightError, match="ERR_CERT_AUTHORITY_INVALID"):
        untrusting.new_page().goto(f"{idp.url}/.well-known/openid-configuration")
    untrusting.close()

    # When Dana signs in from the portal's sign-in page through the provider's login and consent pages,
    context = trusting_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in_through_the_provider(page, live_server.url, idp, "dana", screenshot_name="sign-in-sso")

    # then hitl sent OidcConfig's scope and extra parameter, and authenticated with client_secret_basic;
    (authorization,) = idp.log("authorization")
    assert set(authorization["query"]["scope"].split()) == {"openid", "email", "profile", "groups", "sagemaker"}
    assert authorization["query"]["hitl_tenant"] == "acme"
    assert idp.log("token") == [{"event": "token", "authMethod": "client_secret_basic"}]
    assert not blocked
    # her group put her on the team, she answers the task,
    page.click(".work-item[data-flow='invoice-sentiment'] a.start-working")
    page.wait_for_selector("#task-frame.ready")
    frame = page.frame_locator("#task-frame")
    frame.locator("button.choice", has_text="Positive").click()
    frame.locator("button.crowd-submit").click()
    output = completed_output("invoice-1")
    context.close()

    # and output.json names her as A2I does: the issuer and her sagemaker:sub.
    (answer,) = output["humanAnswers"]
    assert answer["answerContent"] == {"sentiment": {"label": "Positive"}}
    assert answer["workerMetadata"]["identityData"] == {
        "identityProviderType": "Oidc",
        "issuer": idp.url,
        "sub": "dana-7f3a",
    }
    assert runtime.describe_human_loop(HumanLoopName="invoice-1")["HumanLoopStatus"] == "Completed"

    # Omar's group matches no team: he signs in the same way and gets no tasks.
    runtime.start_human_loop(
        HumanLoopName="invoice-2",
        FlowDefinitionArn=flow_arn,
        HumanLoopInput={"InputContent": json.dumps({"taskObject": "Second notice."})},
    )
    context = trusting_browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in_through_the_provider(page, live_server.url, idp, "omar")
    assert page.locator(".work-item").count() == 0
    assert not WorkteamMembership.objects.filter(user__email="omar@example.com").exists()
    context.close()
    assert HumanLoop.objects.get(name="invoice-2").status == HumanLoop.Status.IN_PROGRESS
