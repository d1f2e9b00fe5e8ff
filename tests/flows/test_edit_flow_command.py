"""manage.py edit_flow (issue 17): update, stale base, refused field, diff, rollback and listing."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests import factories as f
from tests.flows.test_versions import NO_SENTIMENT_TEMPLATE, V2_TEMPLATE, _answer


def _run(*args) -> str:
    out = io.StringIO()
    call_command("edit_flow", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_edit_flow_command_story(tmp_path):
    acct = f.account(name="acme")
    reviewer = f.user()
    ui = f.human_task_ui(acct, name="sentiment")
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]), ui, name="reviews")
    f.human_loop(flow)
    _answer(reviewer)

    dropping = tmp_path / "drop.html"
    dropping.write_text(NO_SENTIMENT_TEMPLATE)
    with pytest.raises(CommandError, match="no longer has the answer fields sentiment"):
        _run("acme", "ui", "sentiment", "--template", str(dropping), "--base", "1")
    v2 = tmp_path / "v2.html"
    v2.write_text(V2_TEMPLATE)
    assert "flows moved to it: reviews v2" in _run("acme", "ui", "sentiment", "--template", str(v2), "--base", "1")

    with pytest.raises(CommandError, match="is at version 2"):
        _run("acme", "flow", "reviews", "--set", "task_count=2", "--base", "1")
    assert "Published reviews v3." in _run("acme", "flow", "reviews", "--set", "task_count=2", "--base", "2")
    assert "-task_count: 1\n+task_count: 2" in _run("acme", "flow", "reviews", "--diff", "2", "3")
    assert "v4 (rollback to v1)" in _run("acme", "flow", "reviews", "--rollback", "1", "--base", "3")
    listing = _run("acme", "flow", "reviews")
    assert listing.splitlines()[-1].startswith("* v4") and "Rollback to v1" in listing
