"""manage.py check_content: each editorial rule finds what breaks it, and the command fails."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conditions import content_checks as checks
from evidence import grading
from evidence.choices import ClaimKind, Outcome, ReviewStatus, Route, StudyDesign
from tests.factories import (
    make_certainty,
    make_citation,
    make_claim,
    make_condition,
    make_grade,
    make_mechanism,
    make_plain_statement,
    make_seed,
    make_source,
    make_study,
)

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED


def public_condition(**overrides):
    """An approved condition with a Summary of Findings (one graded outcome)."""
    condition = make_condition(status=APPROVED, **overrides)
    make_certainty(condition=condition)
    return condition


def graded_high(condition):
    """Give `condition` an itch-relief outcome by cream that the rule grades high (one RCT)."""
    trial = make_study(design=StudyDesign.RCT, status=APPROVED)
    make_certainty(
        condition=condition, outcome=Outcome.ITCH_RELIEF, route=Route.TOPICAL, studies=[trial]
    )


def itch_claim():
    claim = make_claim(
        kind=ClaimKind.EFFICACY, outcome=Outcome.ITCH_RELIEF, route=Route.TOPICAL, status=APPROVED
    )
    make_citation(claim=claim)
    return claim


# ---------------------------------------------------------------- one rule each


def test_it_finds_an_approved_claim_without_a_citation():
    make_claim(key="uncited-claim", status=APPROVED)
    make_citation(claim=make_claim(key="cited-claim", status=APPROVED))
    make_claim(key="uncited-draft")

    [problem] = checks.uncited_published_claims()

    assert "uncited-claim" in problem
    assert "no citation" in problem


def test_it_names_unknown_citation_keys_in_every_markdown_field():
    make_source(key="known")
    make_condition(slug="psoriasis", clinician_summary="Fine [@known]; gone [@nowhere; @lost].")
    make_condition(slug="vitiligo", patient_summary="Also [@missing-too].")
    make_mechanism(slug="tlr4", summary="Blocked [@no-such-paper].")

    problems = checks.unresolved_citation_keys()

    assert sorted(problems) == [
        "Condition psoriasis, clinician summary: unknown citation key(s) nowhere, lost",
        "Condition vitiligo, patient summary: unknown citation key(s) missing-too",
        "Mechanism tlr4, summary: unknown citation key(s) no-such-paper",
    ]


def test_it_finds_a_grade_stored_on_the_wrong_scale():
    certainty_grade = make_grade(grading.GRADE_SCALE, code="low", label="Low")
    make_condition(
        name="Psoriasis", verdict_override=certainty_grade, verdict_override_reason="Tiny trial."
    )
    make_condition(
        verdict_override=make_grade(grading.SORT_SCALE, code="C", label="C"),
        verdict_override_reason="Fine.",
    )

    [problem] = checks.grades_off_their_scale()

    assert problem.startswith("Psoriasis: verdict override is GRADE certainty: Low")
    assert grading.SORT_SCALE in problem


def test_it_finds_an_override_whose_reason_is_only_blank_space():
    make_condition(
        name="Psoriasis",
        verdict_override=make_grade(grading.SORT_SCALE, code="C"),
        verdict_override_reason="   ",
    )
    make_condition(
        verdict_override=make_grade(grading.SORT_SCALE, code="C"), verdict_override_reason="Why."
    )

    assert checks.overrides_without_reason() == [
        "Psoriasis: verdict override is set with no reason."
    ]


def test_it_finds_public_conditions_missing_a_summary_or_findings():
    public_condition(slug="complete")
    # A clinical study on record but no outcome graded: the table would say nothing of it.
    studied = make_condition(slug="no-findings", status=APPROVED)
    studied.studies.add(make_study(design=StudyDesign.CASE_SERIES, status=APPROVED))
    # Nothing on record: its table rightly reads "Not reported".
    make_condition(slug="nothing-on-record", status=APPROVED)
    public_condition(slug="no-patient-summary", patient_summary="  ")
    make_condition(slug="draft-with-nothing", patient_summary="")

    assert sorted(checks.incomplete_public_conditions()) == [
        "Condition no-findings is public without: Summary of Findings "
        "(clinical studies on record, no outcome graded).",
        "Condition no-patient-summary is public without: patient summary.",
    ]


def test_it_finds_a_patient_page_above_reading_grade_eight():
    public_condition(slug="plain", patient_summary="Itch is a skin feeling. It can last long.")
    public_condition(
        slug="dense",
        # The grade is measured on the whole page, fixed headings and questions included: the
        # summary must be dense enough, and long enough, to lift all of it above grade 8.
        patient_summary=" ".join(
            [
                "Pharmacological immunomodulation through intermittent opioid-receptor antagonism "
                "purportedly upregulates endogenous endorphin production, consequently attenuating "
                "inflammatory cytokine cascades characteristic of chronic dermatological disease."
            ]
            * 12
        ),
    )

    [problem] = checks.hard_patient_pages()

    assert problem.startswith("Condition dense: the patient page reads at grade ")
    assert problem.endswith(", above 8.")


def test_it_finds_quotes_not_in_their_seed_and_empty_ones(tmp_path):
    seed = make_seed(seed_file="seed.txt")
    (tmp_path / "seed.txt").write_text("Naltrexone was well tolerated in most patients.")
    make_study(key="found", reported_by=seed, quote="was well tolerated")
    make_study(key="invented", reported_by=seed, quote="cured every patient")
    make_study(key="blank", reported_by=seed, quote="   ")

    problems = checks.quote_problems(tmp_path)

    assert problems == [
        'Study blank: quote (empty) not found in seed.txt: ""',
        'Study invented: quote not found in seed.txt: "cured every patient"',
    ]


def test_it_says_when_the_seed_directory_is_missing(tmp_path):
    assert checks.quote_problems(tmp_path / "nowhere") == [
        f"Seed directory not found: {tmp_path / 'nowhere'}"
    ]


def test_it_finds_a_patient_sentence_hedged_below_its_certainty():
    condition = make_condition(slug="pruritus")
    graded_high(condition)
    claim = itch_claim()
    make_plain_statement(condition=condition, claim=claim, text="The cream may ease itch.")
    make_plain_statement(condition=condition, claim=claim, text="The cream eases itch.")

    [problem] = checks.wording_off_certainty()

    assert "The cream may ease itch." in problem
    assert "results in" in problem  # the wording high certainty asks for


def test_it_leaves_sentences_about_no_graded_outcome_alone():
    condition = make_condition()
    graded_high(condition)
    make_plain_statement(condition=condition, claim=make_claim(), text="It may cause dry skin.")

    assert checks.wording_off_certainty() == []


def test_it_finds_a_paragraph_of_clinician_prose_with_no_source():
    make_source(key="trial")
    public_condition(
        slug="psoriasis",
        clinician_summary="One trial helped [@trial].\n\nIt cures everyone, surely.",
    )
    make_condition(clinician_summary="A draft may be unsourced for now.")
    make_mechanism(slug="tlr4", status=APPROVED, summary="Lowers cytokines, they say.")

    assert sorted(checks.unsourced_paragraphs()) == [
        "Condition psoriasis, clinician summary, paragraph 2 cites no source: "
        "'It cures everyone, surely.'",
        "Mechanism tlr4, summary, paragraph 1 cites no source: 'Lowers cytokines, they say.'",
    ]


# ---------------------------------------------------------------- the command


def run(tmp_path):
    out = StringIO()
    call_command("check_content", seeds=str(tmp_path), stdout=out)
    return out.getvalue()


def test_the_command_passes_content_that_breaks_no_rule(tmp_path):
    # An article cited for its own words (a paper cited alone would need the editors' check).
    make_seed(key="trial")
    public_condition(clinician_summary="Helped [@trial].", patient_summary="It is a rash.")

    output = run(tmp_path)

    assert output.count("✔") == 13
    assert "✘" not in output
    assert "All 13 content checks passed." in output


def test_the_command_lists_every_problem_and_fails(tmp_path):
    make_claim(key="uncited-claim", status=APPROVED)
    # Public with a case series but no graded outcome, and its clinician summary cites nothing.
    bare = make_condition(slug="bare", status=APPROVED)
    bare.studies.add(make_study(design=StudyDesign.CASE_SERIES, status=APPROVED))
    # ... and that study's quote is in no seed file here, and the claim ("It was well
    # tolerated.") does not say which article said it: five checks fail.

    with pytest.raises(CommandError, match="5 of 13 content checks failed"):
        run(tmp_path)


def test_the_command_output_names_each_failing_check_and_its_rows(tmp_path):
    make_claim(key="uncited-claim", status=APPROVED)
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("check_content", seeds=str(tmp_path), stdout=out)

    lines = out.getvalue().splitlines()
    failing = lines.index("✘ Every published claim has a citation: 1 problem")
    assert lines[failing + 1].startswith("    - Claim uncited-claim is approved")
    assert "✔ Every citation key in Markdown resolves" in lines
