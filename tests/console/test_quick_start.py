"""The quick start as a newcomer meets it: one log line per request on the terminal."""

from __future__ import annotations

import logging


def test_runserver_does_not_add_its_own_line_to_the_access_log_line_of_each_request():
    server = logging.getLogger("django.server")  # runserver logs each request here at INFO
    assert not server.isEnabledFor(logging.INFO)
    assert not server.isEnabledFor(logging.WARNING)  # a 4xx: hitl.access has its line already
    assert server.isEnabledFor(logging.ERROR)
    assert logging.getLogger("hitl.access").isEnabledFor(logging.INFO)
