"""The content fixtures: they load, they are complete, and they obey the editors' rules."""

from pathlib import Path

import pytest
from django.core.management import call_command

from conditions.models import (
    CertaintyRating,
    Condition,
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
)
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
        Intervention: 5,
        Mechanism: 5,
        Study: 7,
        Claim: 53,
        Citation: 55,
        Conflict: 1,
        PrimarySourceCheck: 5,
        Condition: 7,
        TreatmentRecommendation: 9,
        OutcomeCertainty: 3,
        CertaintyRating: 6,
        PlainStatement: 22,
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
