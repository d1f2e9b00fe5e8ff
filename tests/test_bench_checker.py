"""The load test's client-side checker must catch a task held twice (bench/load.py)."""

from bench.load import Claim, overlapping_claims


def test_overlapping_leases_are_reported_and_handovers_are_not():
    handover = [
        Claim(1, "loop-a", "alice", sent=0.0, received=1.0, end_sent=2.0, outcome="released"),
        Claim(1, "loop-a", "bob", sent=2.1, received=2.5, end_sent=3.0, outcome="submitted"),
    ]
    assert overlapping_claims(handover, deadline=10.0) == []

    # carol's lease spans both of the others; dave never ended his (held until the deadline).
    overlapping = [
        Claim(2, "loop-b", "carol", sent=0.0, received=1.0, end_sent=9.0),
        Claim(2, "loop-b", "alice", sent=1.5, received=2.0, end_sent=3.0),
        Claim(2, "loop-b", "bob", sent=4.0, received=5.0, end_sent=6.0),
        Claim(3, "loop-c", "dave", sent=0.0, received=1.0),
        Claim(3, "loop-c", "erin", sent=8.0, received=9.5, end_sent=9.8),
    ]
    assert overlapping_claims(overlapping, deadline=10.0) == [
        "task 2 held by carol and alice at once (client log)",
        "task 2 held by carol and bob at once (client log)",
        "task 3 held by dave and erin at once (client log)",
    ]
