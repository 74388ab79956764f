"""Query-bounded reads for the evidence pages; each docstring says how many queries it makes.

Only the `published()` querysets decide what readers see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from . import grading
from .models import (
    Citation,
    Claim,
    Grade,
    GradingScale,
    Mechanism,
    PrimarySourceCheck,
    Source,
    Study,
    StudyAccount,
    approved,
)
from .pages import (
    CLAIMS_TEMPLATE,
    PROSE_TEMPLATE,
    CheckBadge,
    CheckItem,
    CitedClaim,
    Item,
    Page,
    PageNumbering,
    Prose,
    Section,
    StudyRow,
    badges,
    build_page,
)


def published_claims() -> QuerySet[Claim]:
    """Published claims with everything a page shows of them, their editors' checks and the
    paper's own records from each check (4 queries when evaluated)."""
    return (
        Claim.objects.published()
        .select_related("study__source", "intervention", "mechanism", "reviewed_by")
        .prefetch_related(
            Prefetch("citations", Citation.objects.select_related("source", "reported_by")),
            Prefetch(
                "primary_source_checks",
                PrimarySourceCheck.objects.select_related("source").prefetch_related(
                    Prefetch("paper_records", Study.objects.published())
                ),
            ),
        )
    )


CHECKS_FOR_BADGES = PrimarySourceCheck.objects.only("key", "verdict", "headline", "claim", "study")


def study_checks() -> Prefetch:
    """A study's editors' checks, for the badges beside it (1 query when evaluated)."""
    return Prefetch("primary_source_checks", CHECKS_FOR_BADGES)


class GradeTable:
    """Grade rows by scale and code, loaded once per page (1 query)."""

    def __init__(self, *scales: str) -> None:
        grades = Grade.objects.filter(scale__slug__in=scales).select_related("scale")
        self._by_code = {(grade.scale.slug, grade.code): grade for grade in grades}

    def get(self, scale: str, code: str | None) -> Grade | None:
        return self._by_code.get((scale, code)) if code else None

    def for_ruling(self, scale: str, ruling: grading.Ruling) -> tuple[Grade | None, Grade | None]:
        """The grade a page shows for `ruling`, and the grade its rule gives."""
        return self.get(scale, ruling.code), self.get(scale, ruling.rule_code)

    def level(self, study: Study) -> Grade | None:
        """The study's Oxford CEBM level, derived from its design."""
        return self.get(grading.CEBM_SCALE, grading.cebm_level_code(study.design))


def published_studies() -> QuerySet[Study]:
    """Published studies with what their rows print and their checks (2 queries)."""
    return (
        Study.objects.published()
        .select_related("source", "intervention", "reported_by", "per_check")
        .prefetch_related(study_checks())
    )


@dataclass
class StudyPage:
    study: StudyRow
    page: Page


@dataclass
class AccountItem:
    """What one article said about the study, as that article's, with the editors' checks of
    the statements that rest on that account beside it."""

    account: StudyAccount
    checks: list[CheckBadge]

    def number(self, page: PageNumbering) -> None:
        pass


@dataclass
class RestingItem:
    """Something the site derives from this study: a condition's verdict or an outcome's
    certainty (no query of its own; the conditions app's rows are read through relations)."""

    kind: str  # "verdict", "indirect verdict", "certainty"
    title: str
    url: str

    def number(self, page: PageNumbering) -> None:
        pass


def _resting(study: Study) -> list[Item]:
    """The published conditions whose verdict, and the outcomes whose certainty, rest on the
    study (3 queries, through the reverse relations the conditions app declares)."""
    items: list[Item] = []
    relations = getattr(study, "conditions"), getattr(study, "indirect_for")  # noqa: B009
    for kind, relation in zip(("verdict", "indirect verdict"), relations, strict=True):
        for condition in relation.filter(approved()).order_by("name"):
            items.append(RestingItem(kind, condition.name, condition.get_absolute_url()))
    certainties = getattr(study, "certainties")  # noqa: B009
    for certainty in certainties.select_related("condition").order_by("condition__name"):
        condition = certainty.condition
        if condition.is_published:
            title = (
                f"{condition.name}: {certainty.get_outcome_display().lower()}, "
                f"{certainty.get_route_display().lower()}"
            )
            items.append(RestingItem("certainty", title, condition.get_absolute_url()))
    return items


def resting_on(study: Study) -> Q:
    """The claims that rest on a study record: those that name it, and those that cite its
    paper without naming a record, as the source page lists the paper's citations. Where one
    paper has several records (Bigliardi 2007: an open pilot and a trial) such a claim rests
    on each, with the editors' check beside it saying which study a figure came from (a
    claim cannot name a paper's own record: that record comes from a check of the claim)."""
    return Q(study=study) | Q(study__isnull=True, citations__source=study.source_id)


def study_detail(key: str) -> StudyPage:
    """A published study, each article's account of it with the editors' checks beside it,
    its checks with the paper's own records, and what rests on it (≤ 17 queries).

    A check shows here when it is about this study record, about a claim resting on it or on
    an article's account of it, or is the check this record (the paper's own account) comes
    from. What rests on it: the claims resting_on() it, the conditions' verdicts and the
    outcomes' certainties.
    """
    study = get_object_or_404(
        published_studies().select_related("per_check__study", "reviewed_by"), key=key
    )
    row = StudyRow(study, GradeTable(grading.CEBM_SCALE).level(study))
    accounts = list(study.accounts.select_related("reported_by"))
    claims = list(published_claims().filter(resting_on(study)).distinct())
    # The checks of what each article said citing this paper, whichever record a claim rests on.
    told = list(
        published_claims()
        .filter(
            citations__source=study.source_id,
            citations__reported_by__in=[account.reported_by_id for account in accounts],
        )
        .distinct()
        if accounts
        else []
    )
    account_items: list[Item] = [
        AccountItem(
            account,
            badges(
                [
                    check
                    for claim in told
                    if any(
                        c.reported_by_id == account.reported_by_id for c in claim.citations.all()
                    )
                    for check in claim.primary_source_checks.all()
                ],
                study.get_absolute_url(),
            ),
        )
        for account in accounts
    ]
    checks: list[Item] = [
        CheckItem(check)
        for check in PrimarySourceCheck.objects.filter(
            Q(study=study)
            | Q(claim__in=[claim.pk for claim in [*claims, *told]])
            | Q(paper_records=study),
            claim__in=Claim.objects.published(),
        )
        .distinct()
        .select_related("source", "claim")
        .prefetch_related(
            Prefetch("claim__citations", Citation.objects.select_related("source", "reported_by")),
            Prefetch("paper_records", Study.objects.published()),
        )
    ]
    sections = [
        Section("study", "Study", "includes/sections/_study_facts.html", [row]),
        *[
            Section(
                "accounts",
                "What the articles said about it",
                "includes/sections/_accounts.html",
                account_items,
                note="Each article's own account, in its words, with the editors' check of the "
                "paper beside it. The record above is the paper as the editors checked it.",
            )
        ][: len(account_items)],
        Section(
            "checks",
            "Editors' checks of this study",
            "includes/sections/_checks.html",
            checks,
            empty="The editors have not checked this study against its paper.",
        ),
        Section(
            "resting",
            "What rests on this study",
            "includes/sections/_resting.html",
            _resting(study),
            empty="No condition's verdict and no graded outcome rests on this study.",
            subsections=[
                Section(
                    "claims",
                    "Statements resting on this study",
                    CLAIMS_TEMPLATE,
                    [CitedClaim(claim) for claim in claims],
                    empty="No published statement rests on this study.",
                    level=3,
                )
            ],
        ),
    ]
    return StudyPage(row, build_page(sections))


def study_pk_to_key(pk: int) -> str:
    """The key of the published study that used to live at /studies/<pk>/ (1 query)."""
    return get_object_or_404(Study.objects.published().only("key"), pk=pk).key


@dataclass
class CitingRow:
    """A statement citing a source, with the badges of the editors' checks of it."""

    citation: Citation
    checks: list[CheckBadge]


def source_detail(key: str) -> dict[str, Any]:
    """A published Source, the claims citing it, its studies, listings and checks (7 queries)."""
    source = get_object_or_404(Source.objects.published(), key=key)
    # A citation of an approved claim makes that claim published (see Claim.published()).
    citations = (
        Citation.objects.filter(approved("claim__"), source=source)
        .select_related("claim", "reported_by")
        .prefetch_related(Prefetch("claim__primary_source_checks", CHECKS_FOR_BADGES))
        .order_by("claim__kind", "claim__key")
    )
    studies = source.studies.published().prefetch_related(study_checks())
    return {
        "source": source,
        "citations": [
            CitingRow(c, badges(c.claim.primary_source_checks.all(), c.claim.get_absolute_url()))
            for c in citations
        ],
        "studies": [
            (study, badges(study.primary_source_checks.all(), study.get_absolute_url()))
            for study in studies
        ],
        "as_printed": list(source.listed_by.select_related("seed")),
        "checks": list(
            source.checks.filter(claim__in=Claim.objects.published()).select_related("claim")
        ),
    }


def source_list() -> list[Source]:
    """Every published source, seeds first, then by first author and year (1 query)."""
    sources = Source.objects.published().only(
        "key", "kind", "authors", "title", "container", "year", "seed_file"
    )
    return sorted(sources, key=lambda s: (not s.seed_file, s.authors.casefold(), s.year or 0))


def published_source(key: str) -> Source:
    """A Source readers may see (1 query)."""
    return get_object_or_404(Source.objects.published(), key=key)


def mechanism_list() -> list[Mechanism]:
    """Every published mechanism (1 query)."""
    return list(Mechanism.objects.published().select_related("reported_by"))


@dataclass
class MechanismPage:
    mechanism: Mechanism
    page: Page


def mechanism_detail(slug: str) -> MechanismPage:
    """A published mechanism, its summary rendered, and the claims about it (≤ 7 queries)."""
    mechanism = get_object_or_404(
        Mechanism.objects.published().select_related("reported_by", "reviewed_by"), slug=slug
    )
    claims = [CitedClaim(claim) for claim in published_claims().filter(mechanism=mechanism)]
    sections = [
        Section("summary", "Summary", PROSE_TEMPLATE, [Prose(mechanism.summary)]),
        Section(
            "claims",
            "What the articles say",
            CLAIMS_TEMPLATE,
            claims,
            empty="No published statement describes this mechanism.",
        ),
    ]
    return MechanismPage(mechanism, build_page(sections))


def methods() -> dict[str, Any]:
    """Every grading scale with its levels, and the design-to-level mapping (2 queries)."""
    scales = list(GradingScale.objects.published().prefetch_related("grades"))
    levels = {
        grade.code: grade
        for scale in scales
        for grade in scale.grades.all()
        if scale.slug == grading.CEBM_SCALE
    }
    mapping = [
        (design.label, levels.get(code) if code else None)
        for design, code in grading.CEBM_LEVEL_BY_DESIGN.items()
    ]
    return {
        "scales": scales,
        "design_levels": mapping,
        "sort_rule": grading.SORT_RULE,
        "sort_rule_text": grading.SORT_RULE_TEXT,
        "grade_rule": grading.GRADE_RULE,
        "grade_rule_text": grading.GRADE_RULE_TEXT,
    }
