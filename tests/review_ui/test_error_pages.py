"""Portal pages end to end: a domain error that escapes a page view becomes the portal's error page.

A real request through the project's URL conf and every middleware (sessions, auth, CSRF, the
request id and Content-Security-Policy of hitl.kernel.middleware, review_ui.errors): each
hitl.kernel.errors family comes back as review_ui/error.html with the status its class names,
never Django's 500 page.
"""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.review_ui.error_page_urls")]

FAMILIES = [
    ("InvalidInput", 400),
    ("NotFound", 404),
    ("Conflict", 409),
    ("InUse", 400),
    ("LimitExceeded", 402),
    ("QuotaExceeded", 402),
    ("Throttled", 429),
    ("AccessDenied", 403),
]


@pytest.fixture
def signed_in(personas) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(personas.tenant.reviewer)
    return client


@pytest.mark.parametrize(("family", "status"), FAMILIES)
def test_an_escaping_domain_error_is_a_portal_page_with_its_status(signed_in, personas, family, status):
    response = signed_in.get(f"/portal/escaping/{family}")

    assert response.status_code == status
    page = response.content.decode()
    assert '<p id="error-message">Task 7 is not yours any more; take the next one from the work list.</p>' in page
    assert 'href="/portal/"' in page  # the way back to the work list
    assert f'id="signed-in-as">{personas.tenant.reviewer.get_username()}<' in page  # in the portal's chrome
    assert [t.name for t in response.templates][:2] == ["review_ui/error.html", "review_ui/base.html"]
    assert "default-src" in response["Content-Security-Policy"]  # went through the portal's middleware
    assert response["X-Request-Id"]


def test_a_message_that_echoes_client_input_is_escaped(signed_in):
    response = signed_in.get("/portal/escaping/markup")

    assert response.status_code == 400
    page = response.content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; is not a flow name" in page
    assert "<img src=x" not in page


def test_a_bug_is_still_a_500_and_not_dressed_as_a_domain_error(signed_in):
    response = signed_in.get("/portal/escaping/KeyError")

    assert response.status_code == 500
    assert "error-message" not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in_before_any_error(personas):
    response = Client(raise_request_exception=False).get("/portal/escaping/AccessDenied")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
