"""What a manager decided about a loop's answer: accepted, corrected (with the corrected answer), sent back."""

from __future__ import annotations

from django.db import models

from flows.models import HumanLoop
from hitl.kernel import clock
from workforce.models import Account


class AnswerCheck(models.Model):
    """One manager's decision on one loop: an append-only record with who and when.

    A correction is its own answer (`answer`), kept beside the reviewers' answers and written to
    corrections.json beside the loop's output.json; it never replaces what a reviewer gave.
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        CORRECTED = "corrected", "Corrected"
        SENT_BACK = "sent_back", "Sent back for another answer"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    human_loop = models.ForeignKey(HumanLoop, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    answer = models.JSONField(null=True, blank=True)  # the corrected answerContent
    note = models.CharField(max_length=1024, blank=True, default="")
    checked_by = models.CharField(max_length=150)  # a username, kept as text so it outlives the user
    checked_at = models.DateTimeField(default=clock.now)
    written_to = models.CharField(max_length=2048, blank=True, default="")  # corrections.json, once written

    class Meta:
        indexes = [models.Index(fields=["human_loop", "checked_at"], name="answer_check_loop_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="corrected", answer__isnull=False) | ~models.Q(decision="corrected"),
                name="answer_check_correction_has_answer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.checked_by}"


class LoopSearchText(models.Model):
    """A loop's name and input, copied for the console's text search (console.search_index fills it).

    The trigram indexes live here, not on the loop table, so starting a loop pays no trigram
    extraction (about 35 µs of PostgreSQL CPU a loop for the two): rows come set-based, after
    the loops commit. The foreign key to the loop costs the sweep, not the start (PostgreSQL checks
    a reference where it is written), and takes the copy away with a deleted loop (or account).
    The search joins the loop table, which decides what exists and to whom it belongs.
    """

    loop = models.OneToOneField(HumanLoop, primary_key=True, on_delete=models.CASCADE, related_name="+")
    account_id = models.BigIntegerField()
    name = models.CharField(max_length=63)
    input_content = models.TextField()


class LoopSearchBacklog(models.Model):
    """Ids of loops inserted but not yet copied into LoopSearchText: one row per INSERT statement.

    Written by a PostgreSQL trigger on the loop table (console/migrations/0004) in the inserting
    transaction, so a committed loop is always either copied or inside a backlog range (the search
    tests those row by row). The range may hold other transactions' ids too: copying is idempotent.
    """

    low = models.BigIntegerField()
    high = models.BigIntegerField()
