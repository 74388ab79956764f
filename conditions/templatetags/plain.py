"""Template filters for the patient page: thin wrappers around conditions.plain_language."""

from django import template
from django.utils.safestring import SafeString

from conditions.plain_language import gloss

register = template.Library()


@register.filter
def glossed(text: str) -> SafeString:
    """The text escaped, each glossary word linked to its explanation on the page."""
    return gloss(str(text))
