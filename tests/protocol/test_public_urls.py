"""Absolute URLs (UiTemplate.Url, SubDomain) follow the request's host unless HITL_PUBLIC_URL is set."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from tests.factories import SENTIMENT_TEMPLATE


@pytest.fixture
def derived_public_url(settings):
    settings.HITL_PUBLIC_URL = ""  # the default: derive from the request


def template_url(sagemaker_client, **describe_hooks) -> str:
    sagemaker_client.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": SENTIMENT_TEMPLATE})
    return sagemaker_client.describe_human_task_ui(HumanTaskUiName="ui")["UiTemplate"]["Url"]


def with_header(client, name: str, value: str):
    # Added after signing, as a proxy would add it: it is not part of the signature.
    def add(request, **_):
        request.headers[name] = value

    client.meta.events.register("before-send.sagemaker", add)
    return client


def test_without_hitl_public_url_the_template_url_is_on_the_host_the_client_called(
    derived_public_url, live_server, sagemaker_client
):
    url = template_url(sagemaker_client)

    assert url.startswith(live_server.url + "/api-assets/human-task-uis/")
    fetched = requests.get(url, timeout=10)
    assert (fetched.status_code, fetched.text) == (200, SENTIMENT_TEMPLATE)


def test_the_same_server_answers_each_host_with_its_own_urls(derived_public_url, aws_account, live_server):
    port = urlsplit(live_server.url).port
    via_ip = aws_account.client("sagemaker", endpoint_url=f"http://127.0.0.1:{port}")

    url = template_url(via_ip)

    assert url.startswith(f"http://127.0.0.1:{port}/api-assets/")
    assert requests.get(url, timeout=10).status_code == 200


def test_the_workteam_subdomain_is_the_request_host(derived_public_url, live_server, sagemaker_client):
    sagemaker_client.create_workteam(
        WorkteamName="reviewers",
        MemberDefinitions=[{"CognitoMemberDefinition": {"UserPool": "p_1", "UserGroup": "g", "ClientId": "c"}}],
        Description="Reviewers",
    )

    team = sagemaker_client.describe_workteam(WorkteamName="reviewers")["Workteam"]

    assert team["SubDomain"] == urlsplit(live_server.url).netloc


def test_an_explicit_hitl_public_url_wins(settings, sagemaker_client):
    settings.HITL_PUBLIC_URL = "https://reviews.example.com/"

    assert template_url(sagemaker_client).startswith("https://reviews.example.com/api-assets/human-task-uis/")


def test_a_forwarded_host_counts_only_when_proxy_headers_are_trusted(
    derived_public_url, settings, live_server, sagemaker_client
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "reviews.example.com"]
    client = with_header(sagemaker_client, "X-Forwarded-Host", "reviews.example.com")
    client = with_header(client, "X-Forwarded-Proto", "https")

    assert template_url(client).startswith(live_server.url + "/")

    settings.USE_X_FORWARDED_HOST = True  # what HITL_TRUST_PROXY_HEADERS=true sets
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.delete_human_task_ui(HumanTaskUiName="ui")
    assert template_url(client).startswith("https://reviews.example.com/api-assets/")


def test_a_forwarded_host_outside_allowed_hosts_gets_no_url(derived_public_url, settings, sagemaker_client):
    settings.USE_X_FORWARDED_HOST = True
    client = with_header(sagemaker_client, "X-Forwarded-Host", "evil.example.net")

    with pytest.raises(Exception) as info:
        template_url(client)

    assert "evil.example.net" not in str(getattr(info.value, "response", ""))
    assert getattr(info.value, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode") == 400
