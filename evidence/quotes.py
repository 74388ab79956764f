"""Every stored quote must occur verbatim in the seed article it is attributed to.

Quotes live on every Reported row (Intervention, Mechanism, Study, StudyAccount, Citation) and
on every SeedReference (its `as_printed` entry). `check_quotes()` is shared by `verify_quotes` and
`check_content`.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .models import (
    Citation,
    Intervention,
    Mechanism,
    SeedReference,
    Source,
    Study,
    StudyAccount,
)
from .quote_text import missing_fragment, normalise, shorten


def stored_quotes() -> Iterator[tuple[str, Source, str]]:
    """Yield (label, seed Source, quote) for every stored quote, in six queries in all.

    A study record with no seed is the paper's own account (from an editors' check): it
    quotes no seed, so it has nothing to check here.
    """
    for model, name_field in ((Intervention, "key"), (Mechanism, "slug"), (Study, "key")):
        rows = model.objects.filter(reported_by__isnull=False).select_related("reported_by")
        for row in rows.order_by(name_field):
            assert row.reported_by is not None  # filtered above
            label = f"{str(model._meta.verbose_name).capitalize()} {getattr(row, name_field)}"
            yield label, row.reported_by, row.quote
    accounts = StudyAccount.objects.select_related("study", "reported_by")
    for account in accounts.order_by("study__key", "reported_by__key"):
        yield (
            f"Study account {account.study.key} ({account.reported_by.key})",
            (account.reported_by),
            account.quote,
        )
    citations = Citation.objects.select_related("claim", "source", "reported_by")
    for citation in citations.order_by("claim__key", "source__key", "reported_by__key"):
        label = (
            f"Citation {citation.claim.key} \u2190 {citation.source.key} "
            f"(as reported in {citation.reported_by.key})"
        )
        yield label, citation.reported_by, citation.quote
    references = SeedReference.objects.select_related("seed", "source")
    for reference in references.order_by("seed__key", "number", "source__key"):
        number = f" [{reference.number}]" if reference.number else ""
        label = f"SeedReference {reference.seed.key}{number} \u2192 {reference.source.key}"
        yield label, reference.seed, reference.as_printed


@dataclass
class QuoteReport:
    """What `check_quotes()` found: one line per problem, in the order met, and the counts."""

    problems: list[str] = field(default_factory=list)
    checked: int = 0
    failed: int = 0
    unchecked: int = 0
    seed_files: int = 0

    @property
    def summary(self) -> str:
        text = (
            f"Checked {self.checked} quote(s) against {self.seed_files} seed file(s): "
            f"{self.checked - self.failed} found, {self.failed} not found"
        )
        if self.unchecked:
            text += f", {self.unchecked} could not be checked"
        return text + "."


def check_quotes(directory: Path) -> QuoteReport:
    """Check every stored quote against the seed text files in `directory` (six queries)."""
    report = QuoteReport()
    seeds: dict[str, str | None] = {}  # seed_file -> normalised text, None when missing
    for label, seed, quote in stored_quotes():
        if not seed.seed_file:
            report.problems.append(f"{label}: {seed.key} is not a seed article (no seed_file)")
            report.unchecked += 1
            continue
        if seed.seed_file not in seeds:
            path = directory / seed.seed_file
            if path.is_file():
                seeds[seed.seed_file] = normalise(path.read_text(encoding="utf-8"))
            else:
                seeds[seed.seed_file] = None
                report.problems.append(f"Seed file missing: {path} (seed {seed.key})")
        text = seeds[seed.seed_file]
        if text is None:
            report.unchecked += 1
            continue
        report.checked += 1
        missing = missing_fragment(quote, text)
        if missing:
            report.failed += 1
            what, fragment = missing
            report.problems.append(
                f'{label}: {what} not found in {seed.seed_file}: "{shorten(fragment)}"'
            )
    report.seed_files = sum(text is not None for text in seeds.values())
    return report
