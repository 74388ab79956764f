"""The content fixtures: they load, they are complete, and they obey the editors' rules."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from conditions.models import (
    CertaintyRating,
    Condition,
    IndirectEvidence,
    OutcomeCertainty,
    PlainStatement,
    TreatmentRecommendation,
)
from evidence import grading
from evidence.models import (
    Citation,
    Claim,
    Conflict,
    Grade,
    GradingScale,
    Intervention,
    Mechanism,
    PrimarySourceCheck,
    ReviewStatus,
    SeedReference,
    Source,
    Study,
    StudyAccount,
)
from evidence.wording import wording_problem
from tests.pages import get_page

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

pytestmark = pytest.mark.django_db


def test_all_fixtures_load_in_one_call_with_the_expected_rows(content):
    # The inventory of the two articles, counted by hand from the seeds (see the closing note).
    expected = {
        GradingScale: 5,  # GRADE, SORT, Oxford CEBM 2011, strength A-E, quality I-IV
        Grade: 4 + 3 + 5 + 5 + 6,
        Source: 13,  # the ten cited works, the publisher's overview and the two seed articles
        SeedReference: 6 + 5,
        Intervention: 6,  # + the trial's own 1% cream (the seed names no ointment for it)
        Mechanism: 5,
        # 5 as only a seed reports them + the paper's 2 (Bigliardi 2007, editors' check); the
        # first seed's account of the Bigliardi trial is a StudyAccount on the paper's record.
        Study: 7,
        StudyAccount: 1,
        Claim: 53,
        Citation: 55,
        Conflict: 1,
        PrimarySourceCheck: 6,
        Condition: 7,
        TreatmentRecommendation: 9,
        OutcomeCertainty: 4,
        CertaintyRating: 7,
        PlainStatement: 30,
        IndirectEvidence: 1,
    }
    assert {model: model.objects.count() for model in expected} == expected


def test_loading_the_fixtures_twice_changes_nothing(content):
    before = (Claim.objects.count(), Citation.objects.count(), Source.objects.count())
    call_command("load_content", verbosity=0)
    assert (Claim.objects.count(), Citation.objects.count(), Source.objects.count()) == before


def test_every_condition_the_articles_name_is_published(content):
    names = set(Condition.objects.published().values_list("name", flat=True))
    assert names == {
        "Chronic pruritus",
        "Psoriasis",
        "Atopic dermatitis",
        "Vitiligo",
        "Lichen planus",
        "Hailey-Hailey disease",
        "Other inflammatory dermatoses",
    }
    assert "guttate" in Condition.objects.get(slug="psoriasis").synonyms


def test_fixture_content_loads_as_approved(content):
    for model in (Condition, Claim, Study):
        assert set(model.objects.values_list("status", flat=True)) == {ReviewStatus.APPROVED}
    assert Claim.objects.published().count() == Claim.objects.count()


def test_every_claim_has_a_cited_quote_from_a_seed(content):
    assert not Claim.objects.filter(citations__isnull=True).exists()
    for citation in Citation.objects.select_related("reported_by"):
        assert citation.reported_by.is_seed
        assert citation.quote.strip()


def test_every_quote_is_found_verbatim_in_its_seed(content, capsys):
    if not SEEDS.is_dir():
        pytest.skip(f"the seed articles are not at {SEEDS}")
    call_command("verify_quotes", str(SEEDS))
    assert "0 not found" in capsys.readouterr().out


def test_vitiligo_has_no_grade_because_no_study_is_on_record(content, client):
    vitiligo = Condition.objects.get(slug="vitiligo")
    assert not vitiligo.studies.exists()
    assert "insufficient evidence" in vitiligo.verdict.lower()
    verdict = get_page(client, "/conditions/vitiligo/").section("Verdict").text()
    assert "Insufficient evidence" in verdict
    assert "Strength of Recommendation Taxonomy" not in verdict


def test_every_rating_step_gives_its_reason(content):
    for certainty in OutcomeCertainty.objects.all():
        assert all(rating.reason.strip() for rating in certainty.ratings.all()), str(certainty)


def test_unconfirmed_identifiers_stay_empty(content):
    # REFERENCES.md confirms no DOI or PMID for these; Muller's PMID was seen only on a
    # third-party page.
    for key in ("dodou2015", "jaros2019", "muller2018", "droracle2025"):
        source = Source.objects.get(key=key)
        assert (source.doi, source.pmid) == ("", ""), key
    assert not Source.objects.get(key="dodou2015").is_verified
    assert Source.objects.get(key="bigliardi2007").doi == "10.1016/j.jaad.2007.01.007"


def test_guideline_grades_are_the_articles_own_on_their_own_scales(content):
    nb_uvb = TreatmentRecommendation.objects.get(condition__slug="vitiligo")
    assert (nb_uvb.strength.scale.slug, nb_uvb.strength.code) == (grading.STRENGTH_SCALE, "B")
    assert (nb_uvb.quality.scale.slug, nb_uvb.quality.code) == (grading.QUALITY_SCALE, "II-i")
    assert nb_uvb.graded_by.key == "droracle2025"
    assert "Quality of evidence IIi" in nb_uvb.claim.citations.get().quote


def test_the_conflict_on_randomized_trials_is_recorded_with_a_primary_source_check(content):
    conflict = Conflict.objects.get(key="randomized-trial-exists")
    seeds = {
        conflict.claim_a.citations.get().reported_by.key,
        conflict.claim_b.citations.get().reported_by.key,
    }
    assert seeds == {"kim-topical-ldn", "droracle-ldn-skin"}
    check = PrimarySourceCheck.objects.get(claim=conflict.claim_b)
    assert check.checked_by == grading.ASSIGNED_BY
    assert check.checked_against.startswith("https://")


# ---------------------------------------------------------------- issue 7 corrections


def test_the_bigliardi_trial_is_one_record_holding_the_first_articles_account(content):
    # Issue 15, item 3: the article's "randomized, placebo-controlled trial" is its account
    # on the paper's record of the randomized trial, not a study record of its own.
    assert not Study.objects.filter(key="bigliardi2007-pruritus-trial").exists()
    trial = Study.objects.get(key="bigliardi2007-crossover-trial")
    [account] = trial.accounts.all()
    assert account.reported_by.key == "kim-topical-ldn"
    assert "more than 70%" in account.quote
    assert trial.per_check.key == "bigliardi2007-trial-design"
    # The paper's two studies, and no other record of the same paper.
    assert set(Study.objects.filter(source__key="bigliardi2007").values_list("key", flat=True)) == {
        "bigliardi2007-crossover-trial",
        "bigliardi2007-open-pilot",
    }


def test_the_papers_two_studies_are_the_editors_records_each_counted_where_it_enrolled(content):
    paper = {
        study.key: study
        for study in Study.objects.filter(per_check__key="bigliardi2007-trial-design")
    }
    pilot, trial = paper["bigliardi2007-open-pilot"], paper["bigliardi2007-crossover-trial"]
    assert (pilot.design, pilot.n, pilot.reported_by, pilot.quote) == ("open-label", 18, None, "")
    assert (trial.design, trial.n, trial.reported_by, trial.quote) == ("rct", 40, None, "")
    assert "atopic dermatitis" in trial.population
    assert "29.4%" in trial.result

    pruritus = Condition.objects.get(slug="chronic-pruritus")
    atopic = Condition.objects.get(slug="atopic-dermatitis")
    assert set(pruritus.studies.all()) == {pilot}
    assert set(pruritus.indirect_studies.all()) == {trial}
    assert "atopic dermatitis" in IndirectEvidence.objects.get(condition=pruritus).reason
    assert trial in atopic.studies.all()
    # SORT rule 2: only a direct randomized trial earns B.
    assert pruritus.verdict_ruling(list(pruritus.studies.all()), [trial]).code == "C"
    assert atopic.verdict_ruling(list(atopic.studies.all())).code == "B"


def test_the_atopic_dermatitis_pages_show_the_trial_and_never_say_no_study(content, client):
    clinician = get_page(client, "/conditions/atopic-dermatitis/").text()
    assert "Bigliardi 2007, randomized crossover trial" in clinician
    assert "no study of LDN in atopic dermatitis is reported" not in clinician
    patient = get_page(client, "/conditions/atopic-dermatitis/patient/").text()
    assert "No studies have tested it" not in patient
    assert "one small trial" in patient


def test_verdicts_summaries_and_plain_statements_are_worded_by_their_certainty(content, client):
    for condition in Condition.objects.exclude(certainties=None).distinct():
        studies = [*condition.studies.all(), *condition.indirect_studies.all()]
        reasons = {row.study_id: row.reason for row in condition.indirect_evidence.all()}
        codes = {
            (certainty.outcome, certainty.route): certainty.ruling(studies, reasons).code
            for certainty in condition.certainties.all()
        }
        # Every graded outcome of these conditions has the same certainty: one wording.
        (code,) = set(codes.values())
        for text in (condition.verdict, condition.clinician_summary, condition.patient_summary):
            assert wording_problem(text, code) is None, (condition.slug, text)
        for statement in condition.plain_statements.select_related("claim"):
            claim = statement.claim
            if (claim.outcome, claim.route) in codes:
                assert wording_problem(statement.text, codes[claim.outcome, claim.route]) is None, (
                    statement.text
                )


def test_every_sentence_of_a_summary_cites_its_source(content):
    summaries = [c.clinician_summary for c in Condition.objects.all()]
    summaries += [m.summary for m in Mechanism.objects.all()]
    for summary in summaries:
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", summary.strip()):
            assert "[@" in sentence, sentence


def test_the_side_effect_list_cites_both_sources_the_seed_gives_for_all_of_it(content):
    citations = Claim.objects.get(key="oral-adverse-effects").citations.all()
    assert {c.source.key for c in citations} == {"weinstock2020", "muller2018"}
    assert len({c.quote for c in citations}) == 1
    assert "Dry skin near lesions" in citations[0].quote


def test_systematic_reviews_confirm_is_the_first_articles_own_uncited_words(content):
    claim = Claim.objects.get(key="review-symptom-improvement")
    assert {c.source.key for c in claim.citations.all()} == {"kim-topical-ldn"}
    assert claim.study is None
    assert " only " not in claim.statement
    assert not claim.conditions.exists()


def test_only_the_safety_questions_an_article_answers_are_tagged(content):
    tagged = dict(Claim.objects.exclude(safety_question="").values_list("key", "safety_question"))
    # Neither article says anything about patients with liver or kidney disease (issue 15).
    assert tagged == {"oral-liver-monitoring": "monitoring"}
    assert {Claim.objects.get(key=key).route for key in tagged} == {"oral"}


def test_every_check_has_a_one_line_headline(content):
    for check in PrimarySourceCheck.objects.all():
        assert check.headline.strip() and "\n" not in check.headline, check.key
    flagged = PrimarySourceCheck.objects.get(claim__key="no-rct-in-dermatology")
    assert flagged.verdict == "differs"
