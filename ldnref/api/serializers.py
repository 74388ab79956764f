"""Resources of the read-only API: explicit fields, keys and slugs as identifiers, absolute URLs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from conditions import derive
from evidence import grading

from .items import (
    AbsoluteUrlField,
    ApiUrlField,
    BestEvidenceSerializer,
    CheckSerializer,
    ClaimSerializer,
    GradeSerializer,
    ReferenceSerializer,
    ReviewSerializer,
    SectionSerializer,
)


def _reverse(context: dict[str, Any], name: str, *args: str) -> str:
    return reverse(name, args=args, request=context["request"])


class ConditionReviewSerializer(ReviewSerializer):
    reviewed_by = serializers.SerializerMethodField(help_text="The editor who approved it last.")

    def get_reviewed_by(self, condition: Any) -> str | None:
        user = condition.reviewed_by
        return (user.get_full_name() or user.get_username()) if user else None


class ConditionListSerializer(serializers.ListSerializer):
    """Loads the listed conditions' evidence once (derive.load_evidence: 3 queries)."""

    def to_representation(self, data: Any) -> Any:
        conditions = list(data.all() if hasattr(data, "all") else data)
        self.context["evidence"] = derive.load_evidence(conditions)
        return super().to_representation(conditions)


class ConditionSerializer(serializers.Serializer):
    """A published condition with the verdict, grade and best evidence the home page shows
    (each derived by conditions.derive, as on every page)."""

    class Meta:
        list_serializer_class = ConditionListSerializer

    slug = serializers.SlugField()
    url = ApiUrlField("api:condition-detail", source="slug")
    html_url = AbsoluteUrlField(source="get_absolute_url")
    patient_html_url = serializers.SerializerMethodField()
    name = serializers.CharField()
    synonyms = serializers.SerializerMethodField()
    verdict = serializers.CharField(help_text="The editors' recommendation in words.")
    verdict_grade = serializers.SerializerMethodField(help_text="SORT grade; null: insufficient.")
    best_evidence = serializers.SerializerMethodField(
        help_text="The strongest evidence on record and the routes it tested; null: none."
    )

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_patient_html_url(self, condition: Any) -> str:
        return self.context["request"].build_absolute_uri(f"{condition.get_absolute_url()}patient/")

    def get_synonyms(self, condition: Any) -> list[str]:
        return [name.strip() for name in condition.synonyms.split(",") if name.strip()]

    @extend_schema_field(GradeSerializer(allow_null=True))
    def _evidence(self, condition: Any) -> derive.ConditionEvidence:
        found = self.context.get("evidence") or {}
        if condition.pk not in found:  # serialized alone, not through the list
            found = self.context["evidence"] = {**found, **derive.load_evidence([condition])}
        return found[condition.pk]

    @extend_schema_field(GradeSerializer(allow_null=True))
    def get_verdict_grade(self, condition: Any) -> Any:
        ruling = derive.verdict(condition, self._evidence(condition))
        grade = self.context["grades"].get(grading.SORT_SCALE, ruling.code)
        return GradeSerializer(grade).data if grade else None

    @extend_schema_field(BestEvidenceSerializer(allow_null=True))
    def get_best_evidence(self, condition: Any) -> Any:
        best = derive.best_evidence(self._evidence(condition), self.context["grades"])
        return BestEvidenceSerializer(best).data if best else None


class ConditionDetailSerializer(serializers.Serializer):
    """The clinician page as data: its sections in page order and its numbered references."""

    slug = serializers.SlugField(source="condition.slug")
    url = ApiUrlField("api:condition-detail", source="condition.slug")
    html_url = AbsoluteUrlField(source="condition.get_absolute_url")
    patient_html_url = serializers.SerializerMethodField()
    fhir_url = ApiUrlField("api:condition-fhir", source="condition.slug")
    references_url = ApiUrlField("api:condition-references", source="condition.slug")
    name = serializers.CharField(source="condition.name")
    synonyms = serializers.CharField(source="condition.synonyms")
    review = ConditionReviewSerializer(source="condition")
    sections = SectionSerializer(many=True, source="page.sections")
    references = ReferenceSerializer(many=True, source="page.references")

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_patient_html_url(self, page: Any) -> str:
        path = f"{page.condition.get_absolute_url()}patient/"
        return self.context["request"].build_absolute_uri(path)


class InterventionRefSerializer(serializers.Serializer):
    key = serializers.CharField()
    url = ApiUrlField("api:intervention-detail", source="key")
    name = serializers.CharField()


class StudyAccountSerializer(serializers.Serializer):
    """What one seed article said about the study: the article's account, not the record's."""

    reported_by = serializers.CharField(source="reported_by.key", help_text="The seed's key.")
    quote = serializers.CharField(help_text="The seed's verbatim words.")
    design = serializers.CharField(help_text='The design as the article describes it; "": none.')
    population = serializers.CharField()
    n = serializers.IntegerField(allow_null=True, help_text="As the article reports it.")
    result = serializers.CharField(help_text="The result as the article reports it.")


class StudySerializer(serializers.Serializer):
    """One record per study, as the paper reports it where the editors checked it (else as
    the one seed that reports it), with the level of evidence its design gives and each other
    article's account of it."""

    key = serializers.CharField()
    url = ApiUrlField("api:study-detail", source="key")
    html_url = AbsoluteUrlField(source="get_absolute_url")
    label = serializers.CharField()
    design = serializers.CharField()
    design_label = serializers.CharField(source="get_design_display")
    level = serializers.SerializerMethodField(help_text="Oxford CEBM 2011 level; null: opinion.")
    n = serializers.IntegerField(allow_null=True, help_text="Participants; null: not reported.")
    population = serializers.CharField()
    result = serializers.CharField()
    intervention = InterventionRefSerializer(allow_null=True)
    source = serializers.CharField(source="source.key", help_text="Key of the study's own paper.")
    source_url = ApiUrlField("api:source-detail", source="source.key")
    reported_by = serializers.CharField(
        source="reported_by.key",
        allow_null=True,
        help_text="Key of the seed article it comes from; null: the paper's own record.",
    )
    per_check = serializers.CharField(
        source="per_check.key",
        allow_null=True,
        help_text="For the paper's own record: key of the editors' check that read the paper.",
    )
    quote = serializers.CharField(help_text="The seed's verbatim words; empty for the paper's.")
    accounts = StudyAccountSerializer(
        many=True, source="accounts.all", help_text="What each article said about this study."
    )
    conditions = serializers.SerializerMethodField(help_text="Slugs of its published conditions.")
    review = ReviewSerializer(source="*")

    def get_conditions(self, study: Any) -> list[str]:
        return [condition.slug for condition in study.conditions.all()]

    @extend_schema_field(GradeSerializer(allow_null=True))
    def get_level(self, study: Any) -> Any:
        grade = self.context["grades"].level(study)
        return GradeSerializer(grade).data if grade else None


class ClaimResourceSerializer(ClaimSerializer):
    study = serializers.SerializerMethodField(help_text="Key of the study it rests on, if any.")
    checks = CheckSerializer(many=True, source="primary_source_checks.all")
    intervention = serializers.CharField(source="intervention.key", allow_null=True, default=None)
    mechanism = serializers.CharField(source="mechanism.slug", allow_null=True, default=None)
    conditions = serializers.SerializerMethodField(
        help_text="Slugs of its conditions; empty: a general claim every condition page shows."
    )

    def get_study(self, claim: Any) -> str | None:
        return claim.study.key if claim.study_id else None

    def get_conditions(self, claim: Any) -> list[str]:
        return [condition.slug for condition in claim.conditions.all()]


class SourceSerializer(serializers.Serializer):
    """A cited work; DOI and PMID only where the editors confirmed them."""

    key = serializers.CharField()
    url = ApiUrlField("api:source-detail", source="key")
    html_url = AbsoluteUrlField(source="get_absolute_url")
    kind = serializers.CharField()
    authors = serializers.CharField(help_text="Vancouver style, as the seeds print them.")
    title = serializers.CharField()
    container = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    volume = serializers.CharField()
    issue = serializers.CharField()
    pages = serializers.CharField()
    doi = serializers.CharField()
    pmid = serializers.CharField()
    link = serializers.CharField(source="url", help_text="The work's own web address, if any.")
    reliability = serializers.CharField()
    is_seed = serializers.BooleanField(help_text="One of the two seed articles.")
    verified = serializers.BooleanField(source="is_verified")
    exports = serializers.SerializerMethodField(help_text="RIS, BibTeX and CSL-JSON addresses.")

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
    )
    def get_exports(self, source: Any) -> dict[str, str]:
        url = _reverse(self.context, "api:source-export", source.key)
        return {fmt: f"{url}?format={fmt}" for fmt in ("ris", "bibtex", "csl-json")}


class MechanismSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    url = ApiUrlField("api:mechanism-detail", source="slug")
    html_url = AbsoluteUrlField(source="get_absolute_url")
    name = serializers.CharField()
    summary = serializers.CharField(help_text="Markdown with [@key] citations.")
    reported_by = serializers.CharField(source="reported_by.key")
    quote = serializers.CharField()
    review = ReviewSerializer(source="*")


class MechanismDetailSerializer(serializers.Serializer):
    """The mechanism page as data."""

    slug = serializers.SlugField(source="mechanism.slug")
    url = ApiUrlField("api:mechanism-detail", source="mechanism.slug")
    html_url = AbsoluteUrlField(source="mechanism.get_absolute_url")
    name = serializers.CharField(source="mechanism.name")
    reported_by = serializers.CharField(source="mechanism.reported_by.key")
    quote = serializers.CharField(source="mechanism.quote")
    review = ReviewSerializer(source="mechanism")
    sections = SectionSerializer(many=True, source="page.sections")
    references = ReferenceSerializer(many=True, source="page.references")


class InterventionSerializer(serializers.Serializer):
    key = serializers.CharField()
    url = ApiUrlField("api:intervention-detail", source="key")
    name = serializers.CharField()
    drug = serializers.CharField()
    route = serializers.CharField(help_text='topical or oral; "" when not reported.')
    formulation = serializers.CharField()
    strength = serializers.CharField()
    frequency = serializers.CharField()
    reported_by = serializers.CharField(source="reported_by.key")
    quote = serializers.CharField()


class GradingScaleSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    url = ApiUrlField("api:grading-scale-detail", source="slug")
    name = serializers.CharField()
    purpose = serializers.CharField()
    publisher = serializers.CharField(source="source")
    source_url = serializers.URLField()
    levels = serializers.SerializerMethodField(help_text="Strongest first.")

    @extend_schema_field(GradeSerializer(many=True))
    def get_levels(self, scale: Any) -> Any:
        return GradeSerializer(scale.grades.all(), many=True).data
