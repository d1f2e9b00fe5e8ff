"""A reviewer's own keyboard shortcuts: the same actions as crowd-keys.js, validated, stored per reviewer."""

import re
from pathlib import Path

from review_ui import shortcuts

KEYS_JS = Path(shortcuts.__file__).parent / "static" / "review_ui" / "elements" / "crowd-keys.js"


def test_the_server_knows_the_same_actions_and_default_keys_as_the_task_frame():
    in_js = re.findall(r"^    \['(\w+)', '([^']*)', '", KEYS_JS.read_text(), re.MULTILINE)

    assert in_js == [(action, key) for action, key, _ in shortcuts.ACTIONS]


def _form(**changes):
    data = dict(shortcuts.DEFAULTS)
    data.update(changes)
    return data


def test_a_reviewer_remaps_keys_for_themselves_only(client, reviewer, second_reviewer):
    client.force_login(reviewer)

    response = client.post("/portal/shortcuts/", _form(submit="x", skip="Ctrl+k"))

    assert response.status_code == 200 and 'id="shortcuts-saved"' in response.content.decode()
    assert shortcuts.keymap_for(reviewer)["submit"] == "x"
    assert shortcuts.keymap_for(reviewer)["skip"] == "Ctrl+k"
    assert shortcuts.keymap_for(second_reviewer) == shortcuts.DEFAULTS
    assert 'value="x"' in client.get("/portal/shortcuts/").content.decode()


def test_clashing_reserved_or_empty_keys_are_refused_with_the_reason(client, reviewer):
    client.force_login(reviewer)

    response = client.post("/portal/shortcuts/", _form(skip="r", newBox="3", help=""))

    page = response.content.decode()
    assert response.status_code == 400
    assert "r is already the key for" in page
    assert "3 is reserved" in page
    assert "choose a key" in page
    assert shortcuts.keymap_for(reviewer) == shortcuts.DEFAULTS
