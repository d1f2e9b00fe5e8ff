"""Keyboard shortcuts a reviewer can remap, stored per reviewer (workforce.models.ReviewerKeymap).

The actions and their default keys are the ones crowd-keys.js knows (its ACTIONS list;
tests/review_ui/test_shortcuts.py checks the two agree). The task page sends the reviewer's
full keymap to the task frame. Digits 1-9, Tab and Escape are fixed and cannot be taken.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from workforce.models import ReviewerKeymap

ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("help", "?", "Show or hide the list of shortcuts"),
    ("submit", "Enter", "Submit the answer"),
    ("skip", "s", "Skip: give the task back and take the next one"),
    ("release", "r", "Release: give the task back and go to the work list"),
    ("newBox", "n", "A new box, point or shape with the chosen label; on text, label the selected words"),
    ("nextShape", "]", "Select the next shape, labelled span or tool call"),
    ("previousShape", "[", "Select the previous shape, labelled span or tool call"),
    ("moveLeft", "ArrowLeft", "Move the selected shape left; on text, select the previous word"),
    ("moveRight", "ArrowRight", "Move the selected shape right; on text, select the next word"),
    ("moveUp", "ArrowUp", "Move the selected shape up"),
    ("moveDown", "ArrowDown", "Move the selected shape down"),
    ("wider", "Shift+ArrowRight", "Make the selected shape wider; on text, take in the next word"),
    ("narrower", "Shift+ArrowLeft", "Make the selected shape narrower; on text, one word fewer"),
    ("taller", "Shift+ArrowDown", "Make the selected shape taller"),
    ("shorter", "Shift+ArrowUp", "Make the selected shape shorter"),
    ("approve", "a", "Approve the current tool call"),
    ("edit", "e", "Edit the current tool call"),
    ("reject", "d", "Reject (decline) the current tool call"),
    ("respond", "w", "Respond instead of running the current tool call"),
)
DEFAULTS = {action: key for action, key, _ in ACTIONS}
FIXED_KEYS = {str(digit) for digit in range(1, 10)} | {"Tab", "Shift+Tab", "Escape", "Space", "Delete", "Backspace"}
# What the fixed keys do, as the ? lists show them (crowd-keys.js has the task frame's copy).
FIXED_KEY_HELP: tuple[tuple[str, str], ...] = (
    ("1 – 9", "Choose the n-th label or answer (on the work list: start the n-th task type)"),
    ("Tab / Shift+Tab", "Move to the next / previous field"),
    ("Space", "Toggle the focused checkbox or button"),
    ("Delete", "Delete the selected shape or labelled span"),
    ("Ctrl+Z / Ctrl+Y", "Undo / redo (image tasks)"),
    ("Escape", "Close this list; leave a text field (so that keys are shortcuts again)"),
)
MAX_KEY_LENGTH = 32


def keymap_for(user: AbstractBaseUser) -> dict[str, str]:
    """Return `user`'s keymap: the defaults with their own choices over them."""
    stored = ReviewerKeymap.objects.filter(user=user).values_list("keys", flat=True).first() or {}
    return {action: stored.get(action, default) for action, default in DEFAULTS.items()}


def validate(keys: dict[str, str]) -> list[str]:
    """Return what is wrong with a full keymap (empty when it can be saved)."""
    errors = []
    seen: dict[str, str] = {}
    for action, _, description in ACTIONS:
        key = keys.get(action, "").strip()
        if not key:
            errors.append(f"{description}: choose a key.")
        elif len(key) > MAX_KEY_LENGTH:
            errors.append(f"{description}: a key name is at most {MAX_KEY_LENGTH} characters.")
        elif key in FIXED_KEYS:
            errors.append(
                f"{description}: {key} is reserved (digits pick answers; Tab, Escape, Space and Delete are fixed)."
            )
        elif key in seen:
            errors.append(f"{description}: {key} is already the key for “{seen[key]}”.")
        else:
            seen[key] = description
    return errors


def save(user: AbstractBaseUser, keys: dict[str, str]) -> None:
    """Store the keys that differ from the defaults (validate first)."""
    own = {action: keys[action].strip() for action in DEFAULTS if keys[action].strip() != DEFAULTS[action]}
    ReviewerKeymap.objects.update_or_create(user=user, defaults={"keys": own})
