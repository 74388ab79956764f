"""Pages as ordered lists of typed sections, numbered in one pass.

A page selector builds a list of `Section`s in reading order and hands it to `build_page()`,
which numbers every citation in list order and renders the page's Markdown. Templates loop
over the sections and print what the items hold; they never decide an order. Nothing is
attached to model instances: the items below are what pages and the API read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from django.utils.safestring import SafeString

from .choices import CheckVerdict
from .models import Citation, Claim, Grade, PrimarySourceCheck, SeedReference, Source, Study
from .rendering import CitationNumbering, Cite, Reference, citation_keys, render_markdown

# Section templates more than one page uses.
CLAIMS_TEMPLATE = "includes/sections/_claims.html"
PROSE_TEMPLATE = "includes/sections/_prose.html"
GROUPS_TEMPLATE = "includes/sections/_groups.html"


class PageNumbering:
    """One page's citation numbers and claim anchors, handed out in reading order."""

    def __init__(self, sources_by_key: dict[str, Source]) -> None:
        self.citations = CitationNumbering()
        self.sources_by_key = sources_by_key
        self._anchored: set[str] = set()
        self._badged: set[str] = set()
        self._claim_url = ""

    def once(self, found: list[CheckBadge]) -> list[CheckBadge]:
        """The badges with each check in full only where the page first shows it; later
        places keep a one-line flag that links to it (`repeat`)."""
        shown = []
        for badge in found:
            if badge.key in self._badged:
                badge = replace(badge, repeat=True)
            self._badged.add(badge.key)
            shown.append(badge)
        return shown

    def cite(self, source: Source) -> Cite:
        return self.citations.cite(source)

    def markdown(self, text: str) -> SafeString:
        return render_markdown(text, self.citations, self.sources_by_key)

    def claim_url(self, claim: Claim) -> str:
        """claim.get_absolute_url(), resolving the route once per page, not once per claim."""
        if not self._claim_url:
            sample = Claim(key="k").get_absolute_url()
            self._claim_url = sample[: -len("k/")] + "{}/"
        return self._claim_url.format(claim.key)

    def claim_anchor(self, claim: Claim) -> str:
        """The claim's permanent id where it first appears on the page; "" after that."""
        if claim.key in self._anchored:
            return ""
        self._anchored.add(claim.key)
        return claim.anchor


class Item(Protocol):
    def number(self, page: PageNumbering) -> None: ...


@dataclass
class Prose:
    """Editors' Markdown, rendered with the page's numbering where it appears."""

    markdown: str
    html: SafeString = SafeString("")

    def number(self, page: PageNumbering) -> None:
        self.html = page.markdown(self.markdown)


PLAIN_CHECK_LABELS = {
    CheckVerdict.DIFFERS: "Our editors read the original study, and it says something different.",
    CheckVerdict.OMITS_CONTEXT: (
        "Our editors read the original study: the article leaves out some details."
    ),
    CheckVerdict.AGREES: "Our editors read the original study, and it matches.",
}
CHECK_LABELS = {
    CheckVerdict.AGREES: "agrees with the paper",
    CheckVerdict.OMITS_CONTEXT: "leaves out context",
    CheckVerdict.DIFFERS: "differs from the paper",
}


@dataclass
class CheckBadge:
    """An editors' check beside what it checked: its verdict, one-line finding and address.

    `url` leads to the full check (its `check-<key>` anchor on the claim or study page).
    """

    key: str
    verdict: str
    label: str  # "differs from the paper", read after "Editors' check:"
    headline: str
    url: str
    repeat: bool = False  # shown in full earlier on the page: a one-line flag here

    @property
    def differs(self) -> bool:
        return self.verdict == CheckVerdict.DIFFERS

    @property
    def plain_label(self) -> str:
        """The verdict in plain words, for the patient page."""
        return PLAIN_CHECK_LABELS[CheckVerdict(self.verdict)]

    @classmethod
    def of(cls, check: PrimarySourceCheck, page_url: str) -> CheckBadge:
        return cls(
            check.key,
            check.verdict,
            CHECK_LABELS[CheckVerdict(check.verdict)],
            check.headline,
            f"{page_url}#{check.anchor}",
        )


def badges(checks: Iterable[PrimarySourceCheck], page_url: str) -> list[CheckBadge]:
    """Badges for `checks`, those that found the statement wrong first."""
    found = [CheckBadge.of(check, page_url) for check in checks]
    return sorted(found, key=lambda badge: (not badge.differs, badge.key))


@dataclass
class CitedClaim:
    """A claim with its citations numbered, each paired with the quote that supports it,
    and a badge for each editors' check of it (the claim's checks must be prefetched)."""

    claim: Claim
    cites: list[tuple[Cite, Citation]] = field(default_factory=list)
    anchor: str = ""
    url: str = ""
    checks: list[CheckBadge] = field(default_factory=list)

    def number(self, page: PageNumbering) -> None:
        cites = [(page.cite(c.source), c) for c in self.claim.citations.all()]
        self.cites = sorted(cites, key=lambda pair: pair[0].number)
        self.anchor = page.claim_anchor(self.claim)
        self.url = page.claim_url(self.claim)
        self.checks = page.once(badges(self.claim.primary_source_checks.all(), self.url))


@dataclass
class StudyRow:
    """A study with its derived level of evidence, the citation of its own paper and a badge
    for each editors' check of it (the study's checks must be prefetched)."""

    study: Study
    level: Grade | None
    cite: Cite | None = None
    indirect_reason: str = ""  # set where a page uses the study for a group it did not enroll
    checks: list[CheckBadge] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.checks = badges(self.study.primary_source_checks.all(), self.study.get_absolute_url())

    def number(self, page: PageNumbering) -> None:
        self.cite = page.cite(self.study.source)
        self.checks = page.once(self.checks)


@dataclass
class CheckItem:
    """An editors' primary-source check, citing the paper it was checked against."""

    check: PrimarySourceCheck
    cite: Cite | None = None

    def number(self, page: PageNumbering) -> None:
        self.cite = page.cite(self.check.source)


@dataclass
class Group:
    """A titled run of items inside a section, e.g. the claims about one route."""

    title: str
    items: Sequence[Item]
    url: str = ""

    def number(self, page: PageNumbering) -> None:
        for item in self.items:
            item.number(page)


@dataclass
class Section:
    """One titled part of a page. Its items print first, then its subsections."""

    id: str
    title: str
    template: str
    items: Sequence[Item] = ()
    empty: str = ""  # printed when there are no items; "" hides an empty subsection
    note: str = ""
    subsections: Sequence[Section] = ()
    level: int = 2
    folded: bool = False  # secondary: its content folds in <details> under its heading

    def number(self, page: PageNumbering) -> None:
        for item in self.items:
            item.number(page)
        for subsection in self.subsections:
            subsection.number(page)

    @property
    def item_level(self) -> int:
        """The heading level for groups inside this section."""
        return self.level + 1


@dataclass
class Page:
    sections: list[Section]
    references: list[Reference]


def _prose(sections: Sequence[Section]) -> Iterator[Prose]:
    for section in sections:
        for item in section.items:
            if isinstance(item, Prose):
                yield item
        yield from _prose(section.subsections)


def build_page(sections: list[Section]) -> Page:
    """Number every citation in section order and list the references (at most 2 queries)."""
    keys = {key for prose in _prose(sections) for key in citation_keys(prose.markdown)}
    page = PageNumbering(Source.objects.by_keys(keys))
    for section in sections:
        section.number(page)
    return Page(sections, with_seed_listings(page.citations.references))


def with_seed_listings(references: list[Reference]) -> list[Reference]:
    """Fill in how each seed article printed every reference (1 query, none if no references)."""
    if not references:
        return references
    printed: dict[int, list[SeedReference]] = defaultdict(list)
    sources = [reference.source for reference in references]
    for entry in SeedReference.objects.filter(source__in=sources).select_related("seed"):
        printed[entry.source_id].append(entry)
    for reference in references:
        reference.as_printed = printed[reference.source.pk]
    return references
