"""How a quote is compared with a seed's text: pure functions, no database.

evidence.quotes checks every stored quote with them; evidence.validation checks one quote
when it is saved.
"""

import re

FRAGMENT_SEPARATOR = " \u2026 "  # " … " joins fragments of the same seed
TYPOGRAPHY = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "}
)


def normalise(text: str) -> str:
    """The text with curly quotes straightened and every whitespace run turned into a space."""
    return re.sub(r"\s+", " ", text.translate(TYPOGRAPHY)).strip()


def fragments(quote: str) -> list[str]:
    """The non-empty, normalised fragments of a quote whose fragments are joined by " … "."""
    parts = normalise(quote).split(FRAGMENT_SEPARATOR)
    return [part.strip() for part in parts if part.strip()]


def shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def missing_fragment(quote: str, text: str) -> tuple[str, str] | None:
    """(what, fragment) for the first part of a quote not in the seed's text, else None."""
    parts = fragments(quote)
    if not parts:
        return "quote (empty)", ""
    for number, part in enumerate(parts, start=1):
        if part not in text:
            return (f"fragment {number} of {len(parts)}" if len(parts) > 1 else "quote"), part
    return None
