"""How the admin shows values (issue 18, "the admin tidied"): JSON pretty-printed, empty as a dash, never `null`.

`ReadableJsonMixin` is mixed into every hitl ModelAdmin (workforce.admin.AccountScopedAdmin):
a read-only JSONField is shown through `pretty_json` (indented, in a <pre>; None, {} and [] as
"-"), and an editable one is a textarea holding indented JSON that is empty, not `null`, for None.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html

EMPTY = "-"
# Read-only JSON fields are listed under this prefix; the admin resolves the name with __getattr__.
_PRETTY = "pretty_json__"


def pretty_json(value: Any) -> str:
    """Return `value` as indented JSON in a <pre> (empty values as "-")."""
    if value in (None, "", {}, []):
        return EMPTY
    text = json.dumps(value, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate stored before inputs were checked: show it escaped
        text = json.dumps(value, indent=2)
    return format_html('<pre class="json">{}</pre>', text)


class PrettyJSONFormField(forms.JSONField):
    """An editable JSON field shown indented, and empty (not `null`) when there is no value."""

    widget = forms.Textarea

    def prepare_value(self, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False, cls=self.encoder)


class ReadableJsonMixin:
    """Show a ModelAdmin's JSON fields readably, read-only (pretty_json) or editable (PrettyJSONFormField)."""

    formfield_overrides = {models.JSONField: {"form_class": PrettyJSONFormField}}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Sequence:
        return [self._pretty_name(name) for name in super().get_readonly_fields(request, obj)]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Sequence:
        return self._shown(request, obj, super().get_fields(request, obj))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        # The pretty names are displays, never form fields.
        if kwargs.get("fields"):
            kwargs["fields"] = [name for name in kwargs["fields"] if not str(name).startswith(_PRETTY)]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:
        return [
            (title, {**options, "fields": self._shown(request, obj, options.get("fields", ()))})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def __getattr__(self, name: str) -> Callable[[Any], str]:
        if not name.startswith(_PRETTY):
            raise AttributeError(name)
        field = self.model._meta.get_field(name.removeprefix(_PRETTY))

        def show(obj: Any) -> str:
            return pretty_json(getattr(obj, field.attname))

        show.short_description = field.verbose_name
        return show

    def _json_names(self) -> set[str]:
        return {f.name for f in self.model._meta.concrete_fields if isinstance(f, models.JSONField)}

    def _pretty_name(self, name: Any) -> Any:
        return _PRETTY + name if isinstance(name, str) and name in self._json_names() else name

    def _shown(self, request: HttpRequest, obj: Any, names: Sequence) -> list:
        """The field list with read-only JSON fields (all of them on a view-only page) under their pretty names."""
        view_only = obj is not None and not self.has_change_permission(request, obj)
        readonly = set(super().get_readonly_fields(request, obj))
        shown = []
        for name in names:
            if isinstance(name, (list, tuple)):  # a row of fields
                shown.append(type(name)(self._shown(request, obj, name)))
            elif isinstance(name, str) and name in self._json_names() and (view_only or name in readonly):
                shown.append(_PRETTY + name)
            else:
                shown.append(name)
        return shown
