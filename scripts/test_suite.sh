#!/usr/bin/env bash
# The test suite in four passes, each timed:
#   sqlite       unit, protocol and portal tests on SQLite (the slow stories are left to the next pass)
#   postgres     the same tests that use the database, and the slow stories, on a real PostgreSQL
#   integration  PostgreSQL, Redis, Celery worker and beat, S3 server (the test setup starts them)
#   browser      headless Chromium against the live server, on PostgreSQL
#
#   scripts/test_suite.sh                      all four, two at a time (make test)
#   scripts/test_suite.sh postgres browser     the named passes, one after the other, output as it comes
#
# Two at a time keeps both cores busy: sqlite beside integration, whose stories spend most of
# their time waiting for processes, and which stops and restarts PostgreSQL: no other pass may use
# the server meanwhile. Then postgres (test_hitl) and browser (its own test_hitl_browser), each
# started as soon as its predecessor in its lane and the integration pass have ended. A pass's output goes to var/test-logs/<pass>.log and is printed
# whole when the pass ends, so two passes never interleave.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTEST=${HITL_PYTEST:-.venv/bin/pytest}
LOGS=var/test-logs

run_pass() {
    case "$1" in
        sqlite) env -u DATABASE_URL $SQLITE_NICE "$PYTEST" -q -m "not integration and not browser" ;;
        postgres) HITL_TESTS_DATABASE_ONLY=1 "$PYTEST" -q -m "not integration and not browser" ;;
        integration) (eval "$(scripts/services.sh env)" && "$PYTEST" -q -m integration) ;;
        browser) HITL_TEST_DATABASE_SUFFIX=browser "$PYTEST" -q -m browser ;;
        *) echo "unknown pass: $1 (sqlite, postgres, integration, browser)" >&2 && return 2 ;;
    esac
}

describe() {
    case "$1" in
        sqlite) echo "unit, protocol and portal tests on SQLite" ;;
        postgres) echo "the tests that use the database, and the slow stories, on PostgreSQL" ;;
        integration) echo "integration tests (PostgreSQL, Redis, Celery worker and beat, S3 server)" ;;
        browser) echo "browser tests (headless Chromium, PostgreSQL)" ;;
    esac
}

# One line per pass in $LOGS/summary: "<pass> <exit status> <seconds>".
record() { echo "$1 $2 $3" >>"$LOGS/summary"; }

timed() {  # timed PASS: run it with its output on stdout, record its status and time
    local start=$SECONDS status=0
    echo "== $1: $(describe "$1")"
    run_pass "$1" || status=$?
    record "$1" "$status" $((SECONDS - start))
    echo "== $1: $([ "$status" = 0 ] && echo passed || echo "FAILED (exit $status)") in $((SECONDS - start)) s"
}

background() {  # background PASS: run it with its output in $LOGS/PASS.log, print that whole at the end
    echo "== $1: started ($(describe "$1"))"
    timed "$1" >"$LOGS/$1.log" 2>&1
    flock "$LOGS/print.lock" cat "$LOGS/$1.log"
}

after() {  # after PASS PID: wait until PASS has recorded its result (or its lane, PID, is gone)
    while kill -0 "$2" 2>/dev/null && ! grep -q "^$1 " "$LOGS/summary"; do sleep 2; done
}

passes=("$@")
SQLITE_NICE=""
needs_postgres=$([ ${#passes[@]} = 0 ] && echo 1 || echo 0)
for pass in "${passes[@]}"; do
    [ "$pass" = sqlite ] || needs_postgres=1
done
mkdir -p "$LOGS"
: >"$LOGS/summary"

if [ "$needs_postgres" = 1 ]; then
    scripts/services.sh start pg
    trap 'scripts/services.sh stop all >/dev/null 2>&1 || true' EXIT
    eval "$(scripts/services.sh env pg)"
    export DATABASE_URL
fi

if [ ${#passes[@]} -gt 0 ]; then
    for pass in "${passes[@]}"; do timed "$pass"; done
else
    start=$SECONDS
    # The integration stories' recovery-time checks need the CPU when a fault ends; the SQLite pass yields.
    SQLITE_NICE="nice -n 10"
    (background integration && background postgres) &
    first=$!
    (background sqlite && after integration "$first" && SQLITE_NICE="" && background browser) &
    wait "$first" $! || true
    echo "== the four passes took $((SECONDS - start)) s"
    [ "$(wc -l <"$LOGS/summary")" = 4 ] || { echo "== a pass did not report its result" && record missing 1 0; }
fi

echo "== pass timings"
failed=0
while read -r pass status seconds; do
    printf '   %-12s %5d s  %s\n' "$pass" "$seconds" "$([ "$status" = 0 ] && echo passed || echo "FAILED (exit $status)")"
    [ "$status" = 0 ] || failed=1
done <"$LOGS/summary"
exit "$failed"
