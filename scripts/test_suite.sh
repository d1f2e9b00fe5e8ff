#!/usr/bin/env bash
# The test suite in four passes, each timed:
#   sqlite       unit, protocol and portal tests on SQLite (the slow stories are left to the next pass)
#   postgres     the same tests that use the database, and the slow stories, on a real PostgreSQL
#   integration  PostgreSQL, Redis, Celery worker and beat, S3 server (the test setup starts them)
#   browser      headless Chromium against the live server, on PostgreSQL
#
#   scripts/test_suite.sh                      all four, two lanes at once (make test)
#   scripts/test_suite.sh postgres browser     the named passes, one after the other, output as it comes
#
# The two lanes (sqlite then browser; postgres then integration) keep both cores busy: the
# integration stories spend most of their time waiting for processes. Each lane's passes write to
# var/test-logs/<pass>.log, printed whole when the pass ends so two passes never interleave.
# The browser pass has its own test database (test_hitl_browser), so it can run beside the others.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTEST=.venv/bin/pytest
LOGS=var/test-logs

run_pass() {
    case "$1" in
        sqlite) env -u DATABASE_URL "$PYTEST" -q -m "not integration and not browser and not slow_story" ;;
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

lane() {  # lane PASS...: the passes one after the other, each printed whole when it ends
    local pass
    for pass in "$@"; do
        echo "== $pass: started ($(describe "$pass"))"
        timed "$pass" >"$LOGS/$pass.log" 2>&1
        flock "$LOGS/print.lock" cat "$LOGS/$pass.log"
    done
}

passes=("$@")
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
    lane sqlite browser &
    first=$!
    lane postgres integration &
    second=$!
    wait "$first" "$second" || true
    echo "== the two lanes took $((SECONDS - start)) s"
    [ "$(wc -l <"$LOGS/summary")" = 4 ] || { echo "== a lane stopped before all its passes ran" && record lanes 1 0; }
fi

echo "== pass timings"
failed=0
while read -r pass status seconds; do
    printf '   %-12s %5d s  %s\n' "$pass" "$seconds" "$([ "$status" = 0 ] && echo passed || echo "FAILED (exit $status)")"
    [ "$status" = 0 ] || failed=1
done <"$LOGS/summary"
exit "$failed"
