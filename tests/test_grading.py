"""The grades ldnref derives itself: CEBM levels, the SORT verdict rule and GRADE certainty."""

import pytest

from conditions.models import Condition, IndirectEvidence, OutcomeCertainty
from evidence import grading
from evidence.choices import Outcome, ReviewStatus, StudyDesign
from evidence.models import Grade
from tests.factories import make_check, make_study
from tests.pages import get_page, parse_html

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


# ---------------------------------------------------------------- grades follow the data
# Psoriasis in the fixtures: a case series, a case report and a laboratory study, so SORT C;
# its oral global-improvement certainty rests on the case series (starts low) and is rated
# down twice (risk of bias, imprecision), so very low.


def verdict_text(client):
    return get_page(client, "/conditions/psoriasis/").section("Verdict").text()


def certainty_row(client, outcome="Overall improvement"):
    table = get_page(client, "/conditions/psoriasis/").section("Summary of findings")
    return next(row.text() for row in table.iter("tr") if row.text().startswith(outcome))


def certainty_notes(client, outcome="Overall improvement"):
    """The Summary of Findings footnotes that a row's letters point to."""
    table = get_page(client, "/conditions/psoriasis/").section("Summary of findings")
    row = next(row for row in table.iter("tr") if row.text().startswith(outcome))
    letters = [a.attrs["href"][1:] for a in row.iter("a") if a.attrs["href"].startswith("#")]
    return [table.find(id=anchor).text() for anchor in letters if anchor.startswith("sof-note")]


def add_trial(status, *, to_condition=True, to_outcome=True):
    psoriasis = Condition.objects.get(slug="psoriasis")
    trial = make_study(design=StudyDesign.RCT, label="Trial 2030", status=status)
    if to_condition:
        psoriasis.studies.add(trial)
    if to_outcome:
        certainty = psoriasis.certainties.get(outcome=Outcome.GLOBAL_IMPROVEMENT)
        certainty.studies.add(trial)
    return trial


def test_an_approved_randomized_trial_raises_the_verdict_on_the_next_page_load(content, client):
    assert "(Strength of Recommendation Taxonomy) C" in verdict_text(client)
    assert "Very low" in certainty_row(client)

    add_trial(ReviewStatus.APPROVED)

    assert "(Strength of Recommendation Taxonomy) B" in verdict_text(client)
    # Starts high with a trial, then the same two steps down.
    row = certainty_row(client)
    assert "GRADE certainty of evidence Low" in row
    assert "Very low" not in row
    assert "Trial 2030" in certainty_row(client)


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW])
def test_a_study_not_yet_approved_changes_no_grade(content, client, status):
    before = get_page(client, "/conditions/psoriasis/")

    add_trial(status)

    after = get_page(client, "/conditions/psoriasis/")
    assert after.section("Verdict").text() == before.section("Verdict").text()
    certainty = "Summary of findings"
    assert after.section(certainty).text() == before.section(certainty).text()


def test_the_certainty_reads_only_the_studies_the_verdict_reads(content, client):
    # Tied to the outcome but not to the condition: neither grade may count it.
    add_trial(ReviewStatus.APPROVED, to_condition=False)

    assert "(Strength of Recommendation Taxonomy) C" in verdict_text(client)
    assert "Very low" in certainty_row(client)
    assert "Trial 2030" not in certainty_row(client)


def test_an_override_shows_as_a_departure_with_its_reason(content, client):
    sort_b = Grade.objects.get(scale__slug=grading.SORT_SCALE, code="B")
    Condition.objects.filter(slug="psoriasis").update(
        verdict_override=sort_b, verdict_override_reason="A reason the editors wrote."
    )

    text = verdict_text(client)

    assert "(Strength of Recommendation Taxonomy) B" in text
    assert "The editors depart from the rule: A reason the editors wrote." in text
    assert "ldnref SORT rule 2 gives C" in text
    home = get_page(client, "/").text()
    assert "The editors depart from ldnref SORT rule 2 here." in home


def test_the_admin_shows_the_grade_the_pages_show(content, admin_client):
    html = admin_client.get("/admin/conditions/condition/").content.decode()
    rows = {
        row.find("th").text(): row.text()
        for row in parse_html(html).iter("tr")
        if row.find("th") is not None and row.find("th").find("a") is not None
    }
    # SORT rule 2 (GRADING.md): only a randomized trial that enrolled people with the condition
    # earns B. The one randomized trial enrolled only people with atopic dermatitis: B there;
    # chronic pruritus has it as indirect evidence beside an open pilot, C at best; psoriasis
    # has case series only.
    assert "C" in rows["Psoriasis"].split()
    assert "B" in rows["Atopic dermatitis"].split()
    assert "C" in rows["Chronic pruritus"].split()
    assert "no grade" in rows["Vitiligo"]


def test_every_fixture_condition_is_graded_by_the_rule_without_overrides(content):
    assert not Condition.objects.exclude(verdict_override=None).exists()
    assert not OutcomeCertainty.objects.exclude(certainty_override=None).exists()


# ---------------------------------------------------------------- indirect evidence
# A trial of another or narrower group counts for a condition only as indirect evidence:
# it is rated down for indirectness with its reason and cannot earn SORT B by itself.


@pytest.mark.parametrize(
    ("direct", "indirect", "verdict"),
    [
        ([], [StudyDesign.RCT], "C"),
        ([StudyDesign.CASE_SERIES], [StudyDesign.RCT], "C"),
        ([StudyDesign.RCT], [StudyDesign.CASE_SERIES], "B"),
        ([], [], None),
    ],
)
def test_only_a_trial_of_the_conditions_own_patients_earns_b(direct, indirect, verdict):
    assert grading.sort_verdict_code(direct, indirect) == verdict


def test_indirect_evidence_is_rated_down_once_for_indirectness_with_its_reason():
    trial = type("S", (), {"design": StudyDesign.RCT})()

    ruling = grading.outcome_certainty([trial], [], indirect_reasons=["Atopic dermatitis only."])

    assert ruling.code == "moderate"  # high, one step down
    assert [(s.domain, s.level_change, s.reason) for s in ruling.rule_steps] == [
        ("indirectness", -1, "Atopic dermatitis only.")
    ]


def test_an_editors_indirectness_step_replaces_the_rules():
    trial = type("S", (), {"design": StudyDesign.RCT})()

    ruling = grading.outcome_certainty(
        [trial], [("indirectness", -2)], indirect_reasons=["Atopic dermatitis only."]
    )

    assert ruling.code == "low"  # the editors' very serious step alone
    assert ruling.rule_steps == ()


def test_an_indirect_trial_shows_its_indirectness_on_the_page(content, client):
    psoriasis = Condition.objects.get(slug="psoriasis")
    trial = add_trial(ReviewStatus.APPROVED, to_condition=False)
    IndirectEvidence.objects.create(
        condition=psoriasis, study=trial, reason="It enrolled people with eczema only."
    )

    assert "(Strength of Recommendation Taxonomy) C" in verdict_text(client)
    row = certainty_row(client)
    assert "Trial 2030" in row
    notes = certainty_notes(client)
    assert any(
        "Rated down one level for indirectness" in note
        and "ldnref GRADE rule 2" in note
        and "It enrolled people with eczema only." in note
        for note in notes
    ), notes
    # Starts high with the trial: two editors' steps and the rule's indirectness step.
    assert "GRADE certainty of evidence Very low" in row


def test_a_study_record_comes_from_a_seed_or_from_the_editors_check_not_both(db):
    from django.core.exceptions import ValidationError

    study = make_study()  # a seed's record, with its quote
    study.per_check = make_check()

    with pytest.raises(ValidationError) as error:
        study.full_clean()
    assert "The paper's own record has no seed and no seed quote." in str(error.value)

    study.reported_by, study.quote = None, ""
    study.full_clean()  # the paper's own record, as the editors read it
    study.save()
    assert study.reporter == "the paper, as read by the ldnref editors"
