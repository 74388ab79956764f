"""Template filters: thin wrappers around evidence.rendering."""

from django import template

from evidence.rendering import safe_url as _safe_url

register = template.Library()


@register.filter
def safe_url(value: str) -> str:
    """The URL if it is http, https or mailto, else "" (templates then print no link)."""
    return _safe_url(value)
