"""The front door: a browser opening `/` gets the landing page; every AWS request to `/` is answered as before."""

from __future__ import annotations

import json

import pytest

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_opening_the_address_gets_the_landing_page_with_every_door(client, db):
    response = client.get("/", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for link in ('href="/console/"', 'href="/portal/"', 'href="/admin/"', 'href="#api"', 'href="/accounts/login/'):
        assert link in page
    assert 'id="api-endpoint">http://testserver<' in page


def test_a_signed_in_admin_sees_who_they_are_on_the_landing_page(client, personas):
    client.force_login(personas.owner)
    page = client.get("/", HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()
    assert 'id="signed-in-as">acme-owner<' in page


def test_an_unsigned_request_without_html_in_accept_gets_the_aws_error_as_before(client, db):
    response = client.get("/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/")
    assert "MissingAuthenticationToken" in json.loads(response.content)["__type"]


@pytest.mark.parametrize(
    ("method", "extra", "query"),
    [
        ("get", {"HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/x"}, ""),
        ("get", {}, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE"),
        ("get", {}, "Action=GetCallerIdentity&Version=2011-06-15"),
        ("post", {"HTTP_X_AMZ_TARGET": "SageMaker.ListFlowDefinitions"}, ""),
    ],
    ids=["signed header", "presigned query", "sts query", "json 1.1 post"],
)
def test_aws_calls_at_the_root_never_get_the_landing_page_even_when_they_accept_html(client, db, method, extra, query):
    path = f"/?{query}" if query else "/"
    response = getattr(client, method)(path, HTTP_ACCEPT=BROWSER_ACCEPT, **extra)
    assert response.status_code in (400, 403)
    assert not response["Content-Type"].startswith("text/html")
    assert b"Human review for ML predictions" not in response.content


def test_with_an_api_prefix_the_root_is_the_landing_page_and_the_prefix_the_api(client, db, api_prefix):
    landing = client.get("/")
    api = client.get(api_prefix, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert landing.status_code == 200
    assert 'id="api-endpoint">http://testserver/a2i<' in landing.content.decode()
    assert api.status_code == 403
    assert "MissingAuthenticationToken" in json.loads(api.content)["__type"]


def test_portal_console_and_admin_link_to_each_other(client, personas):
    personas.owner.is_superuser = True  # the Django admin index needs model permissions; a superuser has them
    personas.owner.save(update_fields=["is_superuser"])
    client.force_login(personas.owner)
    portal = client.get("/portal/").content.decode()
    console = client.get("/console/").content.decode()
    admin = client.get("/admin/").content.decode()
    assert '<a href="/console/" id="to-console">Console</a>' in portal
    assert 'href="/admin/"' in portal
    assert 'href="/portal/"' in console and 'href="/admin/"' in console
    assert 'href="/console/"' in admin  # the admin's "View site"
