"""Where the project's shared material lives: ../shared beside the checkout (or HITL_SHARED_DIR)."""

import os
from pathlib import Path

SHARED_DIR = Path(os.environ.get("HITL_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SAMPLE_TEMPLATES = SHARED_DIR / "samples" / "a2i-task-uis"
