#!/usr/bin/env bash
# The passes on real services, one after the other (make test-postgres): the tests that use the
# database on PostgreSQL, then the integration and browser tests. scripts/test_suite.sh has them all.
exec "$(dirname "$0")/test_suite.sh" postgres integration browser
