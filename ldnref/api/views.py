"""Read-only endpoints under /api/v1/. Each summary says how many SQL queries it makes,
counting the content-version lookup of ldnref.api.http (tests/test_query_budget.py).

Views are thin: querysets come from the `published()` managers and the page selectors, and
serializers only read what those loaded. GET, HEAD and OPTIONS only; any other method is a
405 with a JSON body, whoever asks.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from conditions import selectors as pages
from conditions.models import Condition
from evidence import grading
from evidence.models import (
    Claim,
    GradingScale,
    Intervention,
    Mechanism,
    Source,
    Study,
    StudyAccount,
    approved,
)
from evidence.selectors import GradeTable, mechanism_detail, published_claims, published_studies
from ldnref.middleware import CONTENT_SECURITY_POLICY

from . import fhir, serializers
from .filters import ClaimFilter, SourceFilter, StudyFilter, allowed_parameters
from .params import Ordering
from .renderers import CITATION_RENDERERS, FhirJsonRenderer


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our static files; its page may run our own scripts and nothing else."""

    template_name = "api/docs.html"
    url_name = "api:schema"

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # The site's policy, plus our own scripts, the schema they fetch and the icons
        # Swagger UI's stylesheet inlines as data: URLs.
        policy = CONTENT_SECURITY_POLICY.replace("img-src 'self'", "img-src 'self' data:")
        response.headers["Content-Security-Policy"] = (
            f"{policy}; script-src 'self'; connect-src 'self'"
        )
        return response


def lazy_grades(*scales: str) -> GradeTable:
    """The grades, loaded (1 query) when a serializer first reads one: the schema reads none."""
    return SimpleLazyObject(lambda: GradeTable(*scales))  # type: ignore[return-value]


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Strict parameters, JSON errors whatever format was asked for."""

    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends = [DjangoFilterBackend, SearchFilter, Ordering]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return  # refused with 405 whatever the parameters
        unknown = sorted(set(request.query_params) - allowed_parameters(self))
        if unknown:
            raise ValidationError({name: ["Unknown parameter."] for name in unknown})
        # PostgreSQL cannot hold a NUL character in a query; no key or text contains one.
        nul = sorted(k for k, v in request.query_params.lists() if any("\x00" in x for x in v))
        if nul:
            raise ValidationError({name: ["No NUL characters, please."] for name in nul})
        # django-filter reads "kind=" as no filter at all; a client meant something.
        empty = sorted(k for k, v in request.query_params.items() if v == "" and k != "search")
        if empty:
            raise ValidationError({name: ["Give a value or leave it out."] for name in empty})

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise ValidationError({"format": [f"Unknown format; use one of {formats}."]}) from None

    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().options(request, *args, **kwargs)
        self._answer_in_json()  # the description of an export is JSON too
        return response

    def _answer_in_json(self) -> None:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        self._answer_in_json()  # an error in a RIS or FHIR request is still a JSON error body
        return response


# ---------------------------------------------------------------- conditions


@extend_schema_view(
    list=extend_schema(
        summary="Published conditions with their verdicts and best evidence (7 queries)"
    ),
)
class ConditionViewSet(ReadOnlyViewSet):
    """Conditions: the list shows verdicts; the detail is the whole clinician page as data."""

    lookup_field = "slug"
    serializer_class = serializers.ConditionSerializer
    search_fields = ["name", "synonyms"]
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Condition]:
        # The list serializer loads the listed conditions' evidence (conditions.derive).
        return Condition.objects.published().select_related("verdict_override")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.action == "list":
            context["grades"] = lazy_grades(grading.SORT_SCALE, grading.CEBM_SCALE)
        return context

    @extend_schema(
        summary="The clinician page of a condition as data (26 queries)",
        description="The page's sections in page order, each with its typed items (verdict, "
        "certainty rows, studies, claims with citations and quotes, guideline comparisons, "
        "conflicts, editors' checks), and the page's numbered references.",
        responses={200: serializers.ConditionDetailSerializer},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = pages.clinician_page(kwargs["slug"])
        context = self.get_serializer_context()
        return Response(serializers.ConditionDetailSerializer(page, context=context).data)

    @extend_schema(
        summary="The condition's reference list as RIS, BibTeX or CSL-JSON (26 queries)",
        description="Every work the clinician page cites, in page order. Choose the format "
        "with `?format=ris|bibtex|csl-json` or the Accept header.",
        responses={(200, r.media_type): OpenApiTypes.STR for r in CITATION_RENDERERS},
    )
    @action(detail=True, url_path="references", renderer_classes=CITATION_RENDERERS)
    def references(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = pages.clinician_page(kwargs["slug"])
        sources = [reference.source for reference in page.page.references]
        self.filename = f"{page.condition.slug}-references"
        return Response(sources)

    @extend_schema(
        summary="FHIR R5 evidence Bundle for a condition (26 queries)",
        description="A `Bundle` (type collection) following the HL7 EBM-on-FHIR guide: one "
        "`Evidence` per outcome and route with its GRADE certainty and rating steps, a "
        "`Citation` per cited work, each study's sample size. See the README's mapping table.",
        responses={(200, FhirJsonRenderer.media_type): OpenApiTypes.OBJECT},
    )
    @action(detail=True, url_path="fhir", renderer_classes=[FhirJsonRenderer])
    def fhir(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = pages.clinician_page(kwargs["slug"])
        return Response(fhir.condition_bundle(page, request))

    def get_renderer_context(self) -> dict[str, Any]:
        context = super().get_renderer_context()
        context["filename"] = getattr(self, "filename", "references")
        return context


# ---------------------------------------------------------------- evidence


@extend_schema_view(
    list=extend_schema(summary="Published studies with the articles' accounts (7 queries)"),
    retrieve=extend_schema(summary="One published study (6 queries)"),
)
class StudyViewSet(ReadOnlyViewSet):
    lookup_field = "key"
    serializer_class = serializers.StudySerializer
    filterset_class = StudyFilter
    search_fields = ["label", "population", "result"]
    ordering_fields = ["label", "key", "n", "design"]
    ordering = ["label"]

    def get_queryset(self) -> QuerySet[Study]:
        conditions = Condition.objects.published().only("pk", "slug")
        accounts = StudyAccount.objects.select_related("reported_by")
        return published_studies().prefetch_related(
            Prefetch("conditions", conditions), Prefetch("accounts", accounts)
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "grades": lazy_grades(grading.CEBM_SCALE)}


@extend_schema_view(
    list=extend_schema(summary="Published claims with citations, quotes and checks (7 queries)"),
    retrieve=extend_schema(summary="One published claim (6 queries)"),
)
class ClaimViewSet(ReadOnlyViewSet):
    lookup_field = "key"
    serializer_class = serializers.ClaimResourceSerializer
    filterset_class = ClaimFilter
    search_fields = ["statement", "key"]
    ordering_fields = ["key", "kind", "outcome", "route"]
    ordering = ["kind", "key"]

    def get_queryset(self) -> QuerySet[Claim]:
        conditions = Condition.objects.published().only("pk", "slug")
        return published_claims().prefetch_related(Prefetch("conditions", conditions))


@extend_schema_view(
    list=extend_schema(summary="Published sources: the seeds and every work they cite (3 queries)"),
    retrieve=extend_schema(summary="One published source (2 queries)"),
)
class SourceViewSet(ReadOnlyViewSet):
    lookup_field = "key"
    serializer_class = serializers.SourceSerializer
    filterset_class = SourceFilter
    search_fields = ["title", "authors", "container", "key"]
    ordering_fields = ["key", "year", "title"]
    ordering = ["key"]

    def get_queryset(self) -> QuerySet[Source]:
        return Source.objects.published()

    @extend_schema(
        summary="One source as RIS, BibTeX or CSL-JSON (2 queries)",
        description="Choose with `?format=ris|bibtex|csl-json` or the Accept header.",
        responses={(200, r.media_type): OpenApiTypes.STR for r in CITATION_RENDERERS},
    )
    @action(detail=True, url_path="export", renderer_classes=CITATION_RENDERERS)
    def export(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        source = self.get_object()
        self.filename = source.key
        return Response([source])

    def get_renderer_context(self) -> dict[str, Any]:
        context = super().get_renderer_context()
        context["filename"] = getattr(self, "filename", "source")
        return context


@extend_schema_view(
    list=extend_schema(summary="Published mechanisms (3 queries)"),
    retrieve=extend_schema(
        summary="The mechanism page as data (8 queries)",
        responses={200: serializers.MechanismDetailSerializer},
    ),
)
class MechanismViewSet(ReadOnlyViewSet):
    lookup_field = "slug"
    serializer_class = serializers.MechanismSerializer
    search_fields = ["name", "summary"]
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Mechanism]:
        return Mechanism.objects.published().select_related("reported_by")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = mechanism_detail(kwargs["slug"])
        context = self.get_serializer_context()
        return Response(serializers.MechanismDetailSerializer(page, context=context).data)


@extend_schema_view(
    list=extend_schema(summary="Interventions of published studies and claims (3 queries)"),
    retrieve=extend_schema(summary="One intervention (2 queries)"),
)
class InterventionViewSet(ReadOnlyViewSet):
    lookup_field = "key"
    serializer_class = serializers.InterventionSerializer
    search_fields = ["name", "formulation"]
    ordering_fields = ["name", "key", "route"]
    ordering = ["route", "name"]

    def get_queryset(self) -> QuerySet[Intervention]:
        # Approved, and used by something published.
        studied = Study.objects.filter(approved(), intervention=OuterRef("pk"))
        claimed = Claim.objects.published().filter(intervention=OuterRef("pk"))
        return (
            Intervention.objects.published()
            .filter(Exists(studied) | Exists(claimed))
            .select_related("reported_by")
        )


@extend_schema_view(
    list=extend_schema(summary="Grading scales with their ordered levels (4 queries)"),
    retrieve=extend_schema(summary="One grading scale (3 queries)"),
)
class GradingScaleViewSet(ReadOnlyViewSet):
    lookup_field = "slug"
    serializer_class = serializers.GradingScaleSerializer
    search_fields = ["name", "purpose"]
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[GradingScale]:
        return GradingScale.objects.published().prefetch_related("grades")
