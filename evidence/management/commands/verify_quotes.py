"""Check that every stored quote occurs verbatim in the seed article it is attributed to.

Quotes live on every Reported row (Intervention, Mechanism, Study, Citation) and on every
SeedReference (its `as_printed` entry). Exits non-zero when any quote is not found.
"""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence.models import Citation, Intervention, Mechanism, SeedReference, Study

FRAGMENT_SEPARATOR = " \u2026 "  # " … " joins fragments of the same seed
TYPOGRAPHY = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "}
)


def normalise(text):
    """The text with curly quotes straightened and every whitespace run turned into a space."""
    return re.sub(r"\s+", " ", text.translate(TYPOGRAPHY)).strip()


def fragments(quote):
    """The non-empty, normalised fragments of a quote whose fragments are joined by " … "."""
    parts = normalise(quote).split(FRAGMENT_SEPARATOR)
    return [part.strip() for part in parts if part.strip()]


def stored_quotes():
    """Yield (label, seed Source, quote) for every stored quote, in five queries in all."""
    for model, name_field in ((Intervention, "key"), (Mechanism, "slug"), (Study, "key")):
        rows = model.objects.select_related("reported_by").order_by(name_field)
        if model is Study:  # the paper's own records (from an editors' check) quote no seed
            rows = rows.filter(reported_by__isnull=False)
        for row in rows:
            label = f"{model._meta.verbose_name.capitalize()} {getattr(row, name_field)}"
            yield label, row.reported_by, row.quote
    citations = Citation.objects.select_related("claim", "source", "reported_by")
    for row in citations.order_by("claim__key", "source__key", "reported_by__key"):
        label = (
            f"Citation {row.claim.key} \u2190 {row.source.key} "
            f"(as reported in {row.reported_by.key})"
        )
        yield label, row.reported_by, row.quote
    references = SeedReference.objects.select_related("seed", "source")
    for row in references.order_by("seed__key", "number", "source__key"):
        number = f" [{row.number}]" if row.number else ""
        label = f"SeedReference {row.seed.key}{number} \u2192 {row.source.key}"
        yield label, row.seed, row.as_printed


def shorten(text, limit=80):
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


class Command(BaseCommand):
    help = (
        "Check every stored quote (studies, interventions, mechanisms, citations and seed "
        "reference lists) against the seed article text files in DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", help="Directory holding the seed articles' text files.")

    def handle(self, *args, **options):
        directory = Path(options["dir"])
        if not directory.is_dir():
            raise CommandError(f"Seed directory not found: {directory}")

        seeds = {}  # seed_file -> normalised text, or None when the file is missing
        checked = failed = unchecked = 0
        for label, seed, quote in stored_quotes():
            if not seed.seed_file:
                self.stdout.write(
                    self.style.ERROR(f"{label}: {seed.key} is not a seed article (no seed_file)")
                )
                unchecked += 1
                continue
            if seed.seed_file not in seeds:
                path = directory / seed.seed_file
                if path.is_file():
                    seeds[seed.seed_file] = normalise(path.read_text(encoding="utf-8"))
                else:
                    seeds[seed.seed_file] = None
                    self.stdout.write(
                        self.style.ERROR(f"Seed file missing: {path} (seed {seed.key})")
                    )
            text = seeds[seed.seed_file]
            if text is None:
                unchecked += 1
                continue
            checked += 1
            missing = self.missing_fragment(quote, text)
            if missing:
                failed += 1
                what, fragment = missing
                self.stdout.write(
                    self.style.ERROR(
                        f'{label}: {what} not found in {seed.seed_file}: "{shorten(fragment)}"'
                    )
                )

        summary = (
            f"Checked {checked} quote(s) against {sum(t is not None for t in seeds.values())} "
            f"seed file(s): {checked - failed} found, {failed} not found"
        )
        if unchecked:
            summary += f", {unchecked} could not be checked"
        if failed or unchecked:
            raise CommandError(summary + ".")
        if not checked:
            self.stdout.write(self.style.WARNING("No quotes stored: nothing to check."))
        else:
            self.stdout.write(self.style.SUCCESS(summary + "."))

    def missing_fragment(self, quote, text):
        """(what, fragment) for the first part of a quote not in the seed's text, else None."""
        parts = fragments(quote)
        if not parts:
            return "quote (empty)", ""
        for number, part in enumerate(parts, start=1):
            if part not in text:
                return (f"fragment {number} of {len(parts)}" if len(parts) > 1 else "quote"), part
        return None
