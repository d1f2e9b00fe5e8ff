"""The console's navigation: one entry per page, shown when its URL name exists in console/urls.py.

Import, Export and Charts are reserved here; their pages register `console:import`,
`console:export` and `console:charts` in console/urls.py and the entries appear.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

# (URL name, label, prefix of the URL names of the pages under the entry)
ENTRIES = (
    ("home", "Home", "home"),
    ("flows", "Flows", "flow"),
    ("loops", "Loops", "loop"),
    ("import", "Import", "import"),
    ("export", "Export", "export"),
    ("charts", "Charts", "chart"),
)


def entries(current: str = "") -> list[dict[str, Any]]:
    """Return [{"name", "label", "url", "current"}] of the entries whose page exists.

    `current` is the URL name of the page being shown; its entry is marked current.
    """
    found = []
    for name, label, prefix in ENTRIES:
        try:
            url = reverse(f"console:{name}")
        except NoReverseMatch:
            continue
        found.append({"name": name, "label": label, "url": url, "current": current.startswith(prefix)})
    return found
