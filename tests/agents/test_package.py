"""The agent-side package installs and imports without the server: no Django, only boto3/httpx (+ extras)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_hitl_agents_imports_no_django():
    script = (
        "import sys, hitl_agents, hitl_agents.langchain, hitl_agents.langgraph\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'django was imported'\n"
        "assert 'crowd-tool-call-review' in hitl_agents.tool_review_template()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_loop_names_are_stable_and_valid_for_a2i():
    import re

    from hitl_agents import loop_name_for

    name = loop_name_for("thread-7:call_abc,call_def")
    assert name == loop_name_for("thread-7:call_abc,call_def")
    assert name != loop_name_for("thread-7:call_abc")
    assert re.fullmatch(r"[a-z0-9](-*[a-z0-9])*", name) and len(name) <= 63
