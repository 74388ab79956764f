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


def study_detail(key: str) -> StudyPage:
    """A published study, its editors' checks with the paper's own records, and the claims
    resting on it (≤ 12 queries).

    A check shows here when it is about this study record, about a claim resting on it, or
    is the check this record (the paper's own account) comes from.
    """
    study = get_object_or_404(
        published_studies().select_related("per_check__study", "reviewed_by"), key=key
    )
    row = StudyRow(study, GradeTable(grading.CEBM_SCALE).level(study))
    claims = [CitedClaim(claim) for claim in published_claims().filter(study=study)]
    checks: list[Item] = [
        CheckItem(check)
        for check in PrimarySourceCheck.objects.filter(
            Q(study=study) | Q(claim__study=study) | Q(paper_records=study),
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
        Section(
            "checks",
            "Editors' checks of this study",
            "includes/sections/_checks.html",
            checks,
            empty="The editors have not checked this study against its paper.",
        ),
        Section(
            "claims",
            "Statements resting on this study",
            CLAIMS_TEMPLATE,
            claims,
            empty="No published statement rests on this study.",
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
