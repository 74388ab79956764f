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
    ChangeItem,
    ConflictItem,
    GeneralLink,
    PlainItem,
    RecommendationRow,
    VerdictItem,
)
from conditions.summary import (
    NOT_REPORTED,
    BottomLine,
    BottomLines,
    SafetyAnswer,
    SafetyRow,
    SofNote,
    SummaryOfFindings,
)
from evidence import grading
from evidence.choices import GradeDomain, Route
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


class CheckBadgeSerializer(serializers.Serializer):
    """An editors' check beside what it checked, as the page's badge shows it."""

    key = serializers.CharField(help_text="The check's key.")
    verdict = serializers.CharField(help_text="agrees, omits-context or differs.")
    label = serializers.CharField(help_text='The badge wording, e.g. "differs from the paper".')
    headline = serializers.CharField(help_text="The check's one-line finding, editors' words.")
    url = AbsoluteUrlField(help_text="The full check on the claim's or study's page.")


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
    checks = CheckBadgeSerializer(many=True, help_text="Editors' checks of the claim.")

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
    indirect_reason = serializers.CharField(
        help_text='Why the study is only indirect evidence here; "" when direct.'
    )
    checks = CheckBadgeSerializer(many=True, help_text="Editors' checks of the study.")


@item(CheckItem, "check")
class CheckItemSerializer(serializers.Serializer):
    check = CheckSerializer()
    number = serializers.IntegerField(source="cite.number", allow_null=True)


@item(Group, "group")
class GroupSerializer(serializers.Serializer):
    title = serializers.CharField()
    html_url = AbsoluteUrlField(source="url")
    items = serializers.ListField(child=ItemField())


class BestEvidenceSerializer(serializers.Serializer):
    design = serializers.CharField(help_text="The strongest study design on record.")
    level = GradeSerializer(allow_null=True, help_text="Its Oxford CEBM level; null: opinion.")
    indirect = serializers.BooleanField(
        help_text="True when only a study of another or narrower group reaches this level."
    )
    routes = serializers.ListField(
        child=serializers.CharField(), source="route_values", help_text="Routes it tested."
    )


@item(VerdictItem, "verdict")
class VerdictSerializer(RulingSerializer):
    scale = serializers.CharField(default="sort", read_only=True)
    best = BestEvidenceSerializer(
        allow_null=True, help_text="The strongest evidence on record, as the home page shows it."
    )
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


@item(GeneralLink, "general-link")
class GeneralLinkSerializer(serializers.Serializer):
    """The pointer to the LDN in general page (fixed site text)."""

    html_url = AbsoluteUrlField(source="url", help_text="The LDN in general page.")
    for_patients = serializers.BooleanField(help_text="True on the patient page.")
    general_only = serializers.ListField(
        child=serializers.CharField(),
        help_text="Titles of sections left out: the articles report them for LDN in general.",
    )


# ---------------------------------------------------------------- bottom line by route


class RouteStudySerializer(serializers.Serializer):
    """A study as evidence for a route, with its level and its paper's reference number."""

    key = serializers.CharField(source="study.key")
    url = ApiUrlField("api:study-detail", source="study.key")
    label = serializers.CharField(source="study.label")
    design = serializers.CharField(source="study.design")
    design_label = serializers.CharField(source="study.get_design_display")
    level = GradeSerializer(allow_null=True, help_text="Oxford CEBM 2011 level from the design.")
    n = serializers.IntegerField(source="study.n", allow_null=True)
    number = serializers.IntegerField(source="cite.number", allow_null=True)
    indirect_reason = serializers.CharField(
        help_text='Why the study is only indirect evidence; "" when direct.'
    )


class RegimenSerializer(serializers.Serializer):
    """A regimen as a study record reports it, with the studies that used it."""

    key = serializers.CharField(source="intervention.key", help_text="The intervention's key.")
    url = ApiUrlField("api:intervention-detail", source="intervention.key")
    name = serializers.CharField(source="intervention.name")
    route = serializers.CharField(
        source="intervention.route", help_text='topical or oral; "" when not reported.'
    )
    formulation = serializers.CharField(source="intervention.formulation")
    strength = serializers.CharField(source="intervention.strength")
    frequency = serializers.CharField(source="intervention.frequency")
    studies = RouteStudySerializer(many=True)


class RouteCertaintySerializer(serializers.Serializer):
    """One outcome's certainty for the route; its row is in the Summary of findings."""

    outcome = serializers.CharField(help_text="The outcome as printed.")
    grade = GradeSerializer(allow_null=True, help_text="GRADE certainty; null: no grade.")
    anchor = serializers.CharField(help_text="The page anchor of its Summary of findings row.")


class Ruled:
    """A ruling with its grades, in the shape RulingSerializer reads."""

    def __init__(self, ruling: grading.Ruling, grade: Any, rule_grade: Any) -> None:
        self.ruling = ruling
        self.grade = grade
        self.rule_grade = rule_grade


class BottomLineSerializer(serializers.Serializer):
    """One route in a few lines: best evidence, regimens, dosing, harms, certainty, verdict."""

    route = serializers.CharField(help_text="topical or oral.")
    route_label = serializers.CharField()
    evidence = serializers.ChoiceField(
        choices=[
            "clinical",
            "indirect-only",
            "laboratory-only",
            "opinion-only",
            "none",
        ],
        help_text="What the route rests on, from its studies' designs.",
    )
    headline = serializers.CharField(help_text="The card's first line.")
    best = RouteStudySerializer(many=True, help_text="The best evidence, strongest first.")
    regimens = RegimenSerializer(many=True, help_text="Regimens the route's studies used.")
    dosing = CitedClaimSerializer(many=True, help_text="Dosing claims about this condition.")
    general_dosing = CitedClaimSerializer(
        many=True, help_text="Dosing for LDN in general; only when the condition has none."
    )
    harms = CitedClaimSerializer(many=True, help_text="Key harms for this route.")
    general_harms = CitedClaimSerializer(
        many=True, help_text="Harms of LDN in general; only when the condition has none."
    )
    certainties = RouteCertaintySerializer(many=True)
    verdict = serializers.SerializerMethodField(help_text="The route's SORT verdict.")

    @extend_schema_field(RulingSerializer)
    def get_verdict(self, line: BottomLine) -> Any:
        # The verdict has no editors' override: the grade shown is the rule's.
        ruled = Ruled(line.verdict, line.verdict_grade, line.verdict_grade)
        return RulingSerializer(ruled, context=self.context).data


@item(BottomLines, "bottom-lines")
class BottomLinesSerializer(serializers.Serializer):
    """The bottom line of each route, and the studies whose route is not reported."""

    routes = BottomLineSerializer(many=True)
    unrouted = RouteStudySerializer(many=True, help_text="Studies with no route reported.")


# ---------------------------------------------------------------- Summary of findings

DOMAIN_CODES = {str(label): str(value) for value, label in GradeDomain.choices}


class SofNoteSerializer(serializers.Serializer):
    """A rating step with its reason: the editors' (by_rule false) or the rule's own."""

    letter = serializers.CharField(help_text="The footnote letter on the page.")
    domain = serializers.SerializerMethodField(help_text="GRADE domain code, e.g. imprecision.")
    domain_label = serializers.CharField(source="domain")
    level_change = serializers.IntegerField(help_text="-1/-2 rate down, +1/+2 rate up.")
    direction = serializers.CharField(help_text='e.g. "Rated down one level".')
    reason = serializers.CharField()
    by_rule = serializers.BooleanField(help_text="True: the rule took the step, not the editors.")

    def get_domain(self, note: SofNote) -> str:
        return DOMAIN_CODES[note.domain]


class SofEffectSerializer(serializers.Serializer):
    """One study's effect as reported, with what it was compared with."""

    key = serializers.CharField(source="study.key")
    url = ApiUrlField("api:study-detail", source="study.key")
    label = serializers.CharField(source="study.label")
    design = serializers.CharField(source="study.design")
    n = serializers.IntegerField(source="study.n", allow_null=True)
    number = serializers.IntegerField(source="cite.number", allow_null=True)
    comparator = serializers.CharField(help_text="What the design compared LDN with.")
    result = serializers.SerializerMethodField(
        help_text='The study record\'s result; "" on an adverse-effects row (see harms).'
    )
    harms = CitedClaimSerializer(many=True, help_text="Claims about the study's harms.")
    indirect_reason = serializers.CharField(
        help_text='Why the study is only indirect evidence; "" when direct.'
    )

    def get_result(self, effect: Any) -> str:
        return "" if effect.harms_outcome else str(effect.study.result)


class SofRowSerializer(RulingSerializer):
    """One outcome by one route: studies, participants, effects, certainty and its steps."""

    outcome = serializers.CharField(source="certainty.outcome")
    outcome_label = serializers.CharField(source="certainty.get_outcome_display")
    route = serializers.CharField(source="certainty.route")
    anchor = serializers.CharField(help_text="The row's page anchor.")
    k = serializers.IntegerField(help_text="Number of studies.")
    participants = serializers.IntegerField(
        allow_null=True, help_text="Summed over studies that report n; null if none does."
    )
    participants_missing = serializers.IntegerField(help_text="Studies whose n is not reported.")
    rationale = serializers.CharField(source="certainty.rationale")
    effects = SofEffectSerializer(many=True)
    ratings = SofNoteSerializer(
        many=True, source="notes", help_text="The rating steps, editors' then the rule's."
    )


class SofSilentRouteSerializer(serializers.Serializer):
    """A route with no graded outcome: every cell of its row is not reported."""

    route = serializers.CharField()
    route_label = serializers.CharField()
    evidence = serializers.CharField(help_text="What the route rests on instead (a code).")
    evidence_text = serializers.CharField()
    text = serializers.CharField(default=NOT_REPORTED, read_only=True, help_text="Site text.")


@item(SummaryOfFindings, "summary-of-findings")
class SummaryOfFindingsSerializer(serializers.Serializer):
    """The GRADE Summary of Findings table of a condition."""

    population = serializers.CharField()
    setting = serializers.CharField()
    intervention = serializers.CharField()
    comparison = serializers.CharField()
    rule = serializers.CharField(help_text="The certainty rule applied (see /methods/).")
    rows = SofRowSerializer(many=True)
    silent = SofSilentRouteSerializer(many=True, help_text="Routes with no graded outcome.")
    notes = SofNoteSerializer(many=True, help_text="The table's footnotes, by letter.")


# ---------------------------------------------------------------- safety questions


class SafetyAnswerSerializer(serializers.Serializer):
    """One question for one route: the cited claims, or reported false."""

    route = serializers.CharField(help_text="topical or oral.")
    route_label = serializers.SerializerMethodField()
    reported = serializers.SerializerMethodField(
        help_text="False: neither article answers it for this route."
    )
    text = serializers.SerializerMethodField(help_text='"Not reported by either article" or "".')
    claims = CitedClaimSerializer(many=True)

    def get_route_label(self, answer: SafetyAnswer) -> str:
        return str(Route(answer.route).label)

    def get_reported(self, answer: SafetyAnswer) -> bool:
        return bool(answer.claims)

    def get_text(self, answer: SafetyAnswer) -> str:
        return "" if answer.claims else "Not reported by either article"


@item(SafetyRow, "safety-question")
class SafetyRowSerializer(serializers.Serializer):
    """One of the prescriber's safety questions, answered per route."""

    question = serializers.CharField(help_text="The question's code.")
    label = serializers.CharField(help_text="The question as printed.")
    answers = SafetyAnswerSerializer(many=True, help_text="One per route, topical then oral.")


@item(ChangeItem, "change")
class ChangeSerializer(serializers.Serializer):
    """One approved change to the page or to a study or claim it shows, in plain words."""

    reviewed_on = serializers.DateField(source="revision.reviewed_on", allow_null=True)
    item = serializers.CharField(source="revision.item_repr", help_text="What was changed.")
    summary = serializers.CharField(source="revision.summary", help_text="What changed.")
    reason = serializers.CharField(
        source="revision.reason", help_text="Why, in the editor's words (may be empty)."
    )
    approved_by = serializers.CharField(
        source="revision.reviewer_name", help_text="The reviewer who approved it."
    )


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
