"""django-filter filter sets of the list endpoints. A value outside a list of choices is a 400."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Prefetch, Q, QuerySet

from conditions.models import Condition, OutcomeCertainty
from evidence import grading
from evidence.choices import ClaimKind, Outcome, Route, SourceKind, StudyDesign
from evidence.models import Claim, Source, Study, approved

CEBM_LEVELS = sorted({code for code in grading.CEBM_LEVEL_BY_DESIGN.values() if code})
YES_NO = [("true", "true"), ("false", "false")]


def condition_filter(help_text: str) -> filters.ModelChoiceFilter:
    """A published condition by slug (1 query to check it exists)."""
    return filters.ModelChoiceFilter(
        queryset=Condition.objects.published(),
        to_field_name="slug",
        method="filter_condition",
        help_text=help_text,
    )


class StudyFilter(filters.FilterSet):
    condition = condition_filter("Slug of a condition the study is about.")
    design = filters.ChoiceFilter(choices=StudyDesign.choices, help_text="Study design code.")
    level = filters.ChoiceFilter(
        choices=[(code, code) for code in CEBM_LEVELS],
        method="filter_level",
        help_text="Oxford CEBM 2011 level, derived from the design.",
    )
    route = filters.ChoiceFilter(
        field_name="intervention__route", choices=Route.choices, help_text="Route of LDN."
    )

    class Meta:
        model = Study
        fields = ["condition", "design", "level", "route"]

    def filter_condition(self, queryset: QuerySet, name: str, value: Condition) -> QuerySet:
        return queryset.filter(conditions=value)

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        designs = [d for d, code in grading.CEBM_LEVEL_BY_DESIGN.items() if code == value]
        return queryset.filter(design__in=designs)


def certainty_matches(conditions: list[Condition], code: str) -> Q:
    """Claims whose outcome and route have GRADE certainty `code` in one of `conditions`.

    The certainty is derived as on the pages, by OutcomeCertainty.ruling() over the
    condition's approved studies (3 queries for the certainties, 1 for which approved
    studies each condition has). A claim counts for a condition its page shows it on: its
    own conditions, or every condition for a general claim.
    """
    ids = [condition.pk for condition in conditions]
    certainties = (
        OutcomeCertainty.objects.filter(condition__in=ids)
        .select_related("certainty_override")
        .prefetch_related(
            "ratings", Prefetch("studies", Study.objects.published().only("pk", "design"))
        )
    )
    approved_pairs = set(
        Condition.studies.through.objects.filter(approved("study__"), condition__in=ids)
        .values_list("condition_id", "study_id")
        .iterator()
    )
    match = Q(pk__in=[])
    for certainty in certainties:
        studies = [
            study
            for study in certainty.studies.all()
            if (certainty.condition_id, study.pk) in approved_pairs
        ]
        if certainty.ruling(studies).code == code:
            shown = Q(conditions=certainty.condition_id) | Q(conditions__isnull=True)
            match |= Q(outcome=certainty.outcome, route=certainty.route) & shown
    return match


class ClaimFilter(filters.FilterSet):
    condition = condition_filter(
        "Slug of a condition: the claims its page shows (its own and the general ones)."
    )
    kind = filters.ChoiceFilter(choices=ClaimKind.choices, help_text="Kind of statement.")
    outcome = filters.ChoiceFilter(choices=Outcome.choices, help_text="Outcome it is about.")
    route = filters.ChoiceFilter(choices=Route.choices, help_text="Route of LDN.")
    certainty = filters.ChoiceFilter(
        choices=[(code, code) for code in grading.GRADE_LEVELS],
        method="filter_certainty",
        help_text="GRADE certainty of the claim's outcome and route, in the given condition "
        "or in any condition showing the claim.",
    )

    class Meta:
        model = Claim
        fields = ["condition", "kind", "outcome", "route", "certainty"]

    def filter_condition(self, queryset: QuerySet, name: str, value: Condition) -> QuerySet:
        shown = Q(conditions=value) | Q(conditions__isnull=True)
        return queryset.filter(pk__in=Claim.objects.filter(shown).values("pk"))

    def filter_certainty(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = self.form.cleaned_data.get("condition")
        conditions = [condition] if condition else list(Condition.objects.published())
        match = certainty_matches(conditions, value)
        return queryset.filter(pk__in=Claim.objects.filter(match).values("pk"))


class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField  # "2019", not "2019.5"


class SourceFilter(filters.FilterSet):
    year = IntegerFilter(help_text="Year of publication.")
    kind = filters.ChoiceFilter(choices=SourceKind.choices, help_text="Kind of work.")
    has_doi = filters.ChoiceFilter(
        choices=YES_NO, method="filter_has_doi", help_text="true: only works with a confirmed DOI."
    )

    class Meta:
        model = Source
        fields = ["year", "kind", "has_doi"]

    def filter_has_doi(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        with_doi = ~Q(doi="")
        return queryset.filter(with_doi if value == "true" else ~with_doi)


def allowed_parameters(view: Any) -> set[str]:
    """The query parameters a view reads; any other is a 400."""
    names = {"format"}
    if getattr(view, "action", None) == "list" or getattr(view, "list_parameters", False):
        filterset = getattr(view, "filterset_class", None)
        if filterset is not None:
            names |= set(filterset.base_filters)
        if view.pagination_class is not None:
            names |= {"page", "page_size"}
        if getattr(view, "search_fields", None):
            names.add("search")
        if getattr(view, "ordering_fields", None):
            names.add("ordering")
    return names
