"""`make bench-peer`: our bench and Label Studio's (gunicorn + PostgreSQL, the baseline's run B) in one session.

    .venv/bin/python -m bench.peer [--quick] [--ours bench/results/bench-....json] [--peer-json FILE]

Runs ../shared/bench/run_label_studio.sh (it pip-installs Label Studio into
/tmp/ls-venv the first time) and peer_label_studio.py against it, then our
bench (unless --ours names a result of this session), and prints each of our
medians beside the peer's with the ratio. Label Studio's PostgreSQL gets its
own port and directory so it never meets ours. Writes
bench/results/peer-compare-<time>.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import report
from bench.stack import ROOT

SHARED = Path(os.environ.get("HITL_PEER_DIR", ROOT.parent / "shared" / "bench"))
RESULTS = ROOT / "bench" / "results"
LS_PORT = "8090"


def run_peer(quick: bool, out: Path) -> None:
    env = dict(os.environ)
    env.update(
        {
            "LS_SERVER": "gunicorn",
            "LS_DB": "postgres",
            "LS_VENV": env.get("LS_VENV", "/tmp/ls-venv"),
            "PG_PORT": env.get("LS_PG_PORT", "25442"),  # below the ephemeral port range
            "PG_DIR": env.get("LS_PG_DIR", "/tmp/ls-pg-hitl-bench"),
        }
    )
    script = str(SHARED / "run_label_studio.sh")
    subprocess.run([script, "start", LS_PORT], env=env, check=True)
    try:
        token = Path(f"/tmp/ls-bench-{LS_PORT}/token").read_text().strip()
        args = [
            f"{env['LS_VENV']}/bin/python",
            str(SHARED / "peer_label_studio.py"),
            "--url",
            f"http://127.0.0.1:{LS_PORT}",
            "--token",
            token,
            "--concurrency",
            "8",  # as our concurrent StartHumanLoop clients
            "--next-sizes",
            "10000" if quick else "10000,100000",
            "--label",
            "Label Studio 1.23, gunicorn 4 sync workers + PostgreSQL 15",
            "--out",
            str(out),
        ]
        if quick:
            args += ["--n-seq", "150", "--n-conc", "300", "--n-next", "60"]
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    finally:
        subprocess.run([script, "stop", LS_PORT], env=env, check=False)
        subprocess.run([script, "pg-stop"], env=env, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--ours", help="an existing bench JSON of this session (skips running our bench)")
    parser.add_argument("--peer-json", help="an existing peer JSON of this session (skips running Label Studio)")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    peer_path = Path(args.peer_json) if args.peer_json else RESULTS / f"peer-ls-{stamp}.json"
    if not args.peer_json:
        print("bench-peer: Label Studio (install on first use, then gunicorn + PostgreSQL)", file=sys.stderr)
        run_peer(args.quick, peer_path)
    if args.ours:
        ours_path = Path(args.ours)
    else:
        from bench import run

        before = set(RESULTS.glob("bench-*.json"))
        run.main(["--quick"] if args.quick else [])
        ours_path = max(set(RESULTS.glob("bench-*.json")) - before, key=lambda p: p.stat().st_mtime)
    ours, peer = json.loads(ours_path.read_text()), json.loads(peer_path.read_text())
    text = (
        f"# hitl vs Label Studio, same session ({stamp})\n\n"
        f"- ours: `{ours_path.relative_to(ROOT)}`; peer: `{peer_path.relative_to(ROOT)}` "
        f"(Label Studio {peer.get('server_version')}, gunicorn sync workers + PostgreSQL 15).\n"
        "- Medians over the repeats. hitl advantage > 1 means hitl is better (faster or more per second).\n"
        "- Same machine, one after the other; the client shares the 2 cores with the server in both.\n\n"
        + report.compare(ours, peer)
    )
    (RESULTS / f"peer-compare-{stamp}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
