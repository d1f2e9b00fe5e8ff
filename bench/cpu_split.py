"""Where the CPU goes during 8-client StartHumanLoop: gunicorn workers, PostgreSQL, clients, the rest.

    .venv/bin/python -m bench.cpu_split [--loops 2000] [--workers 4]

Starts the bench stack (bench/stack.py), seeds 10k loops, warms up, then reads
each process group's CPU time from /proc before and after one run of 8 raw
clients, and the clients' CPU from the children's rusage. Prints CPU ms per
started loop for each group: what bounds the 8-client throughput on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
from pathlib import Path

from bench import run
from bench.stack import Stack

GROUPS = ("gunicorn", "postgres", "celery", "redis", "moto")


def cpu_seconds_by_group() -> dict[str, float]:
    tick = os.sysconf("SC_CLK_TCK")
    out = dict.fromkeys(GROUPS, 0.0)
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = next((g for g in GROUPS if g in command), None)
        if group:
            out[group] += (int(fields[11]) + int(fields[12])) / tick
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loops", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    args = parser.parse_args(argv)
    stack = Stack(web_workers=args.workers)
    stack.start()
    try:
        tmp = Path(tempfile.mkdtemp(prefix="hitl-cpu-"))
        state = tmp / "state.json"
        run.subprocess_env_python(stack, "-m", "bench.fixtures", "setup", "--reviewers", "0", "--out", str(state))
        cfg = json.loads(state.read_text()) | {"port": stack.web_port}
        run.seed(stack, cfg, 0, 10000, tmp)
        run.measure_start(cfg, "raw", 8, 400)  # warm the workers' caches and connections
        before, children_before = cpu_seconds_by_group(), resource.getrusage(resource.RUSAGE_CHILDREN)
        result = run.measure_start(cfg, "raw", 8, args.loops)
        after, children_after = cpu_seconds_by_group(), resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        stack.stop()
    clients = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    print(f"8 raw clients, {args.loops} loops: {result['per_s']} loops/s, p50 {result['p50_ms']} ms")
    print("| process group | CPU ms per loop |\n|---|---|")
    total = 0.0
    for group in GROUPS:
        ms = (after[group] - before[group]) * 1000 / args.loops
        total += ms
        print(f"| {group} | {ms:.2f} |")
    print(f"| clients | {clients * 1000 / args.loops:.2f} |")
    total += clients * 1000 / args.loops
    print(f"| all | {total:.2f} (two cores: at most {2000 / total:.0f} loops/s) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
