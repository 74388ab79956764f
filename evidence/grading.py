"""The editors' grading rules, in one place.

Everything ldnref grades itself is derived here from what is on record, so a grade can be
re-derived by anyone and shown with the rule's name. /methods/ prints these tables.
"""

from django.db import models


class StudyDesign(models.TextChoices):
    SYSTEMATIC_REVIEW_RCTS = "sr-rct", "Systematic review of randomized trials"
    SYSTEMATIC_REVIEW_MIXED = "sr-mixed", "Systematic review of mixed or non-randomized studies"
    RCT = "rct", "Randomized controlled trial"
    NON_RANDOMIZED_CONTROLLED = "nrct", "Non-randomized controlled study"
    OPEN_LABEL_TRIAL = "open-label", "Open-label uncontrolled trial"
    CASE_SERIES = "case-series", "Case series"
    CASE_REPORT = "case-report", "Case report"
    IN_VITRO = "in-vitro", "In vitro study"
    EX_VIVO = "ex-vivo", "Ex vivo study"
    NARRATIVE_REVIEW = "narrative-review", "Narrative review"
    EXPERT_OVERVIEW = "expert-overview", "Expert or publisher overview"


# Oxford CEBM 2011, "What are the benefits of treatment?" row. A systematic review of
# non-randomized studies is held at the level of what it reviews (4), and a case report sits
# with case series (4). Narrative reviews and overviews are opinion, not graded evidence.
CEBM_LEVEL_BY_DESIGN = {
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

CEBM_SCALE = "oxford-cebm-2011"
SORT_SCALE = "sort"
GRADE_SCALE = "grade-certainty"
STRENGTH_SCALE = "strength-a-e"
QUALITY_SCALE = "quality-i-iv"

ASSIGNED_BY = "ldnref editors"
SORT_RULE = "ldnref SORT rule 1"
SORT_RULE_TEXT = (
    "B when the best evidence on record for the condition includes a randomized trial on a "
    "patient-oriented outcome (its limited size or quality keeps it from A); C when the best "
    "evidence is non-randomized clinical studies, case series, case reports, expert opinion, "
    "or laboratory and mechanism studies; no grade (\u201cinsufficient evidence\u201d) when "
    "nothing is on record. A is out of reach for the evidence in the seed articles."
)
GRADE_RULE = "ldnref GRADE rule 1"
GRADE_RULE_TEXT = (
    "Certainty starts High when the body of evidence for an outcome includes a randomized "
    "trial and Low when it is observational only; each serious concern in a GRADE domain "
    "rates it down one level (very serious: two), each reason to rate up raises it one, and it "
    "never falls below Very low. Laboratory and mechanism studies get no certainty for "
    "clinical outcomes."
)

# GRADE certainty levels, best first; the codes are the Grade rows' codes.
GRADE_LEVELS = ("high", "moderate", "low", "very-low")


def cebm_level_code(design):
    """The Oxford CEBM 2011 level code for a study design, or None if it is not graded."""
    return CEBM_LEVEL_BY_DESIGN[StudyDesign(design)]


def sort_verdict_code(designs):
    """The SORT code ("B", "C") that SORT_RULE gives a body of evidence, or None."""
    designs = {StudyDesign(design) for design in designs}
    if not designs:
        return None
    if designs & RANDOMIZED_DESIGNS:
        return "B"
    return "C"


def grade_starting_code(designs):
    """GRADE's starting certainty code for a body of clinical evidence, or None if there is none."""
    clinical = {StudyDesign(design) for design in designs} - LABORATORY_DESIGNS
    clinical -= {StudyDesign.NARRATIVE_REVIEW, StudyDesign.EXPERT_OVERVIEW}
    if not clinical:
        return None
    return "high" if clinical & RANDOMIZED_DESIGNS else "low"


def grade_final_code(starting_code, level_changes):
    """Apply rating changes (negative = down) to a starting certainty; floors at very low."""
    index = GRADE_LEVELS.index(starting_code) - sum(level_changes)
    return GRADE_LEVELS[min(max(index, 0), len(GRADE_LEVELS) - 1)]
