"""StartHumanLoop's name rule (flows.loops.start_input): the shortcut for common names answers as the pattern does."""

from __future__ import annotations

import itertools

import regex

from flows.loops import start_input


def test_a_name_is_valid_exactly_when_the_service_pattern_and_length_say_so():
    """name_problem accepts plain names without the pattern's regex (a million a second on an import); every
    string of these characters up to 5 long, and long names, get the answer the pattern and the length give."""
    pattern = regex.compile(start_input.HUMAN_LOOP_NAME_PATTERN)
    alphabet = ["a", "Z", "7", "-", "_", " ", "\n", "é", "٣"]
    names = ["".join(chars) for size in range(6) for chars in itertools.product(alphabet, repeat=size)]
    names += ["a" * 63, "a" * 64, "a-" * 31 + "a", "a" * 62 + "\n", "a" * 63 + "\n"]
    for name in names:
        valid = bool(pattern.match(name)) and len(name) <= start_input.MAX_NAME_LENGTH
        assert (start_input.name_problem(name) is None) == valid, repr(name)
    assert start_input.name_problem("a\n") is None  # the pattern's `$` lets one trailing newline through, as before
