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
    ("newBox", "n", "Draw a new box with the chosen label"),
    ("nextShape", "]", "Select the next box"),
    ("previousShape", "[", "Select the previous box"),
    ("moveLeft", "ArrowLeft", "Move the selected box left"),
    ("moveRight", "ArrowRight", "Move the selected box right"),
    ("moveUp", "ArrowUp", "Move the selected box up"),
    ("moveDown", "ArrowDown", "Move the selected box down"),
    ("wider", "Shift+ArrowRight", "Make the selected box wider"),
    ("narrower", "Shift+ArrowLeft", "Make the selected box narrower"),
    ("taller", "Shift+ArrowDown", "Make the selected box taller"),
    ("shorter", "Shift+ArrowUp", "Make the selected box shorter"),
)
DEFAULTS = {action: key for action, key, _ in ACTIONS}
FIXED_KEYS = {str(digit) for digit in range(1, 10)} | {"Tab", "Shift+Tab", "Escape", "Space"}
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
            errors.append(f"{description}: {key} is reserved (digits pick answers; Tab, Escape and Space are fixed).")
        elif key in seen:
            errors.append(f"{description}: {key} is already the key for “{seen[key]}”.")
        else:
            seen[key] = description
    return errors


def save(user: AbstractBaseUser, keys: dict[str, str]) -> None:
    """Store the keys that differ from the defaults (validate first)."""
    own = {action: keys[action].strip() for action in DEFAULTS if keys[action].strip() != DEFAULTS[action]}
    ReviewerKeymap.objects.update_or_create(user=user, defaults={"keys": own})
