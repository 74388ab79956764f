"""Query-bounded reads for the condition pages; each docstring says how many queries it makes.

A page is a list of sections in reading order (CLINICIAN_SECTIONS, PATIENT_SECTIONS);
`build_page()` numbers the citations in that order, so moving a section moves its numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.html import strip_tags

from evidence import grading
from evidence.choices import ClaimKind, Route
from evidence.models import Citation, Claim, Conflict, Grade, Study
from evidence.pages import (
    CLAIMS_TEMPLATE,
    GROUPS_TEMPLATE,
    PROSE_TEMPLATE,
    CheckItem,
    CitedClaim,
    Group,
    Item,
    Page,
    PageNumbering,
    Prose,
    Section,
    StudyRow,
    build_page,
)
from evidence.rendering import Cite
from evidence.selectors import GradeTable, published_claims, published_studies

from .models import (
    Condition,
    IndirectEvidence,
    OutcomeCertainty,
    PlainSection,
    PlainStatement,
    TreatmentRecommendation,
)
from .plain_language import certainty_sentence, reading_grade
from .summary import (
    CertaintyInput,
    RouteClaim,
    bottom_lines,
    plain_safety,
    safety_checklist,
    silent_routes,
    summary_of_findings,
)

CITATIONS = Citation.objects.select_related("source", "reported_by")

# ---------------------------------------------------------------- page items


@dataclass
class VerdictItem:
    """The condition's verdict: the editors' wording and the grade the rule (or override) gives."""

    condition: Condition
    ruling: grading.Ruling
    grade: Grade | None
    rule_grade: Grade | None

    def number(self, page: PageNumbering) -> None:
        pass


@dataclass
class CertaintyRow:
    """One outcome's GRADE certainty, derived from its approved studies and rating steps."""

    certainty: OutcomeCertainty
    ruling: grading.Ruling
    grade: Grade | None
    rule_grade: Grade | None
    studies: list[Study]
    sentence: str = ""  # the patient page's wording, set by certainty
    cites: list[Cite] = field(default_factory=list)

    def number(self, page: PageNumbering) -> None:
        self.cites = [page.cite(study.source) for study in self.studies]


@dataclass
class RecommendationRow:
    recommendation: TreatmentRecommendation
    claim: CitedClaim

    def number(self, page: PageNumbering) -> None:
        self.claim.number(page)


@dataclass
class ConflictItem:
    conflict: Conflict
    claims: tuple[CitedClaim, CitedClaim]

    def number(self, page: PageNumbering) -> None:
        for claim in self.claims:
            claim.number(page)


@dataclass
class PlainItem:
    """A plain-language sentence cited through the claim it rests on."""

    statement: PlainStatement
    claim: CitedClaim

    def number(self, page: PageNumbering) -> None:
        self.claim.number(page)


@dataclass
class ConditionPage:
    condition: Condition
    page: Page


@dataclass
class PatientPage:
    condition: Condition
    page: Page
    reading_grade: float


# ---------------------------------------------------------------- shared reads


def home() -> list[VerdictItem]:
    """Published conditions with their derived verdict grades (4 queries: conditions,
    their approved direct and indirect studies' designs, the SORT grade rows)."""
    conditions = list(Condition.objects.published().select_related("verdict_override"))
    # The rule reads designs only: plain rows, cheaper than a prefetch of Study instances.
    designs: dict[int, list[StudyDesignRow]] = {condition.pk: [] for condition in conditions}
    indirect: dict[int, list[StudyDesignRow]] = {condition.pk: [] for condition in conditions}
    approved = Study.objects.published()
    for found, relation in ((designs, "conditions"), (indirect, "indirect_for")):
        rows = approved.filter(**{f"{relation}__in": list(found)})
        for condition_id, design in rows.values_list(relation, "design"):
            found[condition_id].append(StudyDesignRow(design))
    grades = GradeTable(grading.SORT_SCALE)
    return [
        _verdict(condition, designs[condition.pk], grades, indirect[condition.pk])
        for condition in conditions
    ]


def _condition(slug: str) -> Condition:
    return get_object_or_404(
        Condition.objects.published().select_related("verdict_override"), slug=slug
    )


class StudyDesignRow(NamedTuple):
    design: str


def _verdict(
    condition: Condition,
    studies: Sequence[grading.HasDesign],
    grades: GradeTable,
    indirect: Sequence[grading.HasDesign] = (),
) -> VerdictItem:
    ruling = condition.verdict_ruling(studies, indirect)
    return VerdictItem(condition, ruling, *grades.for_ruling(grading.SORT_SCALE, ruling))


def _for_condition(condition: Condition, prefix: str = "") -> Q:
    """Claims the condition's pages may show: its own and the general ones (no duplicates:
    of a claim's rows joined to its conditions, only this condition's row passes)."""
    return Q(**{f"{prefix}conditions": condition}) | Q(**{f"{prefix}conditions__isnull": True})


@dataclass
class IndirectStudies:
    """A condition's approved studies of other groups, with why each is indirect."""

    studies: list[Study]
    reasons: dict[int, str]


def _indirect(condition: Condition) -> IndirectStudies:
    """The condition's approved indirect evidence (1 query)."""
    rows = list(
        IndirectEvidence.objects.filter(
            condition=condition, study__in=Study.objects.published()
        ).select_related("study__source", "study__intervention", "study__reported_by")
    )
    return IndirectStudies([row.study for row in rows], {row.study_id: row.reason for row in rows})


def _certainties(
    condition: Condition,
    grades: GradeTable,
    studies: Sequence[Study] | None = None,
    indirect: IndirectStudies | None = None,
) -> list[CertaintyRow]:
    """Each outcome's certainty from the same approved studies as the verdict (3–4 queries).

    `studies` are the condition's approved direct and indirect studies if the caller has
    them; otherwise the outcomes' own studies, loaded with the same filter, stand in for them.
    """
    if indirect is None:
        indirect = _indirect(condition)
    approved = Study.objects.published().filter(
        Q(conditions=condition) | Q(pk__in=list(indirect.reasons))
    )
    # With the caller's studies the rule needs only which studies an outcome names.
    approved = approved.only("pk") if studies is not None else approved.select_related("source")
    certainties = list(
        condition.certainties.select_related("certainty_override").prefetch_related(
            "ratings", Prefetch("studies", approved)
        )
    )
    if studies is None:
        studies = list({s.pk: s for c in certainties for s in c.studies.all()}.values())
    rows = []
    for certainty in certainties:
        ruling = certainty.ruling(studies, indirect.reasons)
        rows.append(
            CertaintyRow(
                certainty,
                ruling,
                *grades.for_ruling(grading.GRADE_SCALE, ruling),
                certainty.body_of_evidence(studies),
            )
        )
    return rows


CertaintyCodes = dict[tuple[str, str], str | None]


def outcome_certainty_codes(condition: Condition) -> CertaintyCodes:
    """{(outcome, route): GRADE certainty code} as the condition's pages show it (4 queries)."""
    rows = _certainties(condition, GradeTable())  # no scale: codes only, no grade rows
    return {(row.certainty.outcome, row.certainty.route): row.ruling.code for row in rows}


def claim_certainty(claim: Claim, codes: CertaintyCodes) -> str | None:
    """The GRADE certainty code of the outcome `claim` is about, from a condition's `codes`.

    A claim with no route stated takes its outcome's certainty when only one route has one.
    None when the claim names no outcome or the outcome has no graded certainty.
    """
    if not claim.outcome:
        return None
    if claim.route:
        return codes.get((claim.outcome, claim.route))
    graded = [code for (outcome, _route), code in codes.items() if outcome == claim.outcome]
    return graded[0] if len(graded) == 1 else None


def _route_claims(condition: Condition, safety_questions_only: bool = False) -> list[RouteClaim]:
    """Published claims for the route sections: dosing and safety claims and every claim
    answering a safety question, about this condition or about LDN in general (3 queries).

    Loaded apart from the page's other claims: a safety question about the drug (pregnancy,
    opioids) is answered by general claims on every condition page, never left blank.
    """
    wanted = ~Q(safety_question="")
    if not safety_questions_only:
        wanted |= Q(kind__in=[ClaimKind.DOSING, ClaimKind.SAFETY])
    linked = Condition.claims.through.objects.filter(claim=OuterRef("pk"))
    claims = (
        published_claims()
        .filter(Q(conditions=condition) | Q(conditions__isnull=True))
        .filter(wanted)
        .annotate(linked=Exists(linked))
    )
    return [RouteClaim(claim, not getattr(claim, "linked")) for claim in claims]  # noqa: B009


def _grouped(claims: Iterable[Claim], title: Callable[[Claim], str]) -> list[Group]:
    groups: dict[str, list[Item]] = {}
    for claim in claims:
        groups.setdefault(title(claim), []).append(CitedClaim(claim))
    return [Group(name, items) for name, items in groups.items()]


def _by_route(claims: Iterable[Claim]) -> list[Group]:
    order = {label: index for index, label in enumerate([*Route.labels, "Route not stated"])}
    groups = _grouped(claims, lambda c: c.get_route_display() or "Route not stated")
    return sorted(groups, key=lambda group: order[group.title])


# ---------------------------------------------------------------- clinician page

CLINICIAN_SECTIONS = (
    "bottom-line",
    "verdict",
    "findings-summary",
    "safety-questions",
    "summary",
    "evidence",
    "dosing",
    "safety",
    "mechanisms",
    "guidelines",
    "candidates",
    "limitations",
    "disagree",
)


def clinician_page(slug: str) -> ConditionPage:
    """Everything on the clinician view of a condition, in CLINICIAN_SECTIONS order.

    At most 19 queries, however much content there is: the condition, claims (3), studies,
    grades, certainties (3), the route sections' claims (3), recommendations, conflicts (3),
    cited sources and how the seeds printed them.
    """
    condition = _condition(slug)
    name = condition.name.lower()
    claims = list(published_claims().filter(_for_condition(condition)))
    by_id = {claim.pk: claim for claim in claims}

    def of_kind(*kinds: str) -> list[Claim]:
        return [claim for claim in claims if claim.kind in kinds]

    def cited(*kinds: str) -> list[Item]:
        return [CitedClaim(claim) for claim in of_kind(*kinds)]

    studies = list(published_studies().filter(conditions=condition))
    indirect = _indirect(condition)
    grades = GradeTable(grading.SORT_SCALE, grading.GRADE_SCALE, grading.CEBM_SCALE)
    verdict = _verdict(condition, studies, grades, indirect.studies)
    certainties = [
        CertaintyInput(row.certainty, row.ruling, row.grade, row.rule_grade, row.studies)
        for row in _certainties(condition, grades, [*studies, *indirect.studies], indirect)
    ]
    silent = silent_routes(certainties, studies, indirect.studies)
    route_claims = _route_claims(condition)
    sof = summary_of_findings(name, certainties, indirect.reasons, silent, route_claims)
    lines = bottom_lines(
        name, studies, indirect.studies, indirect.reasons, sof, route_claims, grades
    )
    # Guideline rows rest on claims the page shows, already loaded above.
    recommendations = [
        RecommendationRow(rec, CitedClaim(by_id[rec.claim_id]))
        for rec in condition.recommendations.filter(claim__in=list(by_id)).select_related(
            "strength__scale", "quality__scale", "graded_by"
        )
    ]
    # A conflict shows when one side is on the page; the other side may belong elsewhere.
    published = Claim.objects.published()
    conflicts = [
        ConflictItem(conflict, (CitedClaim(conflict.claim_a), CitedClaim(conflict.claim_b)))
        for conflict in Conflict.objects.filter(
            Q(claim_a__in=list(by_id)) | Q(claim_b__in=list(by_id)),
            claim_a__in=published,
            claim_b__in=published,
        )
        .select_related("claim_a", "claim_b")
        .prefetch_related(
            Prefetch("claim_a__citations", CITATIONS), Prefetch("claim_b__citations", CITATIONS)
        )
    ]
    checks: list[Item] = [
        CheckItem(check) for claim in claims for check in claim.primary_source_checks.all()
    ]

    def mechanism_groups() -> list[Group]:
        groups: dict[int, Group] = {}
        for claim in of_kind(ClaimKind.MECHANISM):
            mechanism = claim.mechanism
            key = mechanism.pk if mechanism else 0
            if key not in groups:
                title = mechanism.name if mechanism else "Mechanism not named"
                url = mechanism.get_absolute_url() if mechanism and mechanism.is_published else ""
                groups[key] = Group(title, [], url)
            groups[key].items.append(CitedClaim(claim))  # type: ignore[attr-defined]
        return list(groups.values())

    builders: dict[str, Callable[[], Section]] = {
        "bottom-line": lambda: Section(
            "bottom-line",
            "Bottom line by route",
            "includes/sections/_bottom_line.html",
            [lines],
            note="Put together from the study records, graded outcomes and cited statements "
            "further down this page; it adds nothing of its own.",
        ),
        "verdict": lambda: Section(
            "verdict",
            "Verdict",
            "includes/sections/_verdict.html",
            [verdict],
            subsections=[
                Section(
                    "conclusions",
                    "What the articles concluded",
                    CLAIMS_TEMPLATE,
                    cited(ClaimKind.CONCLUSION),
                    empty="Neither article states a conclusion about this condition.",
                    level=3,
                )
            ],
        ),
        "summary": lambda: Section(
            "summary",
            "Summary",
            PROSE_TEMPLATE,
            [Prose(condition.clinician_summary)],
        ),
        "findings-summary": lambda: Section(
            "findings-summary",
            "Summary of findings",
            "includes/sections/_summary_of_findings.html",
            [sof] if sof.rows else [],
            empty=f"No outcome of LDN for {name} has been graded: "
            "no clinical study measuring one is on record.",
        ),
        "safety-questions": lambda: Section(
            "safety-questions",
            "Safety questions by route",
            "includes/sections/_safety_checklist.html",
            safety_checklist(route_claims),
            note="The questions prescribers ask of every drug and route. Where neither "
            "article answers one, the row says so.",
        ),
        "evidence": lambda: Section(
            "evidence",
            "Evidence table",
            "includes/sections/_study_table.html",
            [StudyRow(study, grades.level(study)) for study in studies],
            empty=f"No studies of LDN for {name} were reported.",
            subsections=[
                Section(
                    "findings",
                    "Findings by outcome",
                    GROUPS_TEMPLATE,
                    _grouped(
                        of_kind(ClaimKind.EFFICACY, ClaimKind.EXPERT_OPINION),
                        lambda c: c.get_outcome_display() or "Expert opinion",
                    ),
                    empty=f"The articles report no findings for {name}.",
                    level=3,
                )
            ],
        ),
        "dosing": lambda: Section(
            "dosing",
            "Dosing and formulations by route",
            GROUPS_TEMPLATE,
            _by_route(of_kind(ClaimKind.DOSING)),
            empty="No dosing is reported.",
        ),
        "safety": lambda: Section(
            "safety",
            "Safety by route",
            GROUPS_TEMPLATE,
            _by_route(of_kind(ClaimKind.SAFETY)),
            empty="No safety data are reported.",
        ),
        "mechanisms": lambda: Section(
            "mechanisms",
            "Proposed mechanisms",
            GROUPS_TEMPLATE,
            mechanism_groups(),
            empty="No mechanism is described.",
            note="Mechanism-level evidence (Oxford CEBM level 5): it suggests how LDN might "
            "work, not whether it helps patients.",
        ),
        "guidelines": lambda: Section(
            "guidelines",
            "Compared with guideline treatments",
            "includes/sections/_recommendations.html",
            recommendations,
            empty=f"The articles compare LDN with no guideline treatment for {name}.",
            subsections=[
                Section(
                    "guideline-claims",
                    "What the article said",
                    CLAIMS_TEMPLATE,
                    cited(ClaimKind.GUIDELINE),
                    level=3,
                )
            ],
        ),
        "candidates": lambda: Section(
            "candidates",
            "Who might benefit",
            CLAIMS_TEMPLATE,
            cited(ClaimKind.PATIENT_SELECTION),
            empty="The articles do not say who might benefit.",
        ),
        "limitations": lambda: Section(
            "limitations",
            "Limitations of the evidence",
            CLAIMS_TEMPLATE,
            cited(ClaimKind.LIMITATION),
            empty="No limitations are stated.",
            subsections=[
                Section(
                    "availability",
                    "Availability, regulation and cost",
                    CLAIMS_TEMPLATE,
                    cited(ClaimKind.AVAILABILITY),
                    empty="Availability is not reported.",
                    level=3,
                ),
                Section(
                    "future",
                    "Future research",
                    CLAIMS_TEMPLATE,
                    cited(ClaimKind.FUTURE),
                    empty="No future research is proposed.",
                    level=3,
                ),
            ],
        ),
        "disagree": lambda: Section(
            "disagree",
            "Where sources disagree",
            "includes/sections/_conflicts.html",
            conflicts,
            empty="No disagreement between the articles is recorded for this condition.",
            subsections=[
                Section(
                    "checks",
                    "Primary-source checks",
                    "includes/sections/_checks.html",
                    checks,
                    empty="The editors have not checked any statement on this page against "
                    "its primary source.",
                    level=3,
                )
            ],
        ),
    }
    sections = [builders[section_id]() for section_id in CLINICIAN_SECTIONS]
    return ConditionPage(condition, build_page(sections))


# ---------------------------------------------------------------- patient page

PATIENT_SECTIONS = ("about", *PlainSection.values, "safety-questions", "sure")

PLAIN_EMPTY = {
    PlainSection.HELPS: "The articles say nothing about whether LDN helps with {name}.",
    PlainSection.USE: "The articles do not describe how LDN is used for {name}.",
    PlainSection.SIDE_EFFECTS: "The articles report no side effects of LDN for {name}.",
}


def patient_page(slug: str) -> PatientPage:
    """Everything on the patient view of a condition, in PATIENT_SECTIONS order (≤ 12 queries)."""
    condition = _condition(slug)
    name = condition.name.lower()
    statements = list(
        PlainStatement.objects.filter(condition=condition)
        .filter(_for_condition(condition, "claim__"), claim__in=Claim.objects.published())
        .select_related("claim")
        .prefetch_related(Prefetch("claim__citations", CITATIONS))
    )
    said: dict[int, list[str]] = {}
    for statement in statements:
        said.setdefault(statement.claim_id, []).append(statement.text)
    grades = GradeTable(grading.GRADE_SCALE)
    certainties = []
    for row in _certainties(condition, grades):
        if row.ruling.code:  # an outcome with no approved clinical study gets no sentence
            row.sentence = certainty_sentence(
                row.certainty.route, row.certainty.outcome, row.ruling.code
            )
            certainties.append(row)

    sections = {
        "about": Section(
            "condition",
            f"About {name}",
            PROSE_TEMPLATE,
            [Prose(condition.patient_summary)],
        ),
        "safety-questions": Section(
            "safety-questions",
            "Is it safe for me?",
            "includes/sections/_safety_plain.html",
            plain_safety(safety_checklist(_route_claims(condition, True)), said),
            note="What the articles say, or leave open, on the questions to ask before "
            "using any medicine.",
        ),
        "sure": Section(
            "sure",
            "How sure are we?",
            "includes/sections/_certainty_plain.html",
            certainties,
            empty=f"No study has measured whether LDN helps with {name}, so we cannot say.",
        ),
    }
    for value, label in PlainSection.choices:
        items: list[Item] = [
            PlainItem(statement, CitedClaim(statement.claim))
            for statement in statements
            if statement.section == value
        ]
        sections[value] = Section(
            value,
            label,
            "includes/sections/_plain.html",
            items,
            empty=PLAIN_EMPTY[PlainSection(value)].format(name=name),
        )
    page = build_page([sections[section_id] for section_id in PATIENT_SECTIONS])
    about = sections["about"].items[0]
    assert isinstance(about, Prose)
    texts = [strip_tags(about.html), *(s.text for s in statements)]
    texts += [row.sentence for row in certainties]
    return PatientPage(condition, page, reading_grade(texts))


# ---------------------------------------------------------------- pages across both apps


@dataclass
class StudyListRow:
    row: StudyRow
    conditions: list[Condition]


def study_list() -> list[StudyListRow]:
    """Published studies with their level and published conditions (3 queries)."""
    studies = published_studies().prefetch_related(
        Prefetch("conditions", Condition.objects.published())
    )
    grades = GradeTable(grading.CEBM_SCALE)
    return [
        StudyListRow(StudyRow(study, grades.level(study)), list(study.conditions.all()))
        for study in studies
    ]


@dataclass
class ClaimPage:
    claim: CitedClaim
    conditions: list[Condition]
    page: Page


def claim_detail(key: str) -> ClaimPage:
    """A published claim, its citations with quotes, checks and conditions (≤ 6 queries)."""
    try:
        claim = published_claims().get(key=key)
    except Claim.DoesNotExist:
        raise Http404("No published claim has this key.") from None
    cited = CitedClaim(claim)
    checks: list[Item] = [CheckItem(check) for check in claim.primary_source_checks.all()]
    linked = list(claim.conditions.all())
    if linked:
        conditions = [condition for condition in linked if condition.is_published]
    else:  # a general claim shows on every condition's page
        conditions = list(Condition.objects.published())
    sections = [
        Section("statement", "Statement", "includes/sections/_claim_sources.html", [cited]),
        Section(
            "checks",
            "Primary-source checks",
            "includes/sections/_checks.html",
            checks,
            empty="The editors have not checked this statement against its primary source.",
        ),
    ]
    return ClaimPage(cited, conditions, build_page(sections))
