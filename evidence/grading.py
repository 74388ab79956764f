"""The editors' grading rules, in one place.

Everything ldnref grades itself is derived here from what is on record, so a grade can be
re-derived by anyone and shown with the rule's name. Editors store only judgements: GRADE
rating steps with their reasons, and an optional override with its reason. /methods/ prints
these rules. Nothing here queries the database: callers pass in the studies they loaded.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .choices import StudyDesign

# Oxford CEBM 2011, "What are the benefits of treatment?" row. A systematic review of
# non-randomized studies is held at the level of what it reviews (4), and a case report sits
# with case series (4). Narrative reviews and overviews are opinion, not graded evidence.
CEBM_LEVEL_BY_DESIGN: dict[StudyDesign, str | None] = {
    StudyDesign.SYSTEMATIC_REVIEW_RCTS: "1",
    StudyDesign.RCT: "2",
    StudyDesign.NON_RANDOMIZED_CONTROLLED: "3",
    StudyDesign.SYSTEMATIC_REVIEW_MIXED: "4",
    StudyDesign.OPEN_LABEL_TRIAL: "4",
    StudyDesign.CASE_SERIES: "4",
    StudyDesign.CASE_REPORT: "4",
    StudyDesign.IN_VITRO: "5",
    StudyDesign.EX_VIVO: "5",
    StudyDesign.NARRATIVE_REVIEW: None,
    StudyDesign.EXPERT_OVERVIEW: None,
}

RANDOMIZED_DESIGNS = frozenset({StudyDesign.SYSTEMATIC_REVIEW_RCTS, StudyDesign.RCT})
LABORATORY_DESIGNS = frozenset({StudyDesign.IN_VITRO, StudyDesign.EX_VIVO})
OPINION_DESIGNS = frozenset({StudyDesign.NARRATIVE_REVIEW, StudyDesign.EXPERT_OVERVIEW})

CEBM_SCALE = "oxford-cebm-2011"
SORT_SCALE = "sort"
GRADE_SCALE = "grade-certainty"
STRENGTH_SCALE = "strength-a-e"
QUALITY_SCALE = "quality-i-iv"

ASSIGNED_BY = "ldnref editors"
SORT_RULE = "ldnref SORT rule 2"
SORT_RULE_TEXT = (
    "B when the best evidence on record for the condition includes a randomized trial that "
    "enrolled people with the condition, on a patient-oriented outcome (its limited size or "
    "quality keeps it from A); C when the best evidence is non-randomized clinical studies, "
    "case series, case reports, expert opinion, laboratory and mechanism studies, or a trial "
    "of another or narrower group used as indirect evidence; no grade (\u201cinsufficient "
    "evidence\u201d) when nothing is on record. A is out of reach for the evidence in the "
    "seed articles. Only approved studies count, and the editors may depart from the rule "
    "only with a stated reason."
)
GRADE_RULE = "ldnref GRADE rule 2"
GRADE_RULE_TEXT = (
    "Certainty starts High when the body of evidence for an outcome includes a randomized "
    "trial and Low when it is observational only; each serious concern in a GRADE domain "
    "rates it down one level (very serious: two), each reason to rate up raises it one, and it "
    "never falls below Very low. When the body includes a study of another or narrower group "
    "(indirect evidence) and the editors recorded no indirectness step, the rule rates it "
    "down one level for indirectness, with the reason recorded for that study. Laboratory and "
    "mechanism studies get no certainty for clinical outcomes. The body of evidence is the "
    "outcome's studies among the approved studies of the condition, direct and indirect, the "
    "same set the verdict reads."
)

# GRADE certainty levels, best first; the codes are the Grade rows' codes.
GRADE_LEVELS = ("high", "moderate", "low", "very-low")


class HasDesign(Protocol):
    @property
    def design(self) -> str: ...


@dataclass(frozen=True)
class RuleStep:
    """A rating step the rule itself takes (not an editor's), with the reason it is taken."""

    domain: str
    level_change: int
    reason: str


@dataclass(frozen=True)
class Ruling:
    """What a rule gives, and the editors' override of it if they stored one."""

    rule: str
    rule_code: str | None
    override_code: str | None = None
    override_reason: str = ""
    rule_steps: tuple[RuleStep, ...] = ()

    @property
    def code(self) -> str | None:
        """The grade the page shows: the override if there is one, else the rule's."""
        return self.override_code if self.override_code is not None else self.rule_code

    @property
    def departs(self) -> bool:
        """True when the editors chose a grade other than the rule's."""
        return self.override_code is not None and self.override_code != self.rule_code


def cebm_level_code(design: str) -> str | None:
    """The Oxford CEBM 2011 level code for a study design, or None if it is not graded."""
    return CEBM_LEVEL_BY_DESIGN[StudyDesign(design)]


def sort_verdict_code(designs: Iterable[str], indirect_designs: Iterable[str] = ()) -> str | None:
    """The SORT code ("B", "C") that SORT_RULE gives a body of evidence, or None.

    Only a randomized trial of the condition's own patients (`designs`) earns B; a trial
    used as indirect evidence (`indirect_designs`) counts as C at best.
    """
    direct = {StudyDesign(design) for design in designs}
    indirect = {StudyDesign(design) for design in indirect_designs}
    if direct & RANDOMIZED_DESIGNS:
        return "B"
    return "C" if direct or indirect else None


def grade_starting_code(designs: Iterable[str]) -> str | None:
    """GRADE's starting certainty code for a body of clinical evidence, or None if there is none."""
    clinical = {StudyDesign(design) for design in designs} - LABORATORY_DESIGNS - OPINION_DESIGNS
    if not clinical:
        return None
    return "high" if clinical & RANDOMIZED_DESIGNS else "low"


def grade_final_code(starting_code: str, level_changes: Iterable[int]) -> str:
    """Apply rating changes (negative = down) to a starting certainty; floors at very low."""
    index = GRADE_LEVELS.index(starting_code) - sum(level_changes)
    return GRADE_LEVELS[min(max(index, 0), len(GRADE_LEVELS) - 1)]


def condition_verdict(
    studies: Iterable[HasDesign],
    override_code: str | None = None,
    override_reason: str = "",
    indirect: Iterable[HasDesign] = (),
) -> Ruling:
    """The SORT verdict for a condition from its approved direct and indirect studies."""
    code = sort_verdict_code((s.design for s in studies), (s.design for s in indirect))
    return Ruling(SORT_RULE, code, override_code, override_reason)


INDIRECTNESS = "indirectness"  # GradeDomain.INDIRECTNESS


def outcome_certainty(
    studies: Iterable[HasDesign],
    steps: Iterable[tuple[str, int]],
    override_code: str | None = None,
    override_reason: str = "",
    indirect_reasons: Sequence[str] = (),
) -> Ruling:
    """The GRADE certainty for one outcome from its approved studies and rating steps.

    `steps` are the editors' (domain, level change) judgements; `indirect_reasons` hold one
    reason per study of the body that is indirect evidence for the condition.
    """
    steps = list(steps)
    rule_steps: tuple[RuleStep, ...] = ()
    if indirect_reasons and not any(domain == INDIRECTNESS for domain, _ in steps):
        rule_steps = (RuleStep(INDIRECTNESS, -1, " ".join(dict.fromkeys(indirect_reasons))),)
    changes = [change for _, change in steps] + [step.level_change for step in rule_steps]
    start = grade_starting_code(s.design for s in studies)
    code = None if start is None else grade_final_code(start, changes)
    return Ruling(GRADE_RULE, code, override_code, override_reason, rule_steps)
