"""The admin tidied (issue 18), in headless Chromium at 1366 px: hitl branding, one section per thing and no
allauth tables, readable names for every row, pretty JSON, right plurals, and changelists without sideways scroll."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls next to one otherwise.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from django.contrib import admin  # noqa: E402
from django.db.models import Model  # noqa: E402
from django.urls import reverse  # noqa: E402

from flows.loops import lifecycle  # noqa: E402
from flows.models import HumanLoop, OutputOutbox, WebhookDelivery, WebhookEndpoint  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.ops.test_admin_browser import signed_in_admin  # noqa: E402
from workforce import access_keys  # noqa: E402
from workforce.models import Workteam  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TEXT = "A very long review input without a break " * 12


@pytest.fixture
def wide_admin(chromium, live_server):
    """A superuser's admin page in a 1366 x 768 window (the most common laptop screen)."""
    page = signed_in_admin(chromium, live_server, width=1366, height=768)
    yield page
    page.context.close()


def _seed() -> HumanLoop:
    acct = f.account(name="acme-with-a-rather-long-account-name")
    reviewer = f.user("reviewer-with-a-long-user-name")
    team = f.workteam(acct, name="a-work-team-with-a-long-descriptive-name", members=[reviewer])
    flow = f.flow_definition(
        acct,
        team,
        name="a-flow-definition-with-a-long-name-" + "x" * 20,
        tags=[{"Key": "hitl:flag-below", "Value": "0.9"}],
    )
    WebhookEndpoint.objects.create(account=acct, url="https://hooks.example.com/" + "very-long-path/" * 8, secret="s")
    access_keys.create_access_key(acct, user=reviewer)
    for n in range(3):
        f.human_loop(flow, {"taskObject": LONG_TEXT}, name=f"loop-with-a-long-name-{n}-" + "y" * 30)
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": "Positive"}, "note": LONG_TEXT})
    return HumanLoop.objects.get(id=task.human_loop_id)


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")


def test_the_admin_is_branded_grouped_and_fits_a_1366_px_screen(wide_admin, live_server):
    answered = _seed()
    assert WebhookDelivery.objects.exists() and OutputOutbox.objects.exists()
    page = wide_admin

    page.goto(f"{live_server.url}/admin/")
    assert page.inner_text("#site-name") == "hitl administration"
    assert page.title().endswith("hitl admin")
    index = page.text_content("#content-main")
    assert "Django" not in page.text_content("body")
    assert "Social" not in index and "Email addresses" not in index
    captions = [c.strip() for c in page.locator("#content-main caption").all_text_contents()]
    assert [c for c in captions if "ccount" in c] == ["Accounts and reviewers"]
    assert "Webhook deliveries" in index and "Output outbox entries" in index and "Human task UIs" in index

    for model in admin.site._registry:
        assert model.__str__ is not Model.__str__, f"{model._meta.label} rows have no readable name"
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        page.goto(live_server.url + url)
        assert not _scrolls_sideways(page), f"{url} scrolls sideways at 1366 px"
        assert " object (" not in page.inner_text("#content")

    # A loop's page: its review tasks by readable name, the answer as indented JSON, nothing shown as null.
    page.goto(f"{live_server.url}/admin/flows/humanloop/{answered.pk}/change/")
    content = page.inner_text("#content")
    assert " object (" not in content and "Submitted task" in content
    assert '"label": "Positive"' in page.inner_text("pre.json >> nth=-1")
    assert "null" not in content
    assert not _scrolls_sideways(page)

    # A team's page: its members by name (the inline's rows), a flow's page: tags as JSON.
    team = Workteam.objects.get(name="a-work-team-with-a-long-descriptive-name")
    page.goto(f"{live_server.url}/admin/workforce/workteam/{team.pk}/change/")
    assert " object (" not in page.inner_text("#content")
    page.goto(f"{live_server.url}/admin/flows/flowdefinition/{answered.flow_definition_id}/change/")
    assert '"Key": "hitl:flag-below"' in page.inner_text("#content")
    assert "null" not in page.inner_text("#content")
