"""The database and the models refuse rows that would make a page wrong."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from conditions.models import (
    CertaintyRating,
    GradeDomain,
    OutcomeCertainty,
    TreatmentRecommendation,
)
from evidence import grading
from evidence.models import Claim, ClaimKind, Conflict, Outcome, ReviewStatus, Route
from tests.factories import (
    make_citation,
    make_claim,
    make_condition,
    make_grade,
    make_seed,
    make_source,
    make_study,
)

# Each expected IntegrityError is caught inside transaction.atomic(): a savepoint, so the
# test's own transaction (and on PostgreSQL the connection) stays usable afterwards.
pytestmark = pytest.mark.django_db


def make_certainty(**overrides):
    fields = {
        "condition": make_condition(),
        "outcome": Outcome.ITCH_RELIEF,
        "route": Route.TOPICAL,
        "certainty": make_grade(grading.GRADE_SCALE, code="low"),
        "rationale": "Small open-label trials.",
    }
    fields.update(overrides)
    return OutcomeCertainty.objects.create(**fields)


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


def test_a_claim_cannot_conflict_with_itself():
    claim = make_claim()

    with pytest.raises(IntegrityError), transaction.atomic():
        Conflict.objects.create(
            key="self", title="Self", claim_a=claim, claim_b=claim, editors_note=""
        )


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


@pytest.mark.postgres
def test_postgresql_enforces_the_constraints_and_names_the_one_broken():
    assert connection.vendor == "postgresql"

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        make_study(n=-5)

    # psycopg passes on PostgreSQL's diagnostics: which named constraint the row broke.
    assert excinfo.value.__cause__.diag.constraint_name == "study_n_not_negative"


# ---------------------------------------------------------------- model validation


def test_the_verdict_grade_takes_only_a_sort_grade():
    condition = make_condition(verdict_grade=make_grade(grading.GRADE_SCALE, code="low"))

    with pytest.raises(ValidationError) as excinfo:
        condition.full_clean()

    assert "verdict_grade" in excinfo.value.message_dict
    condition.verdict_grade = make_grade(grading.SORT_SCALE, code="B")
    condition.full_clean()


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

    assert list(excinfo.value.message_dict) == ["strength"]


def test_a_claim_cannot_be_approved_before_it_has_a_citation():
    claim = make_claim(status=ReviewStatus.APPROVED)

    with pytest.raises(ValidationError) as excinfo:
        claim.full_clean()

    assert "status" in excinfo.value.message_dict
    make_citation(claim=claim)
    claim.full_clean()


def test_published_claims_are_approved_and_cited():
    cited = make_claim(status=ReviewStatus.APPROVED)
    make_citation(claim=cited)
    make_claim(status=ReviewStatus.APPROVED)  # approved but uncited, e.g. loaded from a fixture
    draft = make_claim(status=ReviewStatus.DRAFT)
    make_citation(claim=draft)

    assert list(Claim.objects.published()) == [cited]
