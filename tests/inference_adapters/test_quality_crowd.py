"""Issue 14's synthetic crowd answered through the reviewer JSON API (bench/quality.py's driver, in-process).

300 items, 3 classes, 20 reviewers (16 biased towards one wrong label with
accuracies 0.55-0.95, 4 answering at random; bench/crowd.py, seed 14), 3
answers per item (TaskCount 3): each reviewer claims with GET
/portal/api/tasks/next and answers with POST .../submit, as in the portal.
Dawid-Skene's consolidated answers beat majority vote (a tie counted as no
answer, as hitl flags it) by at least 5 points, and the estimated reviewer
accuracies correlate with the true ones at r >= 0.9. The full 2,000 items over
HTTP: `python -m bench.quality crowd --http-port PORT` (README, "Quality control").
"""

import pytest

from bench import quality

# Runs once per suite, on the PostgreSQL pass (the slowest unit test: about 900 claims and submits).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow_story]


def test_through_the_reviewer_api_dawid_skene_beats_majority_vote_and_finds_the_reviewers():
    run = quality.run_crowd("fixed-3", items=300, seed=14, task_count=3, tags={})

    assert run["judgments"] == 900
    assert run["dawidSkeneAccuracy"] >= run["majorityVoteAccuracy"] + 0.05
    assert run["reliabilityCorrelation"] >= 0.9
