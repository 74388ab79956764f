"""Query-bounded reads for the condition pages; each docstring says how many queries it makes."""

from collections import OrderedDict

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.html import strip_tags

from evidence.models import (
    Citation,
    Claim,
    ClaimKind,
    Conflict,
    ReviewStatus,
    Route,
    Study,
)
from evidence.selectors import Page, attach_levels, cebm_grades, published_claims

from .models import Condition, PlainSection, PlainStatement
from .plain_language import certainty_sentence, reading_grade

CITATIONS = Prefetch("citations", Citation.objects.select_related("source", "reported_by"))


def home():
    """Published conditions with their verdict grade and scale (1 query)."""
    return list(Condition.objects.published().select_related("verdict_grade__scale"))


def _condition(slug):
    return get_object_or_404(
        Condition.objects.published().select_related("verdict_grade__scale"), slug=slug
    )


def _page_claims(condition):
    """Published claims the condition's pages may show: its own and the general ones."""
    return (
        Claim.objects.published()
        .filter(Q(conditions=condition) | Q(conditions__isnull=True))
        .values("pk")
    )


def _certainties(condition):
    # 3 queries: certainties with their grade, their ratings, their studies.
    return list(
        condition.certainties.select_related("certainty__scale").prefetch_related(
            "ratings", Prefetch("studies", Study.objects.published().select_related("source"))
        )
    )


def _by_route(claims):
    groups = OrderedDict((label, []) for label in [*Route.labels, "Route not stated"])
    for claim in claims:
        groups[claim.get_route_display() or "Route not stated"].append(claim)
    return [(label, items) for label, items in groups.items() if items]


def _by(claims, key):
    groups = OrderedDict()
    for claim in claims:
        groups.setdefault(key(claim), []).append(claim)
    return list(groups.items())


def clinician_page(slug):
    """Everything on the clinician view of a condition, in page order (at most 16 queries).

    The count does not grow with content: claims, citations, checks, studies, certainties,
    recommendations and conflicts are each one query (or one prefetch).
    """
    condition = _condition(slug)
    claims = list(published_claims().filter(pk__in=_page_claims(condition)))

    def of_kind(*kinds):
        return [claim for claim in claims if claim.kind in kinds]

    studies = attach_levels(
        list(condition.studies.published().select_related("source", "intervention", "reported_by")),
        cebm_grades(),
    )
    certainties = _certainties(condition)
    recommendations = list(
        condition.recommendations.filter(claim__status=ReviewStatus.APPROVED)
        .select_related("strength__scale", "quality__scale", "graded_by", "claim")
        .prefetch_related(Prefetch("claim__citations", CITATIONS.queryset))
    )
    claim_ids = [claim.pk for claim in claims]
    conflicts = list(
        Conflict.objects.filter(Q(claim_a__in=claim_ids) | Q(claim_b__in=claim_ids))
        .filter(claim_a__status=ReviewStatus.APPROVED, claim_b__status=ReviewStatus.APPROVED)
        .select_related("claim_a", "claim_b")
        .prefetch_related(
            Prefetch("claim_a__citations", CITATIONS.queryset),
            Prefetch("claim_b__citations", CITATIONS.queryset),
        )
    )
    checks = [check for claim in claims for check in claim.primary_source_checks.all()]

    # Number citations in the order the template shows them.
    page = Page([condition.clinician_summary])
    conclusions = page.cite_claims(of_kind(ClaimKind.CONCLUSION))
    summary = page.markdown(condition.clinician_summary)
    for certainty in certainties:
        certainty.cites = [page.cite_source(study.source) for study in certainty.studies.all()]
    for study in studies:
        study.cite = page.cite_source(study.source)
    findings = _by(
        of_kind(ClaimKind.EFFICACY, ClaimKind.EXPERT_OPINION),
        lambda c: c.get_outcome_display() or "Expert opinion",
    )
    dosing = _by_route(of_kind(ClaimKind.DOSING))
    safety = _by_route(of_kind(ClaimKind.SAFETY))
    mechanisms = _by(of_kind(ClaimKind.MECHANISM), lambda c: c.mechanism)
    for _, group in [*findings, *dosing, *safety, *mechanisms]:
        page.cite_claims(group)
    for recommendation in recommendations:
        page.cite_claim(recommendation.claim)
    guideline = page.cite_claims(of_kind(ClaimKind.GUIDELINE))
    candidates = page.cite_claims(of_kind(ClaimKind.PATIENT_SELECTION))
    limitations = page.cite_claims(of_kind(ClaimKind.LIMITATION))
    availability = page.cite_claims(of_kind(ClaimKind.AVAILABILITY))
    future = page.cite_claims(of_kind(ClaimKind.FUTURE))
    for conflict in conflicts:
        page.cite_claim(conflict.claim_a)
        page.cite_claim(conflict.claim_b)
    for check in checks:
        check.cite = page.cite_source(check.source)

    return {
        "condition": condition,
        "conclusions": conclusions,
        "summary": summary,
        "certainties": certainties,
        "studies": studies,
        "findings": findings,
        "dosing": dosing,
        "safety": safety,
        "mechanisms": mechanisms,
        "recommendations": recommendations,
        "guideline": guideline,
        "candidates": candidates,
        "limitations": limitations,
        "availability": availability,
        "future": future,
        "conflicts": conflicts,
        "checks": checks,
        "references": page.references(),
    }


def patient_page(slug):
    """Everything on the patient view of a condition, in page order (at most 7 queries)."""
    condition = _condition(slug)
    statements = list(
        PlainStatement.objects.filter(condition=condition, claim__in=_page_claims(condition))
        .select_related("claim")
        .prefetch_related(Prefetch("claim__citations", CITATIONS.queryset))
    )
    certainties = _certainties(condition)

    page = Page([condition.patient_summary])
    summary = page.markdown(condition.patient_summary)
    sections = []
    for value, label in PlainSection.choices:
        items = [s for s in statements if s.section == value]
        for statement in items:
            page.cite_claim(statement.claim)
        sections.append((value, label, items))
    for certainty in certainties:
        certainty.sentence = certainty_sentence(certainty)
        certainty.cites = [page.cite_source(study.source) for study in certainty.studies.all()]
    texts = [strip_tags(summary)] + [s.text for s in statements]
    texts += [c.sentence for c in certainties]
    return {
        "condition": condition,
        "summary": summary,
        "reading_grade": reading_grade(texts),
        "sections": sections,
        "certainties": certainties,
        "references": page.references(),
    }
