"""Query-bounded reads for the evidence pages; each docstring says how many queries it makes.

Only the `published()` querysets decide what readers see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
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
    CitedClaim,
    Page,
    Prose,
    Section,
    StudyRow,
    build_page,
)


def published_claims() -> QuerySet[Claim]:
    """Published claims with everything a page shows of them (3 queries when evaluated)."""
    return (
        Claim.objects.published()
        .select_related("study__source", "intervention", "mechanism", "reviewed_by")
        .prefetch_related(
            Prefetch("citations", Citation.objects.select_related("source", "reported_by")),
            Prefetch("primary_source_checks", PrimarySourceCheck.objects.select_related("source")),
        )
    )


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
    """Published studies with what their rows print (1 query)."""
    return Study.objects.published().select_related("source", "intervention", "reported_by")


@dataclass
class StudyPage:
    study: StudyRow
    page: Page


def study_detail(key: str) -> StudyPage:
    """A published study with the claims resting on it (≤ 6 queries)."""
    study = get_object_or_404(published_studies().select_related("reviewed_by"), key=key)
    row = StudyRow(study, GradeTable(grading.CEBM_SCALE).level(study))
    claims = [CitedClaim(claim) for claim in published_claims().filter(study=study)]
    sections = [
        Section("study", "Study", "includes/sections/_study_facts.html", [row]),
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


def source_detail(key: str) -> dict[str, Any]:
    """A published Source, the claims citing it, its studies, listings and checks (5 queries)."""
    source = get_object_or_404(Source.objects.published(), key=key)
    # A citation of an approved claim makes that claim published (see Claim.published()).
    citations = list(
        Citation.objects.filter(approved("claim__"), source=source)
        .select_related("claim", "reported_by")
        .order_by("claim__kind", "claim__key")
    )
    return {
        "source": source,
        "citations": citations,
        "studies": list(source.studies.published()),
        "as_printed": list(source.listed_by.select_related("seed")),
        "checks": list(
            source.checks.filter(claim__in=Claim.objects.published()).select_related("claim")
        ),
    }


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
    """A published mechanism, its summary rendered, and the claims about it (≤ 6 queries)."""
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
    scales = list(GradingScale.objects.prefetch_related("grades"))
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
