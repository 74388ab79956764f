"""The grades ldnref derives itself: CEBM levels, the SORT verdict rule and GRADE certainty."""

import pytest

from conditions.models import CertaintyRating, GradeDomain, OutcomeCertainty
from evidence import grading
from evidence.grading import StudyDesign
from evidence.models import Outcome, ReviewStatus, Route
from tests.factories import make_condition, make_grade, make_study

# Expected levels written from ../shared/GRADING.md (Oxford CEBM 2011, treatment benefits),
# not from grading.py.
CEBM_2011 = {
    # 1: "Systematic review of randomised trials or n-of-1 trials"
    StudyDesign.SYSTEMATIC_REVIEW_RCTS: "1",
    # 2: "Randomised trial or observational study with dramatic effect"
    StudyDesign.RCT: "2",
    # 3: "Non-randomised controlled cohort/follow-up study"
    StudyDesign.NON_RANDOMIZED_CONTROLLED: "3",
    # 4: "Case series, case-control studies, or historically controlled studies". An
    # uncontrolled open-label trial is a case series of treated patients; a case report is a
    # series of one; a review of such studies is no stronger than what it reviews.
    StudyDesign.OPEN_LABEL_TRIAL: "4",
    StudyDesign.CASE_SERIES: "4",
    StudyDesign.CASE_REPORT: "4",
    StudyDesign.SYSTEMATIC_REVIEW_MIXED: "4",
    # 5: "Mechanism-based reasoning"; "in vitro and ex vivo studies ... are level 5".
    StudyDesign.IN_VITRO: "5",
    StudyDesign.EX_VIVO: "5",
    # "narrative reviews are not graded as evidence themselves"; an overview is opinion too.
    StudyDesign.NARRATIVE_REVIEW: None,
    StudyDesign.EXPERT_OVERVIEW: None,
}


def test_every_study_design_has_a_cebm_level_on_record_here():
    assert set(CEBM_2011) == set(StudyDesign)


@pytest.mark.parametrize(("design", "level"), CEBM_2011.items())
def test_the_cebm_level_follows_the_oxford_2011_table(design, level):
    assert grading.cebm_level_code(design) == level


@pytest.mark.django_db
def test_a_study_shows_the_level_of_its_design():
    assert make_study(design=StudyDesign.RCT).level_code == "2"
    assert make_study(design=StudyDesign.CASE_SERIES).level_code == "4"
    assert make_study(design=StudyDesign.NARRATIVE_REVIEW).level_code is None


# ---------------------------------------------------------------- SORT verdict


@pytest.mark.parametrize(
    ("designs", "verdict"),
    [
        ([], None),
        ([StudyDesign.RCT], "B"),
        ([StudyDesign.CASE_SERIES, StudyDesign.RCT], "B"),
        ([StudyDesign.SYSTEMATIC_REVIEW_RCTS], "B"),
        ([StudyDesign.CASE_SERIES], "C"),
        ([StudyDesign.OPEN_LABEL_TRIAL, StudyDesign.CASE_REPORT], "C"),
        ([StudyDesign.IN_VITRO], "C"),
    ],
)
def test_the_sort_rule_grades_the_best_evidence_on_record(designs, verdict):
    assert grading.sort_verdict_code(designs) == verdict


@pytest.mark.django_db
def test_a_condition_verdict_counts_only_published_studies():
    condition = make_condition()
    assert condition.rule_verdict_code() is None

    condition.studies.add(make_study(design=StudyDesign.RCT, status=ReviewStatus.DRAFT))
    condition.studies.add(make_study(design=StudyDesign.CASE_SERIES, status=ReviewStatus.APPROVED))
    assert condition.rule_verdict_code() == "C"

    condition.studies.add(make_study(design=StudyDesign.RCT, status=ReviewStatus.APPROVED))
    assert condition.rule_verdict_code() == "B"


# ---------------------------------------------------------------- GRADE certainty


@pytest.mark.parametrize(
    ("designs", "start"),
    [
        ([StudyDesign.RCT], "high"),
        ([StudyDesign.RCT, StudyDesign.CASE_SERIES], "high"),
        ([StudyDesign.OPEN_LABEL_TRIAL], "low"),
        ([StudyDesign.CASE_REPORT, StudyDesign.IN_VITRO], "low"),
        ([StudyDesign.IN_VITRO, StudyDesign.EX_VIVO], None),
        ([StudyDesign.NARRATIVE_REVIEW], None),
        ([], None),
    ],
)
def test_grade_certainty_starts_high_for_trials_and_low_for_observation(designs, start):
    assert grading.grade_starting_code(designs) == start


@pytest.mark.parametrize(
    ("start", "changes", "final"),
    [
        ("high", [], "high"),
        ("high", [-1], "moderate"),
        ("high", [-1, -2], "very-low"),
        ("low", [-1], "very-low"),
        ("low", [-2, -1], "very-low"),  # floors at very low
        ("low", [1], "moderate"),
        ("high", [1], "high"),  # and tops out at high
        ("moderate", [-1, 1], "moderate"),
    ],
)
def test_grade_certainty_moves_one_level_per_rating_and_floors_at_very_low(start, changes, final):
    assert grading.grade_final_code(start, changes) == final


@pytest.mark.django_db
def test_an_outcome_certainty_applies_its_stored_ratings():
    certainty = OutcomeCertainty.objects.create(
        condition=make_condition(),
        outcome=Outcome.ITCH_RELIEF,
        route=Route.TOPICAL,
        certainty=make_grade(grading.GRADE_SCALE, code="very-low"),
        rationale="One small open-label trial.",
    )
    certainty.studies.add(make_study(design=StudyDesign.OPEN_LABEL_TRIAL, n=15))
    for domain in (GradeDomain.RISK_OF_BIAS, GradeDomain.IMPRECISION):
        CertaintyRating.objects.create(
            certainty=certainty, domain=domain, level_change=-1, reason="Serious."
        )

    assert certainty.starting_code() == "low"
    assert certainty.rule_certainty_code() == "very-low"
