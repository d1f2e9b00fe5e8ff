"""`make bench-peer`: our bench and Label Studio's (gunicorn + PostgreSQL, the baseline's run B) in one session.

    .venv/bin/python -m bench.peer [--quick] [--ours bench/results/bench-....json] [--peer-json FILE]
                                   [--ours-data FILE] [--peer-data FILE] [--data-rows 10000] [--data-answers N]
    .venv/bin/python -m bench.peer --start-only      # then, under the benchmark lock: ... bench.peer --started

Runs ../shared/bench/run_label_studio.sh (it pip-installs Label Studio into
/tmp/ls-venv the first time), peer_label_studio.py against it (create, concurrent
create, JSON import, next + submit at 10k and 100k tasks) and bench.peer_data
(CSV file import and export), then our bench (unless --ours names a result of
this session) and bench.peer_data on our side (the console's import and export),
and prints each of our medians beside the peer's with the ratio. Label Studio's
PostgreSQL gets its own port and directory so it never meets ours. Label
Studio's start (fresh database, its migrations) takes minutes on a busy
machine: `--start-only` does it alone, so the benchmark lock is held only while
measuring. Writes bench/results/peer-compare-<time>.md.
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
SCRIPT = SHARED / "run_label_studio.sh"
LS_PORT = "8090"  # and its PostgreSQL on 25442: below the ephemeral range, clear of every hitl port


def label_studio_env() -> dict[str, str]:
    """run_label_studio.sh's knobs: gunicorn + PostgreSQL on ports and a directory of the bench's own."""
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
    return env


def start_label_studio() -> None:
    """A fresh Label Studio (new data directory and database); its migrations take minutes on a busy machine."""
    subprocess.run([str(SCRIPT), "start", LS_PORT], env=label_studio_env(), check=True)


def run_peer(quick: bool, out: Path | None, data_out: Path, data: list[str], started: bool = False) -> None:
    """Measure Label Studio (started here unless `started`; without `out`, import and export only), then stop it."""
    env = label_studio_env()
    if not started:
        start_label_studio()
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
            "10000,100000",  # our quick bench measures both sizes too
            "--label",
            "Label Studio 1.23, gunicorn 4 sync workers + PostgreSQL 15",
            "--out",
            str(out),
        ]
        if quick:
            args += ["--n-seq", "150", "--n-conc", "300", "--n-next", "60"]
        if out is not None:
            subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
        run_data(
            ["label-studio", "--url", f"http://127.0.0.1:{LS_PORT}", "--token", token, *data, "--out", str(data_out)]
        )
    finally:
        subprocess.run([str(SCRIPT), "stop", LS_PORT], env=env, check=False)
        subprocess.run([str(SCRIPT), "pg-stop"], env=env, check=False)


def run_data(args: list[str]) -> None:
    """bench.peer_data in its own process (our side sets up Django for its own stack)."""
    subprocess.run([sys.executable, "-m", "bench.peer_data", *args], cwd=ROOT, check=True)


def _versions(peer: dict) -> str:
    ours = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    return f"hitl `{ours.strip()}`, Label Studio {peer.get('server_version')}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--ours", help="an existing bench JSON of this session (skips running our bench)")
    parser.add_argument("--peer-json", help="an existing peer JSON of this session (skips running Label Studio)")
    parser.add_argument(
        "--started",
        action="store_true",
        help="Label Studio is up already (`python -m bench.peer --start-only`, outside the benchmark lock)",
    )
    parser.add_argument("--start-only", action="store_true", help="start a fresh Label Studio and exit")
    parser.add_argument("--peer-data", help="with --peer-json: Label Studio's import/export JSON of that session")
    parser.add_argument("--ours-data", help="an existing bench.peer_data hitl JSON (skips our import/export run)")
    parser.add_argument(
        "--only-data",
        action="store_true",
        help="import and export only (bench.peer_data on both sides): no peer script, no bench.run",
    )
    parser.add_argument("--data-rows", type=int, default=10_000, help="rows per CSV import")
    parser.add_argument("--data-answers", type=int, help="answers per export (default 5,000; quick 1,000)")
    args = parser.parse_args(argv)
    if args.start_only:
        start_label_studio()
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    peer_path = Path(args.peer_json) if args.peer_json else RESULTS / f"peer-ls-{stamp}.json"
    peer_data_path = Path(args.peer_data) if args.peer_data else RESULTS / f"peer-ls-data-{stamp}.json"
    load = {"before": os.getloadavg()}
    answers = args.data_answers or (1_000 if args.quick else 5_000)  # Label Studio exports 25-100 tasks/s here
    data = ["--rows", str(args.data_rows), "--answers", str(answers)]
    if not args.peer_json:
        print("bench-peer: Label Studio (install on first use, then gunicorn + PostgreSQL)", file=sys.stderr)
        run_peer(args.quick, None if args.only_data else peer_path, peer_data_path, data, started=args.started)
    if args.only_data:
        ours_path = None
    elif args.ours:
        ours_path = Path(args.ours)
    else:
        from bench import run

        before = set(RESULTS.glob("bench-*.json"))
        run.main(["--quick"] if args.quick else [])
        ours_path = max(set(RESULTS.glob("bench-*.json")) - before, key=lambda p: p.stat().st_mtime)
    ours_data_path = Path(args.ours_data) if args.ours_data else RESULTS / f"peer-hitl-data-{stamp}.json"
    if not args.ours_data:
        run_data(["hitl", *data, "--out", str(ours_data_path)])
    load["after"] = os.getloadavg()
    ours = json.loads(ours_path.read_text()) if ours_path else {"start": [], "queue": [], "seed": []}
    peer = json.loads(peer_path.read_text()) if peer_path.exists() else {}
    ours["peer_data"] = json.loads(ours_data_path.read_text()) if ours_data_path.exists() else {}
    peer["peer_data"] = json.loads(peer_data_path.read_text()) if peer_data_path.exists() else {}
    peer.setdefault("server_version", peer["peer_data"].get("server_version"))
    sources = [p for p in (ours_path, ours_data_path, peer_path, peer_data_path) if p and p.exists()]
    text = (
        f"# hitl vs Label Studio, same session ({stamp})\n\n"
        f"- results: {', '.join(f'`{_shown(p)}`' for p in sources)} "
        f"({_versions(peer)}; Label Studio on gunicorn 4 sync workers + PostgreSQL 15).\n"
        f"- Load average (1, 5, 15 min) before {_load(load['before'])}, after {_load(load['after'])}; "
        f"{os.cpu_count()} CPUs.\n"
        "- Medians over the repeats. hitl advantage > 1 means hitl is better (faster or more per second).\n"
        "- Same machine, one after the other; the client shares the cores with the server in both.\n\n"
        + report.compare(ours, peer)
    )
    (RESULTS / f"peer-compare-{stamp}.md").write_text(text)
    print(text)
    return 0


def _shown(path: Path) -> str:
    return str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)


def _load(values: tuple[float, ...] | list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
