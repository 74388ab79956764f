"""Checks every text field a page renders when it is saved, with words an editor can act on.

`CheckedText` is an abstract model mixin (no fields, so no migration): `full_clean()`, which
admin forms and inline forms call, runs these checks in `clean_fields()`, and `save()`
normalizes line endings to "\\n". A model lists its Markdown fields in `markdown_fields`
(rendered by evidence.rendering) and its verbatim quotes in `quote_fields` ({field: the
foreign key to the seed the quote is credited to}); every other text field is printed as
plain text. The checks:

- Markdown: what the sanitizer would remove (raw HTML, a link whose scheme is not http,
  https or mailto, comments), with the line. Unknown [@key]s are refused by the models'
  `clean()` (validate_citation_fields), as before.
- Plain text: no [@key] (it would print as typed), no HTML tags (printed as typed), no
  address with a scheme other than http, https or mailto.
- URL fields: only http and https (pages link nothing else).
- Quotes: verbatim in the seed's text file in `settings.SEEDS_DIR`, else the nearest passage
  is named. A seed whose text file is not there is not checked here (check_content says so).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .quote_text import missing_fragment, normalise
from .rendering import CITATION_PATTERN, Removal, markdown_removals

HTML_TAG = re.compile(r"<!--|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
CITATION = re.compile(CITATION_PATTERN)
# Schemes that are never a reader's link, and any "scheme://" address.
BAD_SCHEME = re.compile(
    r"(?i)(?<![\w.+-])((?:javascript|vbscript|data|file|blob|about|jar)\s*:[^\s<>\"']+"
    r"|(?!https?:)[a-z][a-z0-9+.-]*://[^\s<>\"']*)"
)
WEB_SCHEMES = ("http://", "https://")
NEWLINES = re.compile(r"\r\n?")


def normalize_newlines(text: str) -> str:
    """`text` with Windows ("\\r\\n") and old Mac ("\\r") line endings turned into "\\n"."""
    return NEWLINES.sub("\n", text)


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, max(position, 0)) + 1


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# ---------------------------------------------------------------- Markdown fields


def _place(text: str, removal: Removal, start: int) -> int:
    """Where in the Markdown `text` a removal was typed (best guess), from `start` on."""
    needles = {
        "link": [removal.value],
        "tag": [f"<{removal.tag}", *(["!["] if removal.tag == "img" else [])],  # ![…](…)
        "comment": ["<!--"],
    }.get(removal.kind, [])
    if removal.near:
        needles.append(removal.near)
    lowered = text.lower()
    for needle in needles:
        found = lowered.find(needle.lower(), start)
        if found < 0:
            found = lowered.find(needle.lower())
        if found >= 0:
            return found
    return -1


def markdown_problems(text: str) -> list[str]:
    """What the sanitizer would remove from Markdown `text`, each with its line."""
    problems = []
    start = 0
    for removal in markdown_removals(text):
        found = _place(text, removal, start)
        where = f"Line {_line(text, found)}: " if found >= 0 else ""
        start = max(found, start)
        if removal.kind == "link":
            problems.append(
                f"{where}the page would drop {removal}: only http, https and mailto links "
                "(and #anchors on the page) are kept."
            )
        elif removal.kind == "tag":
            problems.append(
                f"{where}the page would drop {removal}: pages show no such HTML (its text, if "
                "any, stays)."
            )
        else:
            problems.append(f"{where}the page would drop {removal}; the rest is kept.")
    return problems


# ---------------------------------------------------------------- plain-text fields


def plain_text_problems(text: str) -> list[str]:
    """Why plain `text` would not print as the editor meant: citations, HTML, odd links."""
    problems = []
    for match in CITATION.finditer(text):
        problems.append(
            f"Cite through the citations, not with {match.group(0)} here: this field is "
            f"printed as plain text, so it would show as typed (line {_line(text, match.start())})."
        )
    for match in HTML_TAG.finditer(text):
        problems.append(
            f"Line {_line(text, match.start())}: {_shorten(match.group(0))} is HTML: this field "
            "is printed as plain text, so it would show as typed. Remove it."
        )
    for match in BAD_SCHEME.finditer(text):
        problems.append(
            f"Line {_line(text, match.start())}: the address {_shorten(_address(match.group(0)))} "
            "is not a web address: only http, https and mailto addresses are allowed."
        )
    return problems


def _address(found: str) -> str:
    """An address as typed in prose, without the punctuation or bracket that closes around it."""
    found = found.rstrip(".,;:")
    while found.endswith(")") and found.count(")") > found.count("("):
        found = found[:-1].rstrip(".,;:")
    return found


def url_problem(value: str) -> str | None:
    """Why a stored URL would not be linked on the pages (only http and https are), or None."""
    if value and not value.strip().lower().startswith(WEB_SCHEMES):
        return f"Only http and https addresses are linked on the site; {_shorten(value)} is not."
    return None


# ---------------------------------------------------------------- quotes


@lru_cache(maxsize=16)
def _seed_text(path: str, modified: float) -> str:
    return normalise(Path(path).read_text(encoding="utf-8"))


def seed_text(seed_file: str) -> str | None:
    """The normalised text of a seed's file in settings.SEEDS_DIR, or None when it is absent."""
    if not seed_file:
        return None
    path = Path(settings.SEEDS_DIR) / seed_file
    if not path.is_file():
        return None
    return _seed_text(str(path), path.stat().st_mtime)


def nearest_passage(fragment: str, text: str) -> str:
    """The passage of `text` most like `fragment`, widened to whole words; "" if none is close.

    Anchored on their longest common run, then spanning the runs they share around it.
    """
    matcher = SequenceMatcher(None, text, fragment, autojunk=False)
    anchor = matcher.find_longest_match(0, len(text), 0, len(fragment))
    if anchor.size == 0:
        return ""
    low = max(0, anchor.a - anchor.b - len(fragment) // 2)
    high = min(len(text), anchor.a + (len(fragment) - anchor.b) + len(fragment) // 2)
    blocks = [
        block
        for block in SequenceMatcher(
            None, text[low:high], fragment, autojunk=False
        ).get_matching_blocks()
        if block.size >= 3
    ]
    if sum(block.size for block in blocks) < len(fragment) / 2:
        return ""  # nothing in the article is close: naming a passage would mislead
    start = low + min(block.a for block in blocks)
    end = low + max(block.a + block.size for block in blocks)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    prefix = "\u2026" if start > 0 else ""
    suffix = "\u2026" if end < len(text) else ""
    return f"{prefix}{text[start:end].strip()}{suffix}"


def quote_problem(quote: str, seed: Any) -> str | None:
    """Why `quote` is not verbatim in `seed` (a seed Source), naming the nearest passage."""
    if not quote.strip() or seed is None:
        return None  # an empty quote is refused by Reported.clean()
    text = seed_text(seed.seed_file)
    if text is None:
        return None
    missing = missing_fragment(quote, text)
    if missing is None:
        return None
    what, fragment = missing
    nearest = nearest_passage(fragment, text)
    message = (
        f"Not verbatim in {seed.key} ({seed.seed_file}): the {what} "
        f"\u201c{_shorten(fragment, 120)}\u201d is not in the article."
    )
    if nearest:
        message += f" Nearest passage: \u201c{_shorten(nearest, 240)}\u201d."
    else:
        message += " No passage of the article comes close."
    return message + " Quote the article word for word (curly quotes and spacing may differ)."


# ---------------------------------------------------------------- the model mixin


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField)
        and not field.choices
        and field.editable
    ]


def text_errors(instance: models.Model, exclude: set[str]) -> dict[str, list[str]]:
    """{field name: problems} for every rendered text field of `instance` not in `exclude`."""
    model = type(instance)
    markdown = getattr(model, "markdown_fields", ())
    errors: dict[str, list[str]] = {}
    for field in _text_fields(model):
        value = getattr(instance, field.attname) or ""
        if field.name in exclude or not value:
            continue
        if isinstance(field, models.URLField):
            problem = url_problem(value)
            problems = [problem] if problem else []
        elif field.name in markdown:
            problems = markdown_problems(value)
        else:
            problems = plain_text_problems(value)
        if problems:
            errors[field.name] = problems
    for field_name, seed_field in getattr(model, "quote_fields", {}).items():
        if field_name in exclude or field_name in errors:
            continue
        seed = getattr(instance, seed_field) if getattr(instance, f"{seed_field}_id") else None
        problem = quote_problem(getattr(instance, field_name) or "", seed)
        if problem:
            errors[field_name] = [problem]
    return errors


def normalize_text_fields(instance: models.Model) -> None:
    """Turn every "\\r\\n" and "\\r" in the text fields of `instance` into "\\n"."""
    for field in _text_fields(type(instance)):
        value = getattr(instance, field.attname)
        if isinstance(value, str) and "\r" in value:
            setattr(instance, field.attname, normalize_newlines(value))


class CheckedText(models.Model):
    """Content whose rendered text is checked by `full_clean()` and saved with "\\n" lines."""

    markdown_fields: tuple[str, ...] = ()
    quote_fields: dict[str, str] = {}

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        normalize_text_fields(self)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude: Any = None) -> None:
        normalize_text_fields(self)
        excluded = set(exclude or ())
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name, problems in text_errors(self, excluded | set(errors)).items():
            errors.setdefault(name, []).extend(
                ValidationError(problem, code="rendered_text") for problem in problems
            )
        if errors:
            raise ValidationError(errors)
