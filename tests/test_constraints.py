"""The database and the models refuse rows that would make a page wrong."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction

from conditions.models import CertaintyRating, Condition, TreatmentRecommendation
from evidence import grading, workflow
from evidence.choices import ClaimKind, GradeDomain, ReviewStatus
from evidence.models import Claim
from tests.factories import (
    make_certainty,
    make_citation,
    make_claim,
    make_condition,
    make_conflict,
    make_editor,
    make_grade,
    make_seed,
    make_source,
    make_study,
)

# Each expected IntegrityError is caught inside transaction.atomic(): a savepoint, so the
# test's own transaction (and on PostgreSQL the connection) stays usable afterwards.
pytestmark = pytest.mark.django_db

NEEDS_REASON = "Say why the editors depart from the rule."


def sort_grade(code):
    return make_grade(grading.SORT_SCALE, code=code, label=code)


def certainty_grade(code):
    return make_grade(grading.GRADE_SCALE, code=code, label=code.capitalize())


# ---------------------------------------------------------------- database constraints


def test_a_study_cannot_have_a_negative_number_of_participants():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_study(n=-1)


def test_two_sources_cannot_share_a_citation_key():
    make_source(key="bigliardi2007")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_source(key="bigliardi2007")


def test_a_seed_cannot_cite_the_same_source_twice_for_one_claim():
    citation = make_citation()

    with pytest.raises(IntegrityError), transaction.atomic():
        make_citation(
            claim=citation.claim, source=citation.source, reported_by=citation.reported_by
        )
    # The other seed may report the same citation: that is agreement, not a duplicate.
    make_citation(claim=citation.claim, source=citation.source, reported_by=make_seed())

    assert citation.claim.citations.count() == 2


def test_a_claim_cannot_conflict_with_itself():
    claim = make_claim()

    with pytest.raises(IntegrityError), transaction.atomic():
        make_conflict(claim_a=claim, claim_b=claim)


@pytest.mark.parametrize(
    ("domain", "level_change"),
    [
        (GradeDomain.RISK_OF_BIAS, 0),
        (GradeDomain.IMPRECISION, 1),
        (GradeDomain.LARGE_EFFECT, -1),
        (GradeDomain.INDIRECTNESS, -3),
    ],
)
def test_a_certainty_rating_must_move_the_way_its_domain_does(domain, level_change):
    certainty = make_certainty()

    with pytest.raises(IntegrityError), transaction.atomic():
        CertaintyRating.objects.create(
            certainty=certainty, domain=domain, level_change=level_change, reason="Because."
        )


def test_a_certainty_rating_accepts_a_serious_concern_and_a_reason_to_rate_up():
    certainty = make_certainty()

    CertaintyRating.objects.create(
        certainty=certainty, domain=GradeDomain.RISK_OF_BIAS, level_change=-2, reason="Open label."
    )
    CertaintyRating.objects.create(
        certainty=certainty, domain=GradeDomain.LARGE_EFFECT, level_change=1, reason="Dramatic."
    )

    assert certainty.ratings.count() == 2


def test_an_efficacy_claim_must_name_its_outcome():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_claim(kind=ClaimKind.EFFICACY, outcome="")


def test_a_verdict_override_needs_a_reason_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_condition(verdict_override=sort_grade("C"), verdict_override_reason="")

    condition = make_condition(
        verdict_override=sort_grade("C"), verdict_override_reason="Only one small trial."
    )
    assert Condition.objects.get(pk=condition.pk).verdict_override.code == "C"


def test_a_certainty_override_needs_a_reason_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_certainty(certainty_override=certainty_grade("low"))

    certainty = make_certainty(
        certainty_override=certainty_grade("low"), certainty_override_reason="Open label."
    )
    certainty.refresh_from_db()
    assert certainty.certainty_override.code == "low"


@pytest.mark.postgres
def test_postgresql_enforces_the_constraints_and_names_the_one_broken():
    assert connection.vendor == "postgresql"

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        make_study(n=-5)

    # psycopg passes on PostgreSQL's diagnostics: which named constraint the row broke.
    assert excinfo.value.__cause__.diag.constraint_name == "study_n_not_negative"


# ---------------------------------------------------------------- model validation


def test_the_verdict_override_takes_only_a_sort_grade():
    condition = make_condition()
    condition.verdict_override = certainty_grade("low")
    condition.verdict_override_reason = "Editors' judgement."

    with pytest.raises(ValidationError) as excinfo:
        condition.full_clean()

    assert excinfo.value.message_dict == {"verdict_override": ["Choose a grade on the SORT scale."]}
    condition.verdict_override = sort_grade("B")
    condition.full_clean()
    condition.save()
    assert Condition.objects.get(pk=condition.pk).verdict_override.code == "B"


def test_the_certainty_override_takes_only_a_grade_certainty_level():
    certainty = make_certainty()
    certainty.certainty_override = sort_grade("C")
    certainty.certainty_override_reason = "Editors' judgement."

    with pytest.raises(ValidationError) as excinfo:
        certainty.full_clean()

    assert excinfo.value.message_dict == {
        "certainty_override": ["Choose a grade on the GRADE certainty scale."]
    }
    certainty.certainty_override = certainty_grade("low")
    certainty.full_clean()
    certainty.save()
    certainty.refresh_from_db()
    assert certainty.ruling([]).code == "low"


def test_full_clean_asks_why_a_verdict_departs_from_the_rule():
    condition = make_condition()
    condition.verdict_override = sort_grade("C")

    with pytest.raises(ValidationError) as excinfo:
        condition.full_clean()

    assert excinfo.value.message_dict == {NON_FIELD_ERRORS: [NEEDS_REASON]}
    condition.verdict_override_reason = "The only trial was stopped early."
    condition.full_clean()
    condition.save()
    assert Condition.objects.get(pk=condition.pk).verdict_ruling([]).override_reason == (
        "The only trial was stopped early."
    )


def test_full_clean_asks_why_a_certainty_departs_from_the_rule():
    certainty = make_certainty()
    certainty.certainty_override = certainty_grade("very-low")

    with pytest.raises(ValidationError) as excinfo:
        certainty.full_clean()

    assert excinfo.value.message_dict == {NON_FIELD_ERRORS: [NEEDS_REASON]}


def test_a_recommendation_strength_cannot_hold_a_quality_grade():
    recommendation = TreatmentRecommendation(
        condition=make_condition(),
        treatment="Topical corticosteroids",
        strength=make_grade(grading.QUALITY_SCALE, code="II-i"),
        graded_by=make_seed(),
        claim=make_claim(),
    )

    with pytest.raises(ValidationError) as excinfo:
        recommendation.full_clean()

    assert excinfo.value.message_dict == {
        "strength": ["Choose a grade on the strength of recommendation (A–E) scale."]
    }


def test_a_claim_statement_cites_through_citations_not_markdown():
    claim = make_claim(statement="It helped [@doe2020].")

    with pytest.raises(ValidationError) as excinfo:
        claim.full_clean()

    assert list(excinfo.value.message_dict) == ["statement"]


# ---------------------------------------------------------------- the publication rule


def test_a_claim_cannot_be_approved_before_it_has_a_citation():
    claim = make_claim()
    reviewer = make_editor()

    refused = workflow.approve([claim], by=reviewer)

    claim.refresh_from_db()
    assert refused.changed == []
    assert refused.refused == [(claim, workflow.NEEDS_CITATION)]
    assert claim.status == ReviewStatus.DRAFT
    assert claim.last_reviewed is None
    make_citation(claim=claim)
    assert workflow.approve([claim], by=reviewer).changed == [claim]
    claim.refresh_from_db()
    assert claim.status == ReviewStatus.APPROVED


def test_the_publication_rule_counts_the_citations_a_form_is_about_to_save():
    claim = make_claim()
    make_citation(claim=claim)

    assert workflow.approval_refusal(claim) == ""
    assert workflow.approval_refusal(claim, citation_count=0) == workflow.NEEDS_CITATION
    assert workflow.approval_refusal(make_claim(), citation_count=1) == ""
    assert workflow.approval_refusal(make_study()) == ""


def test_published_claims_are_approved_and_cited():
    cited = make_claim(status=ReviewStatus.APPROVED)
    make_citation(claim=cited)
    make_claim(status=ReviewStatus.APPROVED)  # approved but uncited, e.g. loaded from a fixture
    draft = make_claim(status=ReviewStatus.DRAFT)
    make_citation(claim=draft)

    assert list(Claim.objects.published()) == [cited]
