"""Console loops: search and filters in keyset pages, bulk stop through the lifecycle, all scoped to the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from console import loop_search
from flows.loops import lifecycle
from flows.models import HumanLoop
from tests import factories as f
from workforce.models import AuditRecord

LOOPS = "/console/loops/"


def answer(reviewer, flow, answer_content, callbacks) -> HumanLoop:
    """Have `reviewer` claim the next task of `flow` and submit `answer_content`; return its loop."""
    with callbacks(execute=True):
        task = lifecycle.claim_next_task(reviewer, flow=flow)
        lifecycle.submit_task(reviewer, task.id, answer_content)
    return HumanLoop.objects.get(id=task.human_loop_id)


def names(response) -> list[str]:
    return [loop.name for loop in response.context["loops"]]


def test_the_list_shows_the_admins_loops_newest_first_and_none_of_the_outsiders(client, personas):
    older = f.human_loop(personas.flow, name="first")
    newer = f.human_loop(personas.flow, name="second")
    f.human_loop(personas.outsider.flow, name="theirs")
    client.force_login(personas.owner)
    response = client.get(LOOPS)
    assert response.status_code == 200
    assert names(response) == [newer.name, older.name]
    client.force_login(personas.outsider.owner)
    assert names(client.get(LOOPS)) == ["theirs"]


def test_filters_by_name_status_flow_and_date(client, personas, django_capture_on_commit_callbacks):
    other_flow = f.flow_definition(personas.account, personas.tenant.team, name="acme-other")
    f.human_loop(personas.flow, name="invoice-1")
    stopped = f.human_loop(personas.flow, name="invoice-2")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.stop_human_loop(account=personas.account, name=stopped.name)
    f.human_loop(other_flow, name="receipt-1")
    old = f.human_loop(other_flow, name="receipt-old")
    HumanLoop.objects.filter(id=old.id).update(created_at=dt.datetime(2020, 1, 2, 12, tzinfo=dt.UTC))
    client.force_login(personas.owner)
    assert sorted(names(client.get(LOOPS, {"name": "invoice"}))) == ["invoice-1", "invoice-2"]
    assert names(client.get(LOOPS, {"status": "Stopped"})) == ["invoice-2"]
    assert sorted(names(client.get(LOOPS, {"flow": other_flow.pk}))) == ["receipt-1", "receipt-old"]
    assert names(client.get(LOOPS, {"created_from": "2020-01-02", "created_to": "2020-01-02"})) == ["receipt-old"]
    assert "receipt-old" not in names(client.get(LOOPS, {"created_from": "2020-01-03"}))


def test_filters_by_reviewer_and_by_text_in_the_input_or_the_answers(
    client, personas, django_capture_on_commit_callbacks
):
    f.human_loop(personas.flow, {"taskObject": "The parcel arrived crushed"}, name="crushed")
    f.human_loop(personas.flow, {"taskObject": "Lovely staff"}, name="lovely")
    answered = answer(
        personas.reviewer,
        personas.flow,
        {"sentiment": {"label": "Negative"}, "why": "zebra-word"},
        django_capture_on_commit_callbacks,
    )
    client.force_login(personas.owner)
    assert names(client.get(LOOPS, {"reviewer": personas.reviewer.username})) == [answered.name]
    assert names(client.get(LOOPS, {"q": "lovely"})) == ["lovely"]
    assert names(client.get(LOOPS, {"q": "ZEBRA-word"})) == [answered.name]
    assert names(client.get(LOOPS, {"q": "nothing like it"})) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "ab"}, "at least 3 characters"),
        ({"status": "Running"}, "Status must be one of"),
        ({"created_from": "yesterday"}, "must be a date"),
    ],
)
def test_bad_filters_are_explained_not_a_500(client, personas, query, message):
    client.force_login(personas.owner)
    response = client.get(LOOPS, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_keyset_pages_walk_every_loop_once_in_a_constant_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    for number in range(120):
        f.human_loop(personas.flow, name=f"bulk-{number:03d}")
    HumanLoop.objects.update(created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # ties: the id breaks them
    client.force_login(personas.owner)
    seen, after, pages = [], "", 0
    while True:
        with django_assert_max_num_queries(8):
            response = client.get(LOOPS, {"after": after} if after else {})
        seen += names(response)
        pages += 1
        after = response.context["next_cursor"]
        if not after:
            break
    assert pages == 3
    assert sorted(seen) == sorted(f"bulk-{n:03d}" for n in range(120))
    assert len(set(seen)) == 120


def test_bulk_stop_stops_the_selected_loops_through_the_lifecycle_and_never_another_accounts(
    client, personas, django_capture_on_commit_callbacks
):
    f.human_loop(personas.flow)
    done = answer(
        personas.reviewer, personas.flow, {"sentiment": {"label": "Positive"}}, django_capture_on_commit_callbacks
    )
    first, second = f.human_loop(personas.flow), f.human_loop(personas.flow)
    theirs = f.human_loop(personas.outsider.flow)
    client.force_login(personas.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{LOOPS}stop", {"loop": [first.pk, second.pk, done.pk, theirs.pk], "next": f"{LOOPS}?status=InProgress"}
        )
    assert response.status_code == 302
    assert response["Location"] == f"{LOOPS}?status=InProgress"
    statuses = dict(HumanLoop.objects.values_list("name", "status"))
    assert statuses[first.name] == statuses[second.name] == "Stopped"
    assert statuses[done.name] == "Completed"
    assert statuses[theirs.name] == "InProgress"
    page = client.get(response["Location"]).content.decode()
    assert "Stopped 2 loop(s)." in page
    assert f"{done.name}: Human loop {done.name} is Completed" in page
    stops = AuditRecord.objects.filter(operation="StopHumanLoop", actor="acme-owner")
    assert stops.count() == 3 and stops.filter(result="OK").count() == 2


def test_a_next_address_off_this_site_is_not_followed(client, personas):
    client.force_login(personas.owner)
    response = client.post(f"{LOOPS}stop", {"next": "https://evil.example/"})
    assert response["Location"] == LOOPS


def test_a_common_word_pages_through_every_match_once_newest_first(client, personas):
    for number in range(60):
        f.human_loop(personas.flow, {"taskObject": f"parcel number {number}"}, name=f"parcel-{number:02d}")
    f.human_loop(personas.flow, {"taskObject": "something else"}, name="other")
    client.force_login(personas.owner)
    first = client.get(LOOPS, {"q": "PARCEL"})
    assert names(first) == [f"parcel-{n:02d}" for n in range(59, 9, -1)]  # found in the newest window
    second = client.get(LOOPS, {"q": "PARCEL", "after": first.context["next_cursor"]})
    assert names(second) == [f"parcel-{n:02d}" for n in range(9, -1, -1)]  # fewer than a page: the index step
    assert second.context["next_cursor"] == ""


def test_the_newest_window_is_bounded_by_its_oldest_loop_ties_and_all(client, personas, monkeypatch):
    """The window is every loop from the newest down to its TEXT_WINDOW-th, by (created_at, id): with
    one created_at for all, the id decides, so a bound on the wrong side of it shows older loops first."""
    monkeypatch.setattr(loop_search, "TEXT_WINDOW", 51)  # a page and one more: the window's rows are the page
    for number in range(120):
        f.human_loop(personas.flow, {"taskObject": f"parcel {number}"}, name=f"tied-{number:03d}")
    HumanLoop.objects.update(created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    client.force_login(personas.owner)
    seen, after = [], ""
    while True:
        response = client.get(LOOPS, {"q": "parcel", **({"after": after} if after else {})})
        seen += names(response)
        after = response.context["next_cursor"]
        if not after:
            break
    assert seen == [f"tied-{n:03d}" for n in range(119, -1, -1)]


def test_an_admin_of_two_accounts_pages_through_both_newest_first_and_never_a_third(client, personas):
    personas.outsider.account.admins.add(personas.owner)  # the owner now administers both accounts
    third = f.account(name="third-account")
    third_flow = f.flow_definition(third, f.workteam(third, members=[], name="third-team"), name="third-flow")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    expected = []
    for number in range(60):
        flow = personas.flow if number % 2 else personas.outsider.flow
        loop = f.human_loop(flow, name=f"both-{number:02d}")
        HumanLoop.objects.filter(pk=loop.pk).update(created_at=start + dt.timedelta(minutes=number))
        expected.insert(0, loop.name)
    HumanLoop.objects.filter(pk=f.human_loop(third_flow, name="not-mine").pk).update(created_at=start)
    client.force_login(personas.owner)
    first = client.get(LOOPS)
    second = client.get(LOOPS, {"after": first.context["next_cursor"]})
    assert names(first) + names(second) == expected  # one newest-first walk over both accounts
    assert second.context["next_cursor"] == ""


def test_the_page_query_names_one_account_and_reads_no_input_nor_a_count(client, personas):
    """The shape PostgreSQL needs to walk console_loop_account_created_idx in order and stop after a page.

    With the accounts as `account_id IN (SELECT ...)` it sorted every loop of the account (1-2 s at
    1,000,000 loops, bench/README.md); a count or the input text would read every match or megabytes.
    """
    f.human_loop(personas.flow, name="only")
    client.force_login(personas.owner)
    with CaptureQueriesContext(connection) as queries:
        for query in ({}, {"reviewer": personas.reviewer.username}, {"after": "2026-01-01T00:00:00+00:00~99"}):
            assert client.get(LOOPS, query).status_code == 200
    pages = [q["sql"] for q in queries.captured_queries if 'FROM "flows_humanloop"' in q["sql"]]
    assert len(pages) == 3
    for sql in pages:
        assert f'"flows_humanloop"."account_id" = {personas.account.id}' in sql
        assert "workforce_account_admins" not in sql and "COUNT(" not in sql.upper()
        assert '"flows_humanloop"."input_content"' not in sql
    assert "EXISTS" in pages[1] and ' IN (SELECT U0."human_loop_id"' not in pages[1]  # per loop, not all answers


@pytest.mark.django_db
def test_loops_of_one_import_share_a_created_at_and_are_walked_by_a_row_comparison(personas, monkeypatch):
    """An import's loops share one created_at: the keyset bound is `(created_at, id) < (x, y)`, one comparison the
    index walk starts from (as `created_at <= x AND (... OR id < y)` it read every loop of the import: 300 ms halfway
    down a million), and the same for a text's newest window."""
    start = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    loops = [f.human_loop(personas.flow, {"text": "same"}, name=f"same-{n}") for n in range(7)]
    HumanLoop.objects.filter(pk__in=[loop.pk for loop in loops]).update(created_at=start)
    monkeypatch.setattr(loop_search, "TEXT_WINDOW", 4)
    mine = HumanLoop.objects.filter(account=personas.account)
    for text in ("", "same"):
        seen, cursor = [], ""
        with CaptureQueriesContext(connection) as queries:
            while True:
                rows, cursor = loop_search.page(mine, [personas.account.id], cursor=cursor, size=3, text=text)
                seen += [row.name for row in rows]
                if not cursor:
                    break
        assert seen == [f"same-{n}" for n in reversed(range(7))], text
        walks = [
            q["sql"]
            for q in queries.captured_queries
            if '("flows_humanloop"."created_at", "flows_humanloop"."id")' in q["sql"]
        ]
        assert walks, "the keyset bound is a row comparison"
