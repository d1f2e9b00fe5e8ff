"""The reviewer's shortcuts on every portal page, for the ? list outside the task frame (portal-keys.js)."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from review_ui import shortcuts

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_shortcuts(context: template.Context) -> SafeString | str:
    """Return a JSON <script> with the signed-in reviewer's keymap (their own keys) and what each key does."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return ""
    keys = shortcuts.keymap_for(user)
    data = {
        "actions": [
            {"action": action, "key": keys[action], "description": text} for action, _, text in shortcuts.ACTIONS
        ],
        "fixed": [{"key": key, "description": text} for key, text in shortcuts.FIXED_KEY_HELP],
    }
    return json_script(data, "portal-shortcuts")
