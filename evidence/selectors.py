"""Query-bounded reads for the evidence pages; each docstring says how many queries it makes."""

from collections import defaultdict

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from . import grading
from .models import (
    Citation,
    Claim,
    Grade,
    GradingScale,
    Mechanism,
    PrimarySourceCheck,
    SeedReference,
    Source,
    Study,
)
from .rendering import CitationNumbering, citation_keys, render_markdown


def published_claims():
    """Published claims with everything a page shows of them (3 queries when evaluated)."""
    return (
        Claim.objects.published()
        .select_related("study__source", "intervention", "mechanism")
        .prefetch_related(
            Prefetch("citations", Citation.objects.select_related("source", "reported_by")),
            Prefetch("primary_source_checks", PrimarySourceCheck.objects.select_related("source")),
        )
    )


class Page:
    """One page's citation numbering, plus the Markdown and claims it has rendered so far.

    Call `cite_claim`, `cite_source` and `markdown` in the order things appear on the page,
    so that references are numbered in order of first use.
    """

    def __init__(self, markdown_texts=()):
        self.numbering = CitationNumbering()
        keys = {key for text in markdown_texts for key in citation_keys(text)}
        # One query for every Source the page's prose cites.
        self.sources_by_key = (
            {s.key: s for s in Source.objects.filter(key__in=keys)} if keys else {}
        )

    def cite_claim(self, claim):
        """Attach `claim.cites`: (Cite, Citation) pairs for each of its citations."""
        cites = [(self.numbering.cite(c.source), c) for c in claim.citations.all()]
        claim.cites = sorted(cites, key=lambda pair: pair[0].number)
        return claim

    def cite_claims(self, claims):
        return [self.cite_claim(claim) for claim in claims]

    def cite_source(self, source):
        return self.numbering.cite(source)

    def markdown(self, text):
        return render_markdown(text, self.numbering, self.sources_by_key)

    def references(self):
        """The numbered references with how each seed article printed them (1 query)."""
        references = self.numbering.references
        printed = defaultdict(list)
        sources = [reference.source for reference in references]
        for entry in SeedReference.objects.filter(source__in=sources).select_related("seed"):
            printed[entry.source_id].append(entry)
        for reference in references:
            reference.as_printed = printed[reference.source.pk]
        return references


def cebm_grades():
    """Oxford CEBM levels by code (1 query)."""
    return {
        grade.code: grade
        for grade in Grade.objects.filter(scale__slug=grading.CEBM_SCALE).select_related("scale")
    }


def attach_levels(studies, levels):
    for study in studies:
        study.level = levels.get(study.level_code)
    return studies


def study_list():
    """Published studies with their source, regimen and conditions (3 queries)."""
    # conditions/ builds on evidence/, so reach the Condition model through the relation.
    conditions = Study._meta.get_field("conditions").related_model.objects.published()
    studies = list(
        Study.objects.published()
        .select_related("source", "intervention", "reported_by")
        .prefetch_related(Prefetch("conditions", conditions))
    )
    return attach_levels(studies, cebm_grades())


def study_detail(pk):
    """A published study with the claims resting on it (6 queries)."""
    study = get_object_or_404(
        Study.objects.published().select_related("source", "intervention", "reported_by"), pk=pk
    )
    attach_levels([study], cebm_grades())
    page = Page()
    study.cite = page.cite_source(study.source)
    claims = page.cite_claims(published_claims().filter(study=study))
    return {"study": study, "claims": claims, "references": page.references()}


def source_detail(key):
    """A Source, the claims citing it, its studies, seed listings and checks (5 queries)."""
    source = get_object_or_404(Source, key=key)
    citations = list(
        Citation.objects.filter(source=source, claim__in=Claim.objects.published())
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


def mechanism_list():
    """Every mechanism (1 query)."""
    return list(Mechanism.objects.select_related("reported_by"))


def mechanism_detail(slug):
    """A mechanism, its summary rendered, and the claims about it (6 queries)."""
    mechanism = get_object_or_404(Mechanism.objects.select_related("reported_by"), slug=slug)
    page = Page([mechanism.summary])
    summary = page.markdown(mechanism.summary)
    claims = page.cite_claims(published_claims().filter(mechanism=mechanism))
    return {
        "mechanism": mechanism,
        "summary": summary,
        "claims": claims,
        "references": page.references(),
    }


def methods():
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
