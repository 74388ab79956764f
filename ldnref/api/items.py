"""Page sections as data: one small serializer per item type the page selectors build.

The API never rebuilds a page. It serializes the `Section`s that `conditions.selectors` and
`evidence.selectors` hand to the templates: each section generically (id, title, empty text,
note, items, subsections) and each item by the serializer registered for its dataclass. A new
item type needs one new serializer here, registered with `@item(ItemClass, "name")`; an item
with no serializer raises `UnserializableItem` instead of vanishing from the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from conditions.selectors import (
    CertaintyRow,
    ConflictItem,
    PlainItem,
    RecommendationRow,
    VerdictItem,
)
from evidence.pages import CheckItem, CitedClaim, Group, Prose, Section, StudyRow

REGISTRY: dict[type, tuple[str, type[serializers.Serializer]]] = {}


class UnserializableItem(TypeError):
    """A page item type with no API serializer: register one in ldnref/api/items.py."""


def item(cls: type, name: str) -> Callable[[type[serializers.Serializer]], Any]:
    """Register the decorated serializer for page items of dataclass `cls`, typed `name`."""

    def register(serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
        if cls in REGISTRY:
            raise ValueError(f"{cls.__name__} already has an API serializer")
        REGISTRY[cls] = (name, serializer)
        return serializer

    return register


def serialize_item(value: Any, context: dict[str, Any]) -> dict[str, Any]:
    try:
        name, serializer = REGISTRY[type(value)]
    except KeyError:
        raise UnserializableItem(
            f"No API serializer for page item {type(value).__qualname__}; "
            "register one in ldnref/api/items.py"
        ) from None
    return {"type": name, **serializer(value, context=context).data}


class ItemField(serializers.Field):
    """Any registered page item, as {"type": name, ...its fields}."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        return serialize_item(value, self.context)


def absolute(request: Any, path: str) -> str | None:
    return request.build_absolute_uri(path) if path else None


class AbsoluteUrlField(serializers.Field):
    """A site path (e.g. from get_absolute_url()) as an absolute URL; null when there is none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str | None:
        return absolute(self.context["request"], value)


extend_schema_field({"type": "string", "format": "uri", "nullable": True})(AbsoluteUrlField)


class ApiUrlField(serializers.Field):
    """The API address of a related object, by the view name and the object's key."""

    def __init__(self, view_name: str, **kwargs: Any) -> None:
        self.view_name = view_name
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str | None:
        if not value:
            return None
        return reverse(self.view_name, args=[value], request=self.context["request"])


extend_schema_field({"type": "string", "format": "uri", "nullable": True})(ApiUrlField)


# ---------------------------------------------------------------- shared parts


class GradeSerializer(serializers.Serializer):
    """A level of a grading scale: the scale's code, label and own definition."""

    scale = serializers.CharField(source="scale.slug", help_text="The grading scale's slug.")
    code = serializers.CharField(help_text="Stable code on that scale, e.g. B or very-low.")
    label = serializers.CharField(help_text="How the grade is printed.")
    rank = serializers.IntegerField(help_text="1 is the scale's strongest level.")
    definition = serializers.CharField(help_text="The scale's own wording for this level.")


class RulingSerializer(serializers.Serializer):
    """A derived grade: the rule that gave it, and the editors' override if they departed."""

    grade = GradeSerializer(allow_null=True, help_text="The grade shown; null: no grade.")
    rule = serializers.CharField(
        source="ruling.rule", help_text="The rule applied (see /methods/)."
    )
    rule_grade = GradeSerializer(allow_null=True, help_text="The grade the rule gives.")
    departs_from_rule = serializers.BooleanField(
        source="ruling.departs", help_text="True when the editors chose another grade."
    )
    override_reason = serializers.CharField(
        source="ruling.override_reason", help_text="Why the editors depart from the rule."
    )


class ReviewSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="Always approved: only approved content is public.")
    last_reviewed = serializers.DateField(allow_null=True)


class SourceRefSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The source's citation key.")
    title = serializers.CharField()
    url = ApiUrlField("api:source-detail", source="key")
    html_url = AbsoluteUrlField(source="get_absolute_url")


class CitationSerializer(serializers.Serializer):
    """Where a claim comes from: the work cited and the seed article's verbatim words."""

    number = serializers.IntegerField(
        allow_null=True, help_text="The reference number on the page; null outside a page."
    )
    source = SourceRefSerializer(source="citation.source")
    reported_by = serializers.CharField(
        source="citation.reported_by.key", help_text="Key of the seed article that reported it."
    )
    quote = serializers.CharField(source="citation.quote", help_text="The seed's verbatim words.")


class CheckSerializer(serializers.Serializer):
    """An editors' check of a seed's statement against the cited paper itself."""

    key = serializers.CharField()
    claim = serializers.CharField(source="claim.key", help_text="Key of the claim checked.")
    source = SourceRefSerializer(help_text="The paper checked against.")
    verdict = serializers.CharField(help_text="agrees, omits-context or differs.")
    verdict_label = serializers.CharField(source="get_verdict_display")
    finding = serializers.CharField(help_text="What the primary source says, editors' words.")
    checked_against = serializers.CharField(help_text="The page(s) the paper was checked on.")
    checked_by = serializers.CharField()


class Numbered:
    """A citation with its page number (or none), for CitationSerializer."""

    def __init__(self, citation: Any, number: int | None = None) -> None:
        self.citation = citation
        self.number = number


class ClaimSerializer(serializers.Serializer):
    """A statement in ldnref's words with its citations and the seeds' verbatim quotes.

    Reads only the claim's row and its (prefetched) citations, as every page loads them; the
    claims endpoint adds the study, the editors' checks and the conditions.
    """

    key = serializers.CharField()
    url = ApiUrlField("api:claim-detail", source="key")
    html_url = AbsoluteUrlField(source="get_absolute_url")
    kind = serializers.CharField()
    statement = serializers.CharField()
    outcome = serializers.CharField(help_text='Outcome code; "" when the claim names none.')
    route = serializers.CharField(help_text='topical or oral; "" when not stated.')
    review = ReviewSerializer(source="*")
    citations = serializers.SerializerMethodField()

    @extend_schema_field(CitationSerializer(many=True))
    def get_citations(self, claim: Any) -> list[Any]:
        numbers = self.context.get("numbers", {})
        cited = [Numbered(c, numbers.get(c.pk)) for c in claim.citations.all()]
        return CitationSerializer(cited, many=True, context=self.context).data


# ---------------------------------------------------------------- page items


@item(Prose, "prose")
class ProseSerializer(serializers.Serializer):
    """Editors' Markdown and the sanitized HTML the page prints (the pages' own pipeline)."""

    markdown = serializers.CharField()
    html = serializers.CharField(help_text="Sanitized HTML; citation links point into the page.")


@item(CitedClaim, "claim")
class CitedClaimSerializer(serializers.Serializer):
    claim = serializers.SerializerMethodField()
    anchor = serializers.CharField(help_text='The page anchor, "" where the claim repeats.')

    @extend_schema_field(ClaimSerializer)
    def get_claim(self, cited: CitedClaim) -> Any:
        numbers = {citation.pk: cite.number for cite, citation in cited.cites}
        return ClaimSerializer(cited.claim, context={**self.context, "numbers": numbers}).data


@item(StudyRow, "study")
class StudyRowSerializer(serializers.Serializer):
    key = serializers.CharField(source="study.key")
    url = ApiUrlField("api:study-detail", source="study.key")
    label = serializers.CharField(source="study.label")
    design = serializers.CharField(source="study.design")
    level = GradeSerializer(allow_null=True, help_text="Oxford CEBM 2011 level from the design.")
    n = serializers.IntegerField(source="study.n", allow_null=True)
    number = serializers.IntegerField(source="cite.number", allow_null=True)


@item(CheckItem, "check")
class CheckItemSerializer(serializers.Serializer):
    check = CheckSerializer()
    number = serializers.IntegerField(source="cite.number", allow_null=True)


@item(Group, "group")
class GroupSerializer(serializers.Serializer):
    title = serializers.CharField()
    html_url = AbsoluteUrlField(source="url")
    items = serializers.ListField(child=ItemField())


@item(VerdictItem, "verdict")
class VerdictSerializer(RulingSerializer):
    scale = serializers.CharField(default="sort", read_only=True)
    verdict = serializers.CharField(source="condition.verdict", help_text="Editors' wording.")
    rationale = serializers.CharField(source="condition.verdict_rationale")


class RatingSerializer(serializers.Serializer):
    domain = serializers.CharField(help_text="GRADE domain code, e.g. imprecision.")
    domain_label = serializers.CharField(source="get_domain_display")
    level_change = serializers.IntegerField(help_text="-1/-2 rate down, +1/+2 rate up.")
    reason = serializers.CharField()


@item(CertaintyRow, "certainty")
class CertaintySerializer(RulingSerializer):
    outcome = serializers.CharField(source="certainty.outcome")
    outcome_label = serializers.CharField(source="certainty.get_outcome_display")
    route = serializers.CharField(source="certainty.route")
    rationale = serializers.CharField(source="certainty.rationale")
    ratings = RatingSerializer(many=True, source="certainty.ratings.all")
    studies = serializers.SerializerMethodField(help_text="Keys of the body of evidence.")
    sentence = serializers.CharField(help_text="The patient page's wording; empty elsewhere.")

    def get_studies(self, row: CertaintyRow) -> list[str]:
        return [study.key for study in row.studies]


@item(RecommendationRow, "recommendation")
class RecommendationSerializer(serializers.Serializer):
    treatment = serializers.CharField(source="recommendation.treatment")
    line_of_therapy = serializers.CharField(source="recommendation.line_of_therapy")
    setting = serializers.CharField(source="recommendation.setting")
    strength = GradeSerializer(source="recommendation.strength", allow_null=True)
    quality = GradeSerializer(source="recommendation.quality", allow_null=True)
    graded_by = serializers.CharField(
        source="recommendation.graded_by.key", allow_null=True, default=None
    )
    claim = CitedClaimSerializer()


@item(ConflictItem, "conflict")
class ConflictSerializer(serializers.Serializer):
    key = serializers.CharField(source="conflict.key")
    title = serializers.CharField(source="conflict.title")
    editors_note = serializers.CharField(source="conflict.editors_note")
    claims = CitedClaimSerializer(many=True)


@item(PlainItem, "plain")
class PlainSerializer(serializers.Serializer):
    text = serializers.CharField(source="statement.text")
    claim = CitedClaimSerializer()


# Every registered type, for the OpenAPI schema; a later registration is not described.
ITEM_SCHEMA = PolymorphicProxySerializer(
    component_name="PageItem",
    serializers={name: serializer for name, serializer in REGISTRY.values()},
    resource_type_field_name="type",
)
extend_schema_field(ITEM_SCHEMA)(ItemField)


class SectionSerializer(serializers.Serializer):
    """One titled part of a page, in page order: its items, then its subsections."""

    id = serializers.CharField(help_text="The section's anchor on the page.")
    title = serializers.CharField()
    empty = serializers.CharField(help_text="What the page prints when there are no items.")
    note = serializers.CharField()
    items = serializers.ListField(child=ItemField())
    subsections = serializers.SerializerMethodField()

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/Section"}})
    def get_subsections(self, section: Section) -> Any:
        return SectionSerializer(section.subsections, many=True, context=self.context).data


class AsPrintedSerializer(serializers.Serializer):
    seed = serializers.CharField(source="seed.key", help_text="Key of the seed article.")
    number = serializers.IntegerField(allow_null=True, help_text="The seed's own number.")
    text = serializers.CharField(source="as_printed", help_text="The entry verbatim.")


class ReferenceSerializer(serializers.Serializer):
    """A numbered entry of a page's reference list, with how each seed printed it."""

    number = serializers.IntegerField()
    source = SourceRefSerializer()
    authors = serializers.CharField(source="source.authors")
    title = serializers.CharField(source="source.title")
    year = serializers.IntegerField(source="source.year", allow_null=True)
    doi = serializers.CharField(source="source.doi")
    pmid = serializers.CharField(source="source.pmid")
    as_printed = AsPrintedSerializer(many=True)
