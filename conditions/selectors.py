"""Query-bounded reads for the condition pages; each docstring says how many queries it makes.

A page is a list of sections in reading order (CLINICIAN_SECTIONS, PATIENT_SECTIONS);
`build_page()` numbers the citations in that order, so moving a section moves its numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html, strip_tags

from evidence import grading
from evidence.choices import ClaimKind, Route, StudyDesign
from evidence.models import Citation, Claim, Conflict, Grade, PrimarySourceCheck, Study
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
from evidence.selectors import (
    CHECKS_FOR_BADGES,
    GradeTable,
    published_claims,
    published_studies,
)
from revisions.models import Revision

from . import derive
from .derive import BestEvidence
from .models import (
    Condition,
    IndirectEvidence,
    OutcomeCertainty,
    PlainSection,
    PlainStatement,
    TreatmentRecommendation,
)
from .plain_language import (
    CERTAINTY_WORDING_NOTE,
    SOURCES_CLINICIAN,
    SOURCES_PLAIN,
    WHAT_IS_LDN,
    GlossaryEntry,
    ask_your_doctor,
    certainty_sentence,
    glossary_for,
    reading_grade,
    why_sentence,
)
from .summary import (
    BottomLine,
    CertaintyInput,
    PlainSafetyRoute,
    RouteClaim,
    bottom_lines,
    plain_safety,
    safety_checklist,
    silent_routes,
    summary_of_findings,
)

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
    best: BestEvidence | None = None  # derive.best_evidence(), as the home page shows it

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
    why: str = ""  # the patient page's plain reason for that certainty
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
class Answer:
    """The first screen: the verdict and, for the route with the best evidence, its best
    study, certainty and regimen as reported (all read off the page's own items)."""

    verdict: VerdictItem
    line: BottomLine | None  # the bottom line of the route with the best evidence


@dataclass
class ConditionPage:
    condition: Condition
    page: Page
    about_sources: str = SOURCES_CLINICIAN  # who the two articles are, near the top
    answer: Answer | None = None


@dataclass
class PatientPage:
    condition: Condition
    page: Page
    reading_grade: float  # Flesch-Kincaid, of all the text in the page's main content
    what_is_ldn: str
    questions: list[str]  # "What to ask your doctor", following the evidence on record
    glossary: list[GlossaryEntry]  # the words used on the page that it explains
    about_sources: str = SOURCES_PLAIN  # who the two articles are, near the top


# ---------------------------------------------------------------- shared reads


@dataclass
class HomeRow:
    """One row of the home table: a condition's verdict, grade and best evidence."""

    verdict: VerdictItem
    best: BestEvidence | None


def _strength(row: HomeRow) -> tuple[int, int, str]:
    """Sort key: SORT grade (A first, none last), then best CEBM level, then name."""
    sort_rank = row.verdict.grade.rank if row.verdict.grade else 99
    level_rank = row.best.level.rank if row.best and row.best.level else 99
    return sort_rank, level_rank, row.verdict.condition.name.casefold()


def home() -> list[HomeRow]:
    """Published conditions with their derived verdict grades and best evidence, strongest
    first (5 queries: conditions, derive.load_evidence()'s 3, the SORT and CEBM grade rows)."""
    conditions = list(Condition.objects.published().select_related("verdict_override"))
    evidence = derive.load_evidence(conditions)
    grades = GradeTable(grading.SORT_SCALE, grading.CEBM_SCALE)
    rows = []
    for condition in conditions:
        ruling = derive.verdict(condition, evidence[condition.pk])
        verdict = VerdictItem(condition, ruling, *grades.for_ruling(grading.SORT_SCALE, ruling))
        rows.append(HomeRow(verdict, derive.best_evidence(evidence[condition.pk], grades)))
    return sorted(rows, key=_strength)


def _condition(slug: str) -> Condition:
    return get_object_or_404(
        Condition.objects.published().select_related("verdict_override", "reviewed_by"),
        slug=slug,
    )


def _verdict(
    condition: Condition,
    studies: Sequence[Study],
    grades: GradeTable,
    indirect: Sequence[Study] = (),
) -> VerdictItem:
    # The verdict reads designs only.
    evidence = derive.ConditionEvidence(
        [derive.StudyFacts(s.pk, s.design) for s in studies],
        [derive.StudyFacts(s.pk, s.design) for s in indirect],
    )
    ruling = derive.verdict(condition, evidence)
    return VerdictItem(condition, ruling, *grades.for_ruling(grading.SORT_SCALE, ruling))


def _evidence_of(
    direct: Sequence[Study], indirect: Sequence[Study], certainties: Sequence[CertaintyInput]
) -> derive.ConditionEvidence:
    """The loaded studies as derive reads them (the same facts derive.load_evidence gives)."""
    by_certainty: dict[int, set[str]] = {}
    for row in certainties:
        for study in row.studies:
            by_certainty.setdefault(study.pk, set()).add(row.certainty.route)
    return derive.ConditionEvidence(
        [derive.facts(s, by_certainty) for s in direct],
        [derive.facts(s, by_certainty) for s in indirect],
    )


def _for_condition(condition: Condition, prefix: str = "") -> Q:
    """Claims the condition's pages show: those linked to it, and claims about LDN in general
    (linked to no condition, on the LDN in general page) that an article rests on a paper of
    one of the condition's studies ("Typical LDN dose is 4.5mg orally daily [Weinstock]"
    belongs on the psoriasis page too: its page must not say the articles are silent on it)."""
    on_its_studies = Claim.objects.filter(
        GENERAL, citations__source__studies__conditions=condition
    ).values("pk")
    return Q(**{f"{prefix}conditions": condition}) | Q(**{f"{prefix}pk__in": on_its_studies})


GENERAL = Q(conditions__isnull=True)
CHECKS = PrimarySourceCheck.objects.select_related("source")


@dataclass
class IndirectStudies:
    """A condition's approved studies of other groups, with why each is indirect."""

    studies: list[Study]
    reasons: dict[int, str]


def _indirect(condition: Condition) -> IndirectStudies:
    """The condition's approved indirect evidence (1 query)."""
    rows = list(
        IndirectEvidence.objects.filter(condition=condition, study__in=Study.objects.published())
        .select_related(
            "study__source", "study__intervention", "study__reported_by", "study__per_check"
        )
        .prefetch_related(Prefetch("study__primary_source_checks", CHECKS_FOR_BADGES))
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


def _route_claims(
    condition: Condition | None, safety_questions_only: bool = False
) -> list[RouteClaim]:
    """Published claims for the route sections: dosing and safety claims and every claim
    answering a safety question, about this condition or about LDN in general (3 queries).

    Loaded apart from the page's other claims: a safety question about the drug (pregnancy,
    opioids) is answered by general claims on every condition page, never left blank.
    """
    wanted = ~Q(safety_question="")
    if not safety_questions_only:
        wanted |= Q(kind__in=[ClaimKind.DOSING, ClaimKind.SAFETY])
    linked = Condition.claims.through.objects.filter(claim=OuterRef("pk"))
    about = Q(conditions__isnull=True) if condition is None else Q(conditions=condition)
    claims = (
        published_claims()
        .filter(about | Q(conditions__isnull=True))
        .filter(wanted)
        .annotate(linked=Exists(linked))
    )
    return [RouteClaim(claim, not getattr(claim, "linked")) for claim in claims]  # noqa: B009


def _conflicts(claim_ids: list[int]) -> list[Item]:
    """Conflicts with a side among `claim_ids`, both sides cited and checked (5 queries).

    A conflict shows when one side is on the page; the other side may belong elsewhere.
    """
    published = Claim.objects.published()
    return [
        ConflictItem(conflict, (CitedClaim(conflict.claim_a), CitedClaim(conflict.claim_b)))
        for conflict in Conflict.objects.published()
        .filter(
            Q(claim_a__in=claim_ids) | Q(claim_b__in=claim_ids),
            claim_a__in=published,
            claim_b__in=published,
        )
        .select_related("claim_a", "claim_b")
        .prefetch_related(
            Prefetch("claim_a__citations", CITATIONS),
            Prefetch("claim_b__citations", CITATIONS),
            Prefetch("claim_a__primary_source_checks", CHECKS),
            Prefetch("claim_b__primary_source_checks", CHECKS),
        )
    ]


def _checks(claims: Iterable[Claim]) -> list[Item]:
    """The editors' checks of `claims` (loaded with them by published_claims())."""
    return [CheckItem(check) for claim in claims for check in claim.primary_source_checks.all()]


def _grouped(claims: Iterable[Claim], title: Callable[[Claim], str]) -> list[Group]:
    groups: dict[str, list[Item]] = {}
    for claim in claims:
        groups.setdefault(title(claim), []).append(CitedClaim(claim))
    return [Group(name, items) for name, items in groups.items()]


def _by_mechanism(claims: Iterable[Claim]) -> list[Group]:
    groups: dict[int, Group] = {}
    for claim in claims:
        mechanism = claim.mechanism
        key = mechanism.pk if mechanism else 0
        if key not in groups:
            title = mechanism.name if mechanism else "Mechanism not named"
            url = mechanism.get_absolute_url() if mechanism and mechanism.is_published else ""
            groups[key] = Group(title, [], url)
        groups[key].items.append(CitedClaim(claim))  # type: ignore[attr-defined]
    return list(groups.values())


MECHANISM_NOTE = (
    "Mechanism-level evidence (Oxford CEBM level 5): it suggests how LDN might "
    "work, not whether it helps patients."
)


@dataclass
class GeneralLink:
    """The condition page's pointer to the LDN in general page (fixed site text)."""

    url: str
    for_patients: bool = False
    # Titles of the condition page's sections left out because the articles report nothing
    # on them for this condition in particular (only for LDN in general).
    general_only: list[str] = field(default_factory=list)

    @property
    def patient_text(self) -> str:
        """The patient page's wording, with its link (the reading grade counts it too)."""
        return format_html(
            "How LDN is taken, its side effects in general and what it costs are not about "
            'this condition in particular. Read them on the <a href="{}">LDN in general</a> '
            "page.",
            self.url,
        )

    def number(self, page: PageNumbering) -> None:
        pass


def _by_route(claims: Iterable[Claim]) -> list[Group]:
    order = {label: index for index, label in enumerate([*Route.labels, "Route not stated"])}
    groups = _grouped(claims, lambda c: c.get_route_display() or "Route not stated")
    return sorted(groups, key=lambda group: order[group.title])


def scoped_silence(topic: str, name: str) -> str:
    """What a condition page says when no statement of a kind is tied to the condition: our
    records are silent for it in particular, which is not the articles being silent (what
    they say about LDN in general is on the LDN in general page)."""
    return (
        f"No statement on record about {topic} is tied to {name} in particular; what the "
        "articles say about LDN in general is on the LDN in general page."
    )


def _limitations(cited: Callable[..., list[Item]], name: str = "") -> Section:
    """Limitations, with availability and future research under them (clinician and general
    pages alike); `cited(*kinds)` gives the page's claims of those kinds; `name` is the
    condition's (empty on the general page)."""

    def empty(topic: str, general: str) -> str:
        return scoped_silence(topic, name) if name else general

    return Section(
        "limitations",
        "Limitations of the evidence",
        CLAIMS_TEMPLATE,
        cited(ClaimKind.LIMITATION),
        empty=empty("the limitations of the evidence", "No limitations are stated."),
        subsections=[
            Section(
                "availability",
                "Availability, regulation and cost",
                CLAIMS_TEMPLATE,
                cited(ClaimKind.AVAILABILITY),
                empty=empty("availability, regulation or cost", "Availability is not reported."),
                level=3,
            ),
            Section(
                "future",
                "Future research",
                CLAIMS_TEMPLATE,
                cited(ClaimKind.FUTURE),
                empty=empty("future research", "No future research is proposed."),
                level=3,
            ),
        ],
    )


# ---------------------------------------------------------------- clinician page

CLINICIAN_SECTIONS = (
    "bottom-line",
    "verdict",
    "findings-summary",
    "safety-questions",
    "summary",
    "general",
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

    At most 24 queries, however much content there is: the condition, claims (4, with their
    checks and the paper's own records), studies (2, with their checks), indirect studies (2),
    grades, certainties (3), the route sections' claims (3), recommendations, conflicts (5,
    with both sides' checks), approved changes, cited sources and how the seeds printed them.
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
    evidence = _evidence_of(studies, indirect.studies, certainties)
    verdict.best = derive.best_evidence(evidence, grades)
    lines = bottom_lines(
        name,
        studies,
        indirect.studies,
        indirect.reasons,
        sof,
        route_claims,
        grades,
        derive.route_order(evidence),
    )
    # Guideline rows rest on claims the page shows, already loaded above.
    recommendations = [
        RecommendationRow(rec, CitedClaim(by_id[rec.claim_id]))
        for rec in condition.recommendations.filter(claim__in=list(by_id)).select_related(
            "strength__scale", "quality__scale", "graded_by"
        )
    ]
    conflicts = _conflicts(list(by_id))
    checks = _checks(claims)

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
                    empty=scoped_silence("a conclusion", name),
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
        "general": lambda: Section(
            "general",
            "LDN in general",
            GENERAL_LINK_TEMPLATE,
            [GeneralLink(reverse("conditions:general"))],
        ),
        "findings-summary": lambda: Section(
            "findings-summary",
            "Summary of findings",
            "includes/sections/_summary_of_findings.html",
            [sof] if sof.rows or sof.silent else [],
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
            [StudyRow(study, grades.level(study)) for study in studies]
            + [
                StudyRow(study, grades.level(study), indirect_reason=indirect.reasons[study.pk])
                for study in indirect.studies
            ],
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
            empty=f"No dosing is reported for {name} in particular.",
        ),
        "safety": lambda: Section(
            "safety",
            "Safety by route",
            GROUPS_TEMPLATE,
            _by_route(of_kind(ClaimKind.SAFETY)),
            empty=f"No safety data are reported for {name} in particular.",
        ),
        "mechanisms": lambda: Section(
            "mechanisms",
            "Proposed mechanisms",
            GROUPS_TEMPLATE,
            _by_mechanism(of_kind(ClaimKind.MECHANISM)),
            empty=f"No mechanism is described for {name} in particular.",
            note=MECHANISM_NOTE,
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
            empty=f"The articles do not say who with {name} in particular might benefit.",
        ),
        "limitations": lambda: _limitations(cited, name),
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
    for section in sections:
        section.folded = section.id in CLINICIAN_FOLDED
    # A topic the articles cover only for LDN in general gets one line, not an empty section.
    general_only = [s for s in sections if s.id in GENERAL_TOPICS and not s.items]
    link = next(s for s in sections if s.id == "general").items[0]
    assert isinstance(link, GeneralLink)
    link.general_only = [s.title[0].lower() + s.title[1:] for s in general_only]
    sections = [s for s in sections if s not in general_only]
    answer = Answer(verdict, lines.routes[0] if lines.routes else None)
    return ConditionPage(condition, build_page(sections), answer=answer)


# Secondary sections of the clinician page: their content folds under their heading, so the
# answer, the bottom line by route, the verdict and the safety questions come first.
CLINICIAN_FOLDED = frozenset(CLINICIAN_SECTIONS) - {
    "bottom-line",
    "verdict",
    "safety-questions",
    "general",
}

# Condition page sections that LDN in general also has.
GENERAL_TOPICS = ("dosing", "safety", "mechanisms", "candidates")


# ---------------------------------------------------------------- patient page

PATIENT_SECTIONS = ("about", *PlainSection.values, "safety-questions", "sure", "general")
GENERAL_LINK_TEMPLATE = "includes/sections/_general_link.html"

PLAIN_EMPTY = {
    PlainSection.HELPS: "The articles say nothing about whether LDN helps with {name}.",
    PlainSection.USE: "We have no sentence from the articles on how LDN is used for {name} "
    "in particular. How LDN is taken in general is on the LDN in general page.",
    # Silence is not safety: say that nobody reported on it, never that none were seen.
    PlainSection.SIDE_EFFECTS: "We have no sentence from the articles on side effects of LDN "
    "for {name} in particular. That means they were not studied or not reported, not that it "
    "is safe. Its side effects in general are on the LDN in general page.",
}
PATIENT_HEADINGS = ("What is LDN?", "What to ask your doctor", "Words used on this page")
CONTROLLED_DESIGNS = grading.RANDOMIZED_DESIGNS | {StudyDesign.NON_RANDOMIZED_CONTROLLED}
CLINICAL_EXCLUDED = grading.LABORATORY_DESIGNS | grading.OPINION_DESIGNS


def _plain_item_texts(page: Page) -> list[str]:
    """What a patient reads in the page's items beyond statements and certainty sentences:
    the safety answers, the editors' check badges in plain words, the general-page link."""
    texts: list[str] = []
    for section in page.sections:
        for item in section.items:
            if isinstance(item, PlainSafetyRoute):
                texts.append(item.title)
                for answer in item.answers:
                    texts += [said.text for said in answer.said]
                    texts += [cited.claim.statement for cited in answer.claims]
                    texts += [text for text in (answer.sentence, answer.ask) if text]
            elif isinstance(item, PlainItem):
                for badge in item.claim.checks:
                    texts += [badge.plain_label, badge.headline, "Read what they found"]
            elif isinstance(item, GeneralLink) and item.for_patients:
                texts.append(strip_tags(item.patient_text))
    return texts


def patient_page(slug: str) -> PatientPage:
    """Everything on the patient view of a condition, in PATIENT_SECTIONS order (≤ 13 queries:
    the condition, statements (3, with the checks of their claims), the indirect and direct
    studies (2), grades, certainties (3), the safety questions' claims, how the seeds list
    the cited sources)."""
    condition = _condition(slug)
    name = condition.name.lower()
    statements = list(
        PlainStatement.objects.filter(condition=condition)
        # Sentences the editors wrote for this page, on its claims or on LDN in general.
        .filter(
            _for_condition(condition, "claim__") | Q(claim__in=Claim.objects.filter(GENERAL)),
            claim__in=Claim.objects.published(),
        )
        .select_related("claim")
        .prefetch_related(
            Prefetch("claim__citations", CITATIONS),
            Prefetch("claim__primary_source_checks", CHECKS),
        )
    )
    said: dict[int, list[str]] = {}
    for statement in statements:
        said.setdefault(statement.claim_id, []).append(statement.text)
    indirect = _indirect(condition)
    studies = [
        *Study.objects.published()
        .filter(conditions=condition)
        .select_related("source", "intervention"),
        *indirect.studies,
    ]
    grades = GradeTable(grading.GRADE_SCALE)
    certainties = []
    for row in _certainties(condition, grades, studies, indirect):
        if row.ruling.code:  # an outcome with no approved clinical study gets no sentence
            row.sentence = certainty_sentence(
                row.certainty.route, row.certainty.outcome, row.ruling.code
            )
            down = [r.domain for r in row.certainty.ratings.all() if r.level_change < 0]
            down += [step.domain for step in row.ruling.rule_steps if step.level_change < 0]
            controlled = any(study.design in CONTROLLED_DESIGNS for study in row.studies)
            row.why = why_sentence(row.ruling.code, down, controlled)
            certainties.append(row)
    # Routes tested in people with the condition (or, indirectly, in a related group).
    routes = {
        study.intervention.route
        for study in studies
        if study.design not in CLINICAL_EXCLUDED and study.intervention and study.intervention.route
    }

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
            note=CERTAINTY_WORDING_NOTE,
        ),
        "general": Section(
            "general",
            "About LDN in general",
            GENERAL_LINK_TEMPLATE,
            [GeneralLink(reverse("conditions:general"), for_patients=True)],
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
    clinical = any(study.design not in CLINICAL_EXCLUDED for study in studies)
    questions = ask_your_doctor(name, routes, clinical)
    # Everything a patient reads in the main content, for the glossary and the reading grade.
    texts = [f"{condition.name}: low-dose naltrexone in plain language", SOURCES_PLAIN]
    texts += ["The blog post", "The AI-drafted page", WHAT_IS_LDN]
    for section in page.sections:
        texts.append(section.title)
        texts += [section.note] if section.note else []
        texts += [section.empty] if not section.items and section.empty else []
    texts.append(strip_tags(about.html))
    texts += [statement.text for statement in statements]
    texts += [text for row in certainties for text in (row.sentence, row.why) if text]
    texts.append("How we grade certainty")  # the link under the certainty sentences
    texts += _plain_item_texts(page)
    texts += [*PATIENT_HEADINGS[:2], *questions]
    glossary = glossary_for(texts)
    if glossary:
        texts.append(PATIENT_HEADINGS[2])
        texts += [f"{entry.term}: {entry.definition}." for entry in glossary]
    return PatientPage(condition, page, reading_grade(texts), WHAT_IS_LDN, questions, glossary)


# ---------------------------------------------------------------- pages across both apps


@dataclass
class StudyListRow:
    row: StudyRow
    conditions: list[Condition]
    # Conditions whose verdict uses the study as indirect evidence (it enrolled another group).
    indirect: list[Condition] = field(default_factory=list)


def study_list() -> list[StudyListRow]:
    """Published studies with their level, checks and the published conditions whose verdict
    rests on them, directly or as indirect evidence (5 queries)."""
    studies = published_studies().prefetch_related(
        Prefetch("conditions", Condition.objects.published()),
        Prefetch("indirect_for", Condition.objects.published()),
    )
    grades = GradeTable(grading.CEBM_SCALE)
    return [
        StudyListRow(
            StudyRow(study, grades.level(study)),
            list(study.conditions.all()),
            list(getattr(study, "indirect_for").all()),  # noqa: B009
        )
        for study in studies
    ]


@dataclass
class ClaimPage:
    claim: CitedClaim
    conditions: list[Condition]
    page: Page
    general: bool  # about LDN in general: shown on the LDN in general page


def claim_detail(key: str) -> ClaimPage:
    """A published claim, its citations with quotes, checks and conditions (≤ 6 queries)."""
    try:
        claim = published_claims().get(key=key)
    except Claim.DoesNotExist:
        raise Http404("No published claim has this key.") from None
    cited = CitedClaim(claim)
    checks: list[Item] = [CheckItem(check) for check in claim.primary_source_checks.all()]
    linked = list(claim.conditions.all())
    # A general claim (no condition linked) shows on the LDN in general page only.
    conditions = [condition for condition in linked if condition.is_published]
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
    return ClaimPage(cited, conditions, build_page(sections), general=not linked)


# ---------------------------------------------------------------- LDN in general

GENERAL_SECTIONS = (
    "safety-questions",
    "dosing",
    "safety",
    "mechanisms",
    "candidates",
    "limitations",
    "other",
    "plain",
    "disagree",
)
GENERAL_KINDS = {
    "dosing": (ClaimKind.DOSING,),
    "safety": (ClaimKind.SAFETY,),
    "mechanisms": (ClaimKind.MECHANISM,),
    "candidates": (ClaimKind.PATIENT_SELECTION,),
    "limitations": (ClaimKind.LIMITATION,),
    "availability": (ClaimKind.AVAILABILITY,),
    "future": (ClaimKind.FUTURE,),
}


@dataclass
class GeneralPage:
    page: Page


def general_page() -> GeneralPage:
    """Claims about LDN in general (linked to no condition), once, in GENERAL_SECTIONS order,
    with the safety questions by route, the patient pages' plain sentences that rest on them,
    conflicts and checks (≤ 19 queries)."""
    claims = list(published_claims().filter(GENERAL))

    def of_kind(*kinds: str) -> list[Claim]:
        return [claim for claim in claims if claim.kind in kinds]

    def cited(*kinds: str) -> list[Item]:
        return [CitedClaim(claim) for claim in of_kind(*kinds)]

    placed = {kind for kinds in GENERAL_KINDS.values() for kind in kinds}
    # One plain sentence per general claim, as a patient page words it.
    plain: dict[int, Item] = {}
    for statement in (
        PlainStatement.objects.filter(claim__in=[claim.pk for claim in claims])
        .select_related("claim")
        .prefetch_related(
            Prefetch("claim__citations", CITATIONS),
            Prefetch("claim__primary_source_checks", CHECKS),
        )
        .order_by("claim__key", "condition__name", "order")
    ):
        plain.setdefault(statement.claim_id, PlainItem(statement, CitedClaim(statement.claim)))
    sections = {
        "safety-questions": Section(
            "safety-questions",
            "Safety questions by route",
            "includes/sections/_safety_checklist.html",
            safety_checklist(_route_claims(None, safety_questions_only=True)),
            note="The questions prescribers ask of every drug and route. Where neither "
            "article answers one, the row says so.",
        ),
        "dosing": Section(
            "dosing",
            "Dosing and formulations by route",
            GROUPS_TEMPLATE,
            _by_route(of_kind(ClaimKind.DOSING)),
            empty="No dosing is reported.",
        ),
        "safety": Section(
            "safety",
            "Safety by route",
            GROUPS_TEMPLATE,
            _by_route(of_kind(ClaimKind.SAFETY)),
            empty="No safety data are reported.",
        ),
        "mechanisms": Section(
            "mechanisms",
            "Proposed mechanisms",
            GROUPS_TEMPLATE,
            _by_mechanism(of_kind(ClaimKind.MECHANISM)),
            empty="No mechanism is described.",
            note=MECHANISM_NOTE,
        ),
        "candidates": Section(
            "candidates",
            "Who might benefit",
            CLAIMS_TEMPLATE,
            cited(ClaimKind.PATIENT_SELECTION),
            empty="The articles do not say who might benefit.",
        ),
        "limitations": _limitations(cited),
        "other": Section(
            "other",
            "Other statements about LDN in general",
            CLAIMS_TEMPLATE,
            [CitedClaim(claim) for claim in claims if claim.kind not in placed],
        ),
        "plain": Section(
            "plain",
            "In plain words",
            "includes/sections/_plain.html",
            list(plain.values()),
            empty="No plain-language sentence rests on these statements yet.",
        ),
        "disagree": Section(
            "disagree",
            "Where sources disagree",
            "includes/sections/_conflicts.html",
            _conflicts([claim.pk for claim in claims]),
            empty="No disagreement between the articles is recorded for these statements.",
            subsections=[
                Section(
                    "checks",
                    "Primary-source checks",
                    "includes/sections/_checks.html",
                    _checks(claims),
                    empty="The editors have not checked any statement on this page against "
                    "its primary source.",
                    level=3,
                )
            ],
        ),
    }
    return GeneralPage(build_page([sections[section_id] for section_id in GENERAL_SECTIONS]))
