"""Template filters: thin wrappers around evidence.rendering."""

from django import template

from evidence.rendering import Cite, footnotes_html
from evidence.rendering import safe_url as _safe_url

register = template.Library()


@register.filter
def footnotes(cites: object) -> str:
    """Footnote links for one Cite, a list of them, or a claim's (Cite, Citation) pairs.

    Anything else (None, or "" for a missing variable) prints nothing.
    """
    if isinstance(cites, Cite):
        return footnotes_html([cites])
    if isinstance(cites, list):
        return footnotes_html(c[0] if isinstance(c, tuple) else c for c in cites)
    return ""


@register.filter
def safe_url(value: str) -> str:
    """The URL if it is http, https or mailto, else "" (templates then print no link)."""
    return _safe_url(value)
