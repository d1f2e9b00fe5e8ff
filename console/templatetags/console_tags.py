from typing import Any

from django import template

from console import nav

register = template.Library()


@register.simple_tag(takes_context=True)
def console_nav(context: template.Context) -> list[dict[str, Any]]:
    """Return the console's navigation entries whose pages exist, the current page's marked (console.nav)."""
    match = getattr(context.get("request"), "resolver_match", None)
    return nav.entries(match.url_name if match and match.namespace == "console" else "")
