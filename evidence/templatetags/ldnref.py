"""Template filters: thin wrappers around evidence.rendering."""

from django import template
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

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


@register.simple_tag(takes_context=True)
def edit_in_admin(context: template.Context, obj: Model | None) -> str:
    """An "Edit in admin" link to `obj`'s change form, for signed-in staff only.

    Safe with the page cache: a signed-in request is never served from it nor stored in it
    (ldnref.pagecache), so the link never reaches an anonymous reader's copy.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None or not user.is_authenticated or not user.is_staff:
        return ""
    meta = obj._meta
    try:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""
    return format_html('<p class="edit-in-admin"><a href="{}">Edit in admin</a></p>', url)
