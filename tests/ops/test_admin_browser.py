"""The operations lead's admin in headless Chromium: invite by CSV, rotate a key, stop loops in bulk.

Screenshots go to docs/screenshots/admin-*.png (shown in the README).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls next to one otherwise.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from playwright.sync_api import Page  # noqa: E402

from flows.loops import lifecycle  # noqa: E402
from flows.models import HumanLoop  # noqa: E402
from tests import factories as f  # noqa: E402
from workforce import access_keys  # noqa: E402
from workforce.models import AccessKey, WorkteamMembership  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "ops lead password"


@pytest.fixture
def admin_page(chromium, live_server, settings) -> Page:
    """A page signed in to the admin as a superuser."""
    page = signed_in_admin(chromium, live_server, width=1280, height=860)
    yield page
    page.context.close()


def signed_in_admin(chromium, live_server, *, width: int, height: int) -> Page:
    """Create the superuser "opslead" and return a page of a new browser context signed in to the admin."""
    get_user_model().objects.create_superuser("opslead", "ops@example.com", PASSWORD)
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "opslead")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_invite_reviewers_from_a_csv_file(admin_page, live_server):
    acct = f.account(name="acme")
    team = f.workteam(acct, name="invoices", members=[f.user("existing", email="old@example.com")])
    csv = b"email,role\nnew.reviewer@example.com,reviewer\nteam.lead@example.com,lead\nold@example.com\n"

    admin_page.goto(f"{live_server.url}/admin/workforce/workteam/{team.pk}/change/")
    admin_page.click("a.invite-link")
    admin_page.set_input_files("#id_csv_file", files=[{"name": "reviewers.csv", "mimeType": "text/csv", "buffer": csv}])
    admin_page.click("#invite-form input[type=submit]")
    admin_page.wait_for_selector(".messagelist .success")

    assert "Invited 2: new.reviewer@example.com, team.lead@example.com" in admin_page.inner_text(".messagelist")
    members = dict(WorkteamMembership.objects.filter(workteam=team).values_list("user__email", "role"))
    assert members == {
        "old@example.com": "reviewer",
        "new.reviewer@example.com": "reviewer",
        "team.lead@example.com": "lead",
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["new.reviewer@example.com", "team.lead@example.com"]
    shot(admin_page, "admin-invite-csv.png")


def test_rotate_an_access_key_and_see_the_new_secret_once(admin_page, live_server):
    acct = f.account(name="acme")
    old = access_keys.create_access_key(acct, scope="runtime").access_key

    admin_page.goto(f"{live_server.url}/admin/workforce/accesskey/")
    admin_page.check(f"input[name=_selected_action][value='{old.pk}']")
    admin_page.select_option("select[name=action]", "rotate_keys")
    admin_page.click("button[name=index]")
    admin_page.wait_for_selector("#new-keys")

    new = AccessKey.objects.get(account=acct, is_active=True)
    assert admin_page.inner_text("code.access-key-id") == new.access_key_id
    assert admin_page.inner_text("code.secret-access-key") == access_keys.secret_of(new)
    old.refresh_from_db()
    assert not old.is_active and new.scope == "runtime"
    shot(admin_page, "admin-rotate-key.png")

    admin_page.goto(f"{live_server.url}/admin/workforce/accesskey/{new.pk}/change/")
    assert access_keys.secret_of(new) not in admin_page.content()  # shown once, never again


def test_stop_human_loops_in_bulk(admin_page, live_server):
    acct = f.account(name="acme")
    team = f.workteam(acct, members=[f.user("ana")])
    flow = f.flow_definition(acct, team, name="invoice-review")
    for n in range(3):
        lifecycle.start_human_loop(
            account=acct, name=f"invoice-{n}", flow_definition_arn=f.flow_arn(flow), input_content="{}"
        )

    admin_page.goto(f"{live_server.url}/admin/flows/humanloop/")
    admin_page.check("#action-toggle")
    admin_page.select_option("select[name=action]", "stop_loops")
    admin_page.click("button[name=index]")
    admin_page.wait_for_selector(".messagelist .success")

    assert "Stopped 3 human loop(s)" in admin_page.inner_text(".messagelist")
    assert set(HumanLoop.objects.values_list("status", flat=True)) == {"Stopped"}
    shot(admin_page, "admin-stop-loops.png")


def test_operations_dashboard(admin_page, live_server):
    acct = f.account(name="acme")
    reviewers = [f.user(name) for name in ("ana", "bo", "cy")]
    team = f.workteam(acct, name="invoices", members=reviewers)
    flow = f.flow_definition(acct, team, name="invoice-review")
    for n in range(8):
        lifecycle.start_human_loop(
            account=acct,
            name=f"invoice-{n}",
            flow_definition_arn=f.flow_arn(flow),
            input_content="{}",
            activation_output={"ModelPrediction": {"Label": "approve", "AnswerKey": "decision"}},
        )
    for n, reviewer in enumerate(reviewers * 2):
        task = lifecycle.claim_next_task(reviewer)
        lifecycle.submit_task(reviewer, task.id, {"decision": {"label": "approve" if n % 3 else "reject"}})

    admin_page.goto(f"{live_server.url}/ops/dashboard/")

    assert "invoices\t2\t0" in admin_page.inner_text("#backlog")
    assert "ana\t2" in admin_page.inner_text("#reviewers")
    assert "6\t2\t33.3" in admin_page.inner_text("#disagreement")
    shot(admin_page, "admin-dashboard.png")
