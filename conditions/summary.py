"""The top of a condition page: a bottom line per route, the Summary of Findings table and the
prescriber's safety questions per route (in plain words on the patient page).

Everything here is derived from what is on record: study records (design, n, level, result,
regimen), outcome certainties with their rating steps, and published claims with their
citations. Nothing is stored or written here; the fixed wording below is site text that states
no medical fact ("not reported by either article", "ask your doctor"). Nothing here queries
the database: the page selectors pass in what they loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from string import ascii_lowercase

from evidence import grading
from evidence.choices import ClaimKind, GradeDomain, Outcome, Route, SafetyQuestion, StudyDesign
from evidence.models import Claim, Grade, Intervention, Study
from evidence.pages import CheckBadge, CitedClaim, Item, PageNumbering, badges
from evidence.rendering import Cite
from evidence.selectors import GradeTable

from .derive import study_routes
from .models import OutcomeCertainty

ROUTES = (Route.TOPICAL, Route.ORAL)

# What a study compared LDN with, read from its design alone (the effect itself is the
# study record's `result`, as reported).
COMPARATOR_BY_DESIGN: dict[StudyDesign, str] = {
    StudyDesign.SYSTEMATIC_REVIEW_RCTS: "review of randomized trials",
    StudyDesign.SYSTEMATIC_REVIEW_MIXED: "review of mixed or non-randomized studies",
    StudyDesign.RCT: "randomized comparison",
    StudyDesign.NON_RANDOMIZED_CONTROLLED: "non-randomized comparison group",
    StudyDesign.OPEN_LABEL_TRIAL: "no comparison group",
    StudyDesign.CASE_SERIES: "no comparison group",
    StudyDesign.CASE_REPORT: "no comparison group",
    StudyDesign.IN_VITRO: "laboratory study",
    StudyDesign.EX_VIVO: "laboratory study",
    StudyDesign.NARRATIVE_REVIEW: "opinion; no data of its own",
    StudyDesign.EXPERT_OVERVIEW: "opinion; no data of its own",
}

NOT_REPORTED = "Not reported"


# ---------------------------------------------------------------- what a route rests on


class RouteEvidence:
    """What evidence a route has for a condition, from the designs of its studies."""

    CLINICAL = "clinical"
    INDIRECT_ONLY = "indirect-only"
    LABORATORY_ONLY = "laboratory-only"
    OPINION_ONLY = "opinion-only"
    NONE = "none"

    TEXT = {
        CLINICAL: "clinical studies on record",
        INDIRECT_ONLY: "indirect evidence only (studies of other groups)",
        LABORATORY_ONLY: "laboratory study only",
        OPINION_ONLY: "opinion only; no clinical study reported",
        NONE: "no study reported",
    }

    @classmethod
    def of(cls, direct: Sequence[Study], indirect: Sequence[Study]) -> str:
        def clinical(studies: Sequence[Study]) -> bool:
            non_clinical = grading.LABORATORY_DESIGNS | grading.OPINION_DESIGNS
            return any(StudyDesign(s.design) not in non_clinical for s in studies)

        if clinical(direct):
            return cls.CLINICAL
        if clinical(indirect):
            return cls.INDIRECT_ONLY
        studies = [*direct, *indirect]
        if any(StudyDesign(s.design) in grading.LABORATORY_DESIGNS for s in studies):
            return cls.LABORATORY_ONLY
        return cls.OPINION_ONLY if studies else cls.NONE


@dataclass
class RouteStudy:
    """A study as evidence for a route, with its derived level and its paper's citation."""

    study: Study
    level: Grade | None
    indirect_reason: str = ""  # why the study is only indirect evidence; "" for direct
    cite: Cite | None = None
    checks: list[CheckBadge] = field(default_factory=list)

    def __post_init__(self) -> None:  # the study's checks come prefetched with it
        self.checks = badges(self.study.primary_source_checks.all(), self.study.get_absolute_url())

    def number(self, page: PageNumbering) -> None:
        self.cite = page.cite(self.study.source)
        self.checks = page.once(self.checks)


def _strength(ref: RouteStudy) -> tuple[int, int, int]:
    """Sort key, best first: lower CEBM level, direct before indirect, more participants."""
    level = ref.level.rank if ref.level else 99
    return (level, 1 if ref.indirect_reason else 0, -(ref.study.n or 0))


def _routes_of(study: Study, by_certainty: Mapping[int, set[str]]) -> set[str]:
    """The routes a study is evidence for: its regimen's route and its outcomes' routes."""
    route = study.intervention.route if study.intervention else ""
    return set(study_routes(route, by_certainty.get(study.pk, ())))


# ---------------------------------------------------------------- Summary of Findings


@dataclass(frozen=True)
class SofNote:
    """One footnote of the table: a rating step (the editors' or the rule's) with its reason."""

    letter: str
    domain: str
    level_change: int
    reason: str
    by_rule: bool

    @property
    def anchor(self) -> str:
        return f"sof-note-{self.letter}"

    @property
    def direction(self) -> str:
        levels = "one level" if abs(self.level_change) == 1 else "two levels"
        return f"Rated {'down' if self.level_change < 0 else 'up'} {levels}"


@dataclass
class SofEffect:
    """One study's effect as reported, with what it was compared with.

    For a benefit, the effect is the study record's `result`. For adverse effects it is the
    cited claims about the study's harms (`harms`); the record's result is about benefit.
    """

    study: Study
    comparator: str
    indirect_reason: str = ""
    harms_outcome: bool = False
    harms: list[CitedClaim] = field(default_factory=list)
    checks: list[CheckBadge] = field(default_factory=list)

    def __post_init__(self) -> None:  # the study's checks come prefetched with it
        self.checks = badges(self.study.primary_source_checks.all(), self.study.get_absolute_url())

    cite: Cite | None = None

    def number(self, page: PageNumbering) -> None:
        self.cite = page.cite(self.study.source)
        self.checks = page.once(self.checks)
        for claim in self.harms:
            claim.number(page)


@dataclass
class SofRow:
    """One outcome by one route: studies (k), participants (n), effect, certainty, footnotes."""

    certainty: OutcomeCertainty
    ruling: grading.Ruling
    grade: Grade | None
    rule_grade: Grade | None
    effects: list[SofEffect]
    notes: list[SofNote]
    participants: int | None  # summed over the studies that report n; None if none does
    participants_missing: int  # studies whose n is not reported

    @property
    def k(self) -> int:
        return len(self.effects)

    @property
    def anchor(self) -> str:
        return f"sof-{self.certainty.outcome}-{self.certainty.route}"

    def number(self, page: PageNumbering) -> None:
        for effect in self.effects:
            effect.number(page)


@dataclass
class SofSilentRoute:
    """A route with no graded outcome: every cell reads "Not reported"."""

    route: str
    route_label: str
    evidence: str  # a RouteEvidence code
    evidence_text: str


@dataclass
class SummaryOfFindings:
    """The GRADE/Cochrane Summary of Findings table of a condition (one item of its section)."""

    population: str
    setting: str
    intervention: str
    comparison: str
    rule: str
    rows: list[SofRow]
    silent: list[SofSilentRoute]
    notes: list[SofNote]

    def number(self, page: PageNumbering) -> None:
        for row in self.rows:
            row.number(page)


def _letter(index: int) -> str:
    """a, b, …, z, aa, ab, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = ascii_lowercase[rest] + letters
    return letters


@dataclass
class CertaintyInput:
    """What the table needs of one outcome certainty, as the page selector derived it."""

    certainty: OutcomeCertainty
    ruling: grading.Ruling
    grade: Grade | None
    rule_grade: Grade | None
    studies: list[Study]  # the outcome's body of evidence


def _row_order(item: CertaintyInput) -> tuple[int, int]:
    """Benefits first and harms last, as a Summary of Findings lists them; then by route."""
    outcomes = [value for value in Outcome.values if value != Outcome.ADVERSE_EFFECTS]
    outcomes.append(Outcome.ADVERSE_EFFECTS)
    routes = [str(route) for route in ROUTES]
    return outcomes.index(item.certainty.outcome), routes.index(item.certainty.route)


def summary_of_findings(
    condition_name: str,
    certainties: Sequence[CertaintyInput],
    indirect_reasons: Mapping[int, str],
    silent: Sequence[SofSilentRoute],
    claims: Iterable[RouteClaim] = (),
) -> SummaryOfFindings:
    """The table for a condition from its outcome certainties (no queries: the ratings of
    each certainty must be prefetched). `claims` are the page's route claims: those about a
    study's adverse effects fill the effect cell of an adverse-effects row."""
    harms: dict[int, list[Claim]] = {}
    for route_claim in claims:
        claim = route_claim.claim
        if claim.study_id and claim.outcome == Outcome.ADVERSE_EFFECTS:
            harms.setdefault(claim.study_id, []).append(claim)
    notes: dict[tuple[str, int, str, bool], SofNote] = {}

    def note(domain: str, change: int, reason: str, by_rule: bool) -> SofNote:
        key = (domain, change, reason, by_rule)
        if key not in notes:
            label = GradeDomain(domain).label
            notes[key] = SofNote(_letter(len(notes)), label, change, reason, by_rule)
        return notes[key]

    rows = []
    for item in sorted(certainties, key=_row_order):
        about_harms = item.certainty.outcome == Outcome.ADVERSE_EFFECTS
        steps = [
            note(rating.domain, rating.level_change, rating.reason, False)
            for rating in item.certainty.ratings.all()
        ]
        steps += [
            note(step.domain, step.level_change, step.reason, True)
            for step in item.ruling.rule_steps
        ]
        reported = [study.n for study in item.studies if study.n is not None]
        effects = [
            SofEffect(
                study,
                COMPARATOR_BY_DESIGN[StudyDesign(study.design)],
                indirect_reasons.get(study.pk, ""),
                about_harms,
                [CitedClaim(c) for c in harms.get(study.pk, [])] if about_harms else [],
            )
            for study in item.studies
        ]
        rows.append(
            SofRow(
                item.certainty,
                item.ruling,
                item.grade,
                item.rule_grade,
                effects,
                steps,
                sum(reported) if reported else None,
                len(item.studies) - len(reported),
            )
        )
    studies = [effect.study for row in rows for effect in row.effects]
    regimens = dict.fromkeys(s.intervention.name for s in studies if s.intervention)
    comparators = dict.fromkeys(effect.comparator for row in rows for effect in row.effects)
    population = f"People with {condition_name}"
    if any(effect.indirect_reason for row in rows for effect in row.effects):
        population += "; some studies enrolled other groups (indirect evidence, see footnotes)"
    return SummaryOfFindings(
        population=population,
        setting=NOT_REPORTED,
        intervention="Low-dose naltrexone (LDN)"
        + (f": {'; '.join(regimens)}" if regimens else ", regimen not reported"),
        comparison="; ".join(comparators).capitalize() if comparators else NOT_REPORTED,
        rule=grading.GRADE_RULE,
        rows=rows,
        silent=list(silent),
        notes=list(notes.values()),
    )


# ---------------------------------------------------------------- bottom line per route


@dataclass
class Regimen:
    """A regimen as a study record reports it, citing the studies that used it."""

    intervention: Intervention
    studies: list[RouteStudy]

    def number(self, page: PageNumbering) -> None:
        for ref in self.studies:
            ref.number(page)


@dataclass
class RouteCertainty:
    """One outcome's certainty for the route, pointing at its row of the table."""

    outcome: str
    grade: Grade | None
    anchor: str


@dataclass
class BottomLine:
    """One route in a few lines: best evidence, dose, harms, certainty and verdict."""

    route: str
    route_label: str
    evidence: str  # a RouteEvidence code
    headline: str
    best: list[RouteStudy]
    regimens: list[Regimen]
    dosing: list[CitedClaim]  # claims about this condition
    general_dosing: list[CitedClaim]  # about LDN in general: only when the above are empty
    harms: list[CitedClaim]
    general_harms: list[CitedClaim]
    certainties: list[RouteCertainty]
    verdict: grading.Ruling
    verdict_grade: Grade | None

    def number(self, page: PageNumbering) -> None:
        # In the order the card prints them, so the footnotes read in order.
        items: list[Item] = [*self.best, *self.regimens, *self.dosing, *self.general_dosing]
        items += [*self.harms, *self.general_harms]
        for item in items:
            item.number(page)


@dataclass
class BottomLines:
    """The bottom line of each route, and the studies whose route is not reported."""

    routes: list[BottomLine]
    unrouted: list[RouteStudy] = field(default_factory=list)

    def number(self, page: PageNumbering) -> None:
        for line in self.routes:
            line.number(page)
        for ref in self.unrouted:
            ref.number(page)


def _cited(found: Iterable[RouteClaim], general: bool) -> list[CitedClaim]:
    return [CitedClaim(c.claim) for c in found if c.general == general]


def for_route(claim: Claim, route: str) -> bool:
    """A claim speaks to a route when it names it or names none."""
    return claim.route in ("", route)


def bottom_lines(
    condition_name: str,
    direct: Sequence[Study],
    indirect: Sequence[Study],
    indirect_reasons: Mapping[int, str],
    sof: SummaryOfFindings,
    claims: Iterable[RouteClaim],
    grades: GradeTable,
    routes: Sequence[str] = ROUTES,
) -> BottomLines:
    """A bottom line for each route, in `routes` order (the route of the best evidence first:
    derive.route_order()), from the studies, the table's rows and the page's claims."""
    by_certainty: dict[int, set[str]] = {}
    for row in sof.rows:
        for effect in row.effects:
            by_certainty.setdefault(effect.study.pk, set()).add(row.certainty.route)
    claims = list(claims)

    def refs(studies: Iterable[Study]) -> list[RouteStudy]:
        return [
            RouteStudy(s, grades.level(s), indirect_reasons.get(s.pk, ""))
            for s in sorted(studies, key=lambda s: s.label)
        ]

    lines = []
    for route in routes:
        label = Route(route).label
        mine = [s for s in direct if route in _routes_of(s, by_certainty)]
        others = [s for s in indirect if route in _routes_of(s, by_certainty)]
        evidence = RouteEvidence.of(mine, others)
        ranked = sorted(refs([*mine, *others]), key=_strength)
        best = ranked[:1]
        if ranked and ranked[0].indirect_reason:  # also the best of the condition's own
            best += [ref for ref in ranked if not ref.indirect_reason][:1]
        if best and evidence == RouteEvidence.CLINICAL:
            design = best[0].study.get_design_display().lower()
            size = "" if best[0].study.n is None else f" (n={best[0].study.n})"
            article = "an" if design[0] in "aeiou" else "a"
            headline_evidence = f"best evidence is {article} {design}{size}"
        else:
            headline_evidence = RouteEvidence.TEXT[evidence]
        regimens: dict[int, Regimen] = {}
        for study in [*mine, *others]:
            if study.intervention and study.intervention.route in ("", route):
                regimen = regimens.setdefault(
                    study.intervention.pk, Regimen(study.intervention, [])
                )
                regimen.studies += refs([study])
        route_ids = {s.pk for s in [*mine, *others]}
        kinds: dict[str, list[RouteClaim]] = {ClaimKind.DOSING: [], ClaimKind.SAFETY: []}
        for claim in claims:
            if claim.claim.kind in kinds and for_route(claim.claim, route):
                kinds[claim.claim.kind].append(claim)
        # Key harms: adverse effects, and whatever rests on this route's studies.
        kinds[ClaimKind.SAFETY] = [
            c
            for c in kinds[ClaimKind.SAFETY]
            if c.claim.outcome == Outcome.ADVERSE_EFFECTS or c.claim.study_id in route_ids
        ]

        dosing = _cited(kinds[ClaimKind.DOSING], False)
        harms = _cited(kinds[ClaimKind.SAFETY], False)
        untried = evidence == RouteEvidence.NONE

        ruling = grading.condition_verdict(mine, indirect=others)
        lines.append(
            BottomLine(
                route=route,
                route_label=label,
                evidence=evidence,
                headline=f"{label} LDN for {condition_name}: {headline_evidence}.",
                best=best,
                regimens=list(regimens.values()),
                dosing=dosing,
                # LDN in general only where the condition has nothing of its own, and never
                # for a route with no study of the condition (no dose where none was tried).
                general_dosing=[]
                if dosing or regimens or untried
                else _cited(kinds[ClaimKind.DOSING], True),
                harms=harms,
                general_harms=[] if harms or untried else _cited(kinds[ClaimKind.SAFETY], True),
                certainties=[
                    RouteCertainty(row.certainty.get_outcome_display(), row.grade, row.anchor)
                    for row in sof.rows
                    if row.certainty.route == route
                ],
                verdict=ruling,
                verdict_grade=grades.get(grading.SORT_SCALE, ruling.code),
            )
        )
    unrouted = [s for s in [*direct, *indirect] if not _routes_of(s, by_certainty)]
    return BottomLines(lines, refs(unrouted))


def silent_routes(
    rows: Sequence[CertaintyInput],
    direct: Sequence[Study],
    indirect: Sequence[Study],
) -> list[SofSilentRoute]:
    """The routes with no outcome certainty, each with what evidence it has instead."""
    graded = {item.certainty.route for item in rows}
    by_certainty: dict[int, set[str]] = {}
    for item in rows:
        for study in item.studies:
            by_certainty.setdefault(study.pk, set()).add(item.certainty.route)
    silent = []
    for route in ROUTES:
        if route in graded:
            continue
        mine = [s for s in direct if route in _routes_of(s, by_certainty)]
        others = [s for s in indirect if route in _routes_of(s, by_certainty)]
        evidence = RouteEvidence.of(mine, others)
        silent.append(
            SofSilentRoute(route, Route(route).label, evidence, RouteEvidence.TEXT[evidence])
        )
    return silent


# ---------------------------------------------------------------- safety questions


@dataclass
class RouteClaim:
    """A published claim the route sections may cite, and whether it is about LDN in general."""

    claim: Claim
    general: bool


@dataclass
class SafetyAnswer:
    """What the articles say on one safety question for one route: cited claims, or nothing."""

    route: str
    claims: list[CitedClaim]

    def number(self, page: PageNumbering) -> None:
        for claim in self.claims:
            claim.number(page)


@dataclass
class SafetyRow:
    """One of the prescriber's safety questions, answered for each route in ROUTES order."""

    question: str
    label: str
    answers: list[SafetyAnswer]

    def number(self, page: PageNumbering) -> None:
        for answer in self.answers:
            answer.number(page)


def safety_checklist(claims: Iterable[RouteClaim]) -> list[SafetyRow]:
    """Every SafetyQuestion for every route, in the choices' order, with the claims tagged
    with it for that route (or for no route in particular)."""
    claims = list(claims)
    return [
        SafetyRow(
            question,
            label,
            [
                SafetyAnswer(
                    route,
                    [
                        CitedClaim(c.claim)
                        for c in claims
                        if c.claim.safety_question == question and for_route(c.claim, route)
                    ],
                )
                for route in ROUTES
            ],
        )
        for question, label in SafetyQuestion.choices
    ]


# Fixed site text for the patient page: what to ask, never a medical fact.
PLAIN_SILENT = {
    SafetyQuestion.CONTRAINDICATIONS: "The articles don't say who should not use it.",
    SafetyQuestion.OPIOIDS: "The articles don't say if it is safe to use with opioid "
    "medicines, such as strong painkillers.",
    SafetyQuestion.PREGNANCY: "The articles don't say whether it is safe in pregnancy or "
    "while breastfeeding.",
    SafetyQuestion.LIVER_KIDNEY: "The articles don't say whether it is safe if you have liver "
    "or kidney disease.",
    SafetyQuestion.INTERACTIONS: "The articles don't say if it mixes badly with other medicines.",
    SafetyQuestion.MONITORING: "The articles don't say what checks or tests you need while "
    "you use it.",
    SafetyQuestion.TRIAL_LENGTH: "The articles don't say how long to try it before you know "
    "if it works.",
    SafetyQuestion.STOPPING: "The articles don't say how to stop it.",
}
PLAIN_TOPIC = {
    SafetyQuestion.CONTRAINDICATIONS: "who should not use it",
    SafetyQuestion.OPIOIDS: "using it with opioid medicines",
    SafetyQuestion.PREGNANCY: "pregnancy and breastfeeding",
    SafetyQuestion.LIVER_KIDNEY: "liver and kidney disease",
    SafetyQuestion.INTERACTIONS: "other medicines",
    SafetyQuestion.MONITORING: "checks while you use it",
    SafetyQuestion.TRIAL_LENGTH: "how long to try it",
    SafetyQuestion.STOPPING: "how to stop it",
}
PLAIN_ROUTE = {Route.TOPICAL: "LDN cream on the skin", Route.ORAL: "LDN taken by mouth"}
ASK = "Ask your doctor."
ASK_ABOUT = "Ask your doctor what it means for you."


@dataclass
class PlainSaid:
    """A patient page's plain sentence tied to a claim that answers a safety question."""

    text: str
    claim: CitedClaim

    def number(self, page: PageNumbering) -> None:
        self.claim.number(page)


@dataclass
class PlainSafetyAnswer:
    """One safety question in plain words for one route.

    `said` holds the patient page's plain sentences tied to the answering claims. `sentence`
    is fixed site text: what the articles leave open, or, for answering claims with no plain
    sentence (`claims`, cited after it), that the articles say something on the question.
    `ask` tells the reader to ask their doctor.
    """

    question: str
    sentence: str
    claims: list[CitedClaim]
    said: list[PlainSaid]
    ask: str

    @property
    def answered(self) -> bool:
        return bool(self.claims or self.said)

    def number(self, page: PageNumbering) -> None:
        for said in self.said:
            said.number(page)
        for claim in self.claims:
            claim.number(page)


@dataclass
class PlainSafetyRoute:
    """The safety questions for one route, in plain words."""

    route: str
    title: str
    answers: list[PlainSafetyAnswer]

    def number(self, page: PageNumbering) -> None:
        for answer in self.answers:
            answer.number(page)


def plain_safety(
    checklist: Sequence[SafetyRow], statements: Mapping[int, list[str]]
) -> list[PlainSafetyRoute]:
    """The checklist in plain words per route; `statements` maps a claim's primary key to the
    patient page's plain sentences tied to it."""
    routes = []
    for index, route in enumerate(ROUTES):
        answers = []
        for row in checklist:
            question = SafetyQuestion(row.question)
            # Fresh CitedClaims: the clinician checklist and this list number separately.
            answering = [c.claim for c in row.answers[index].claims]
            said = [
                PlainSaid(text, CitedClaim(claim))
                for claim in answering
                for text in statements.get(claim.pk, [])
            ]
            unsaid = [CitedClaim(c) for c in answering if not statements.get(c.pk)]
            if not answering:
                sentence, ask = PLAIN_SILENT[question], ASK
            else:
                sentence = f"Here is what the articles say about {PLAIN_TOPIC[question]}."
                ask = ASK_ABOUT
            answers.append(
                PlainSafetyAnswer(
                    row.question, sentence if unsaid or not said else "", unsaid, said, ask
                )
            )
        routes.append(PlainSafetyRoute(route, PLAIN_ROUTE[route], answers))
    return routes
