"""Query-bounded reads for the condition pages; each docstring says how many queries it makes.

A page is a list of sections in reading order (CLINICIAN_SECTIONS, PATIENT_SECTIONS);
`build_page()` numbers the citations in that order, so moving a section moves its numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
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
from revisions.models import Revision

from .models import (
    Condition,
    OutcomeCertainty,
    PlainSection,
    PlainStatement,
    TreatmentRecommendation,
)
from .plain_language import certainty_sentence, reading_grade

# The most recent approved changes a condition page lists.
CHANGES_SHOWN = 20

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
class ChangeItem:
    """One approved change to the page or to a study or claim it shows, in plain words."""

    revision: Revision

    def number(self, page: PageNumbering) -> None:
        pass


def _changes(condition: Condition, studies: Sequence[Study], claims: Sequence[Claim]) -> list[Item]:
    """Approved changes to the condition, its studies and its claims, newest first (1 query;
    content types are cached per process after the first request)."""
    types = ContentType.objects.get_for_models(Condition, Study, Claim)
    about = (
        Q(content_type=types[Condition], object_id=condition.pk)
        | Q(content_type=types[Study], object_id__in=[study.pk for study in studies])
        | Q(content_type=types[Claim], object_id__in=[claim.pk for claim in claims])
    )
    revisions = (
        Revision.objects.approved()
        .filter(about)
        .select_related("reviewed_by")
        .order_by("-reviewed_on", "-pk")[:CHANGES_SHOWN]
    )
    return [ChangeItem(revision) for revision in revisions]


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
    """Published conditions with their derived verdict grades (3 queries: conditions,
    their approved studies' designs, the SORT grade rows)."""
    conditions = list(Condition.objects.published().select_related("verdict_override"))
    # The rule reads designs only: plain rows, cheaper than a prefetch of Study instances.
    designs: dict[int, list[StudyDesignRow]] = {condition.pk: [] for condition in conditions}
    approved = Study.objects.published().filter(conditions__in=list(designs))
    for condition_id, design in approved.values_list("conditions", "design"):
        designs[condition_id].append(StudyDesignRow(design))
    grades = GradeTable(grading.SORT_SCALE)
    return [_verdict(condition, designs[condition.pk], grades) for condition in conditions]


def _condition(slug: str) -> Condition:
    return get_object_or_404(
        Condition.objects.published().select_related("verdict_override", "reviewed_by"),
        slug=slug,
    )


class StudyDesignRow(NamedTuple):
    design: str


def _verdict(
    condition: Condition, studies: Sequence[grading.HasDesign], grades: GradeTable
) -> VerdictItem:
    ruling = condition.verdict_ruling(studies)
    return VerdictItem(condition, ruling, *grades.for_ruling(grading.SORT_SCALE, ruling))


def _for_condition(condition: Condition, prefix: str = "") -> Q:
    """Claims the condition's pages may show: its own and the general ones (no duplicates:
    of a claim's rows joined to its conditions, only this condition's row passes)."""
    return Q(**{f"{prefix}conditions": condition}) | Q(**{f"{prefix}conditions__isnull": True})


def _certainties(
    condition: Condition, grades: GradeTable, studies: Sequence[Study] | None = None
) -> list[CertaintyRow]:
    """Each outcome's certainty from the same approved studies as the verdict (3 queries).

    `studies` are the condition's approved studies if the caller has them; otherwise the
    outcomes' own studies, loaded with the same filter, stand in for them.
    """
    approved = Study.objects.published().filter(conditions=condition)
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
        ruling = certainty.ruling(studies)
        rows.append(
            CertaintyRow(
                certainty,
                ruling,
                *grades.for_ruling(grading.GRADE_SCALE, ruling),
                certainty.body_of_evidence(studies),
            )
        )
    return rows


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
    "verdict",
    "summary",
    "certainty",
    "evidence",
    "dosing",
    "safety",
    "mechanisms",
    "guidelines",
    "candidates",
    "limitations",
    "disagree",
    "changes",
)


def clinician_page(slug: str) -> ConditionPage:
    """Everything on the clinician view of a condition, in CLINICIAN_SECTIONS order.

    At most 16 queries, however much content there is: the condition, claims (3), studies,
    grades, certainties (3), recommendations, conflicts (3), approved changes, cited sources
    and how the seeds printed them.
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
    grades = GradeTable(grading.SORT_SCALE, grading.GRADE_SCALE, grading.CEBM_SCALE)
    verdict = _verdict(condition, studies, grades)
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
        "certainty": lambda: Section(
            "certainty",
            "Certainty of evidence per outcome",
            "includes/sections/_certainty_table.html",
            _certainties(condition, grades, studies),
            empty=f"No outcome of LDN for {name} has been graded: "
            "no clinical study measuring one is on record.",
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
    builders["changes"] = lambda: Section(
        "changes",
        "Changes",
        "includes/sections/_changes.html",
        _changes(condition, studies, claims),
        empty="No change to this page has been approved since it was first published.",
        note="Approved changes to this page and to the studies and statements it shows, "
        f"newest first (at most {CHANGES_SHOWN}).",
    )
    sections = [builders[section_id]() for section_id in CLINICIAN_SECTIONS]
    return ConditionPage(condition, build_page(sections))


# ---------------------------------------------------------------- patient page

PATIENT_SECTIONS = ("about", *PlainSection.values, "sure")

PLAIN_EMPTY = {
    PlainSection.HELPS: "The articles say nothing about whether LDN helps with {name}.",
    PlainSection.USE: "The articles do not describe how LDN is used for {name}.",
    PlainSection.SIDE_EFFECTS: "The articles report no side effects of LDN for {name}.",
}


def patient_page(slug: str) -> PatientPage:
    """Everything on the patient view of a condition, in PATIENT_SECTIONS order (≤ 8 queries)."""
    condition = _condition(slug)
    name = condition.name.lower()
    statements = list(
        PlainStatement.objects.filter(condition=condition)
        .filter(_for_condition(condition, "claim__"), claim__in=Claim.objects.published())
        .select_related("claim")
        .prefetch_related(Prefetch("claim__citations", CITATIONS))
    )
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
