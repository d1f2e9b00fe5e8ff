"""The console's text search in the input asks the trigram index for the text's rare words only and
rechecks the whole text (console.loop_search._input_holds): the same loops as the plain ILIKE on the
loop table, for any text, of the admin's account only, copied to the search table or not yet."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from console import loop_search, search_index
from flows.loops import bulk_stage
from flows.loops.bulk import BulkItem
from flows.models import HumanLoop

LOOPS = "/console/loops/"
SEARCH_TABLE = 'FROM "console_loopsearchtext"'
pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the search table is PostgreSQL's")

# Each text to find beside the inputs that hold its words but not the text itself (a recheck that
# were missing, or a LIKE that took `%`, `_` or `\` as a pattern, would return those too).
INPUTS = [
    "comment number 17 about the product",
    "comment number 171 about the product",
    "the product about number 17",
    "a blurry zebra crossing",
    "zebra crossings by the blurry lake",
    "100% cotton shirt",
    "100x cotton shirt",
    "abc_def label",
    "abcXdef label",
    r"back\slash here",
    "backslash here",
    "item #17, (boxed)!",
    "item 17 boxed",
    "5 a side",
    "Müller Straße 5",
    "MÜLLER STRASSE 5",
]
TEXTS = [
    "number 17 about",  # a rare number among common words
    "about the product",  # common words only
    "blurry zebra",  # rare words only
    "ZEBRA cross",  # another case, a word cut short
    "100% cotton",
    "abc_def",
    r"back\slash",
    "#17, (boxed",  # punctuation
    "5 a",  # words shorter than a trigram
    "%",
    "_",
    "\\",
    "müller straße",  # not ASCII
    "nothing like it",
]


def _start(account, flow, texts: list[str], prefix: str) -> None:
    """Start a loop per text, all in one INSERT statement (one backlog range), as an import does."""
    with transaction.atomic():
        items = [BulkItem(f"{prefix}-{i}", json.dumps({"taskObject": text})) for i, text in enumerate(texts)]
        assert bulk_stage.start_staged(account, flow, items).created == len(texts)


def _expected(account, text: str) -> list[str]:
    """The plain query: ILIKE on the loop table, row by row."""
    loops = HumanLoop.objects.filter(account=account, input_content__icontains=text)
    return sorted(loops.values_list("name", flat=True))


def _found(client, text: str) -> list[str]:
    response = client.get(LOOPS, {"q": text})
    assert response.status_code == 200, response.content
    return sorted(loop.name for loop in response.context["loops"])


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE console_loopsearchtext")


@pytest.fixture
def searched(personas, monkeypatch):
    """The inputs in both accounts, copied to the search table and analyzed; the newest-window step off."""
    monkeypatch.setattr(loop_search, "TEXT_WINDOW", 0)  # every text search goes to the index step
    monkeypatch.setattr(loop_search, "MIN_TEXT", 1)  # one-character texts too (the form asks for three)
    _start(personas.account, personas.flow, INPUTS, "mine")
    _start(personas.outsider.account, personas.outsider.flow, INPUTS, "theirs")
    search_index.catch_up()
    _analyze()
    return personas


@pytest.mark.parametrize("every_word_rare", [False, True], ids=["estimated", "every-word-asked"])
def test_text_search_finds_what_the_plain_query_finds_and_nothing_of_another_account(
    client, searched, monkeypatch, every_word_rare
):
    if every_word_rare:  # the index is asked for every word of each text, the recheck does the rest
        monkeypatch.setattr(loop_search, "RARE_SHARE", 1.0)
    client.force_login(searched.owner)
    for text in TEXTS:
        expected = _expected(searched.account, text)
        assert _found(client, text) == expected, text
        assert all(name.startswith("mine-") for name in expected)
    assert _found(client, "number 17 about") == ["mine-0"]
    assert _found(client, "100% cotton") == ["mine-5"]
    client.force_login(searched.outsider.owner)
    assert _found(client, "blurry zebra") == ["theirs-3"]


def test_loops_not_yet_copied_are_found_beside_the_copied_ones(client, personas, monkeypatch):
    monkeypatch.setattr(loop_search, "TEXT_WINDOW", 0)
    monkeypatch.setattr(loop_search, "RARE_SHARE", 1.0)
    _start(personas.account, personas.flow, INPUTS, "copied")
    search_index.catch_up()
    _analyze()
    _start(personas.account, personas.flow, ["a blurry zebra again", "zebra but not blurry"], "later")
    client.force_login(personas.owner)
    assert _found(client, "blurry zebra") == ["copied-3", "later-0"]


def test_only_the_rare_words_of_a_phrase_are_asked_of_the_trigram_index(client, personas, monkeypatch):
    """At a million loops the whole phrase cost 152 ms of GIN work, its rare word alone 0.5 ms (bench/README.md).

    300 inputs here, so a word counts as rare in up to 5 % of them (15): the planner's estimate for
    "173", in one input, is 1 row; for "number" and "about", in all, 300.
    """
    monkeypatch.setattr(loop_search, "TEXT_WINDOW", 0)
    monkeypatch.setattr(loop_search, "RARE_SHARE", 0.05)
    _start(personas.account, personas.flow, [f"comment number {i} about the product" for i in range(300)], "n")
    search_index.catch_up()
    client.force_login(personas.owner)

    def asked_of_the_input_index() -> list[str]:
        """The patterns the page query matches the search table's input against."""
        with CaptureQueriesContext(connection) as queries:
            assert _found(client, "number 173 about") == ["n-173"]
        (sql,) = [q["sql"] for q in queries.captured_queries if SEARCH_TABLE in q["sql"] and "EXPLAIN" not in q["sql"]]
        searched = sql.split(SEARCH_TABLE, 1)[1].split(" UNION ", 1)[0]  # the answers' part follows
        return re.findall(r'\."input_content"::text\) LIKE UPPER\(\'([^\']*)\'\)', searched)

    # No statistics yet: the planner could only guess from the words' lengths, so the whole text is asked for.
    assert asked_of_the_input_index() == ["%number 173 about%"]
    _analyze()
    assert asked_of_the_input_index() == ["%173%"]
