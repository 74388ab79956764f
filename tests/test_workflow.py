"""Review status changes only through evidence.workflow, and `published()` decides what shows."""

import datetime
from http import HTTPStatus

import pytest
from django.utils import timezone

from conditions.models import Condition
from evidence import workflow
from evidence.choices import ReviewStatus
from evidence.models import Claim, Mechanism, Source, Study
from tests.factories import (
    make_citation,
    make_claim,
    make_condition,
    make_mechanism,
    make_seed_reference,
    make_source,
    make_staff,
    make_study,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return make_staff("Reviewers", username="rita", first_name="Rita", last_name="Reviewer")


@pytest.fixture
def editor():
    return make_staff("Editors", username="ed", first_name="Ed")


def test_approving_dates_and_signs_the_approval(reviewer):
    study = make_study()

    result = workflow.approve([study], by=reviewer)

    study.refresh_from_db()
    assert result.changed == [study] and not result.refused
    assert study.status == ReviewStatus.APPROVED
    assert study.last_reviewed == timezone.localdate()
    assert study.reviewed_by == reviewer


def test_an_uncited_claim_is_refused_with_the_reason_and_the_rest_are_approved(reviewer):
    uncited = make_claim(key="uncited")
    cited = make_citation().claim

    result = workflow.approve([uncited, cited], by=reviewer)

    assert result.changed == [cited]
    assert result.refused == [(uncited, workflow.NEEDS_CITATION)]
    uncited.refresh_from_db()
    assert uncited.status == ReviewStatus.DRAFT
    assert uncited.last_reviewed is None
    messages = workflow.describe(result, "Approved")
    assert (False, f"Not approved: {uncited}. {workflow.NEEDS_CITATION}") in messages


def test_submitting_keeps_the_last_review_and_retiring_records_who(reviewer, editor):
    mechanism = make_mechanism(status=ReviewStatus.DRAFT, last_reviewed=datetime.date(2025, 1, 2))

    workflow.submit_for_review([mechanism], by=editor)
    mechanism.refresh_from_db()
    assert mechanism.status == ReviewStatus.IN_REVIEW
    assert mechanism.last_reviewed == datetime.date(2025, 1, 2)
    assert mechanism.reviewed_by is None

    workflow.retire([mechanism], by=reviewer)
    mechanism.refresh_from_db()
    assert (mechanism.status, mechanism.reviewed_by) == (ReviewStatus.RETIRED, reviewer)


@pytest.mark.parametrize(
    "status", [ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW, ReviewStatus.RETIRED]
)
def test_only_approved_rows_are_published(status):
    for make, model in [
        (make_condition, Condition),
        (make_study, Study),
        (make_mechanism, Mechanism),
    ]:
        hidden, shown = make(status=status), make(status=ReviewStatus.APPROVED)
        assert list(model.objects.published().filter(pk__in=[hidden.pk, shown.pk])) == [shown]
        assert (hidden.is_published, shown.is_published) == (False, True)


def test_a_claim_is_published_once_approved_and_cited():
    claim = make_claim(status=ReviewStatus.APPROVED)
    assert not Claim.objects.published().filter(pk=claim.pk).exists()

    make_citation(claim=claim)

    assert Claim.objects.published().filter(pk=claim.pk).exists()


def test_a_source_is_published_when_a_published_claim_or_study_or_a_seed_lists_it():
    unused, by_draft, listed = make_source(), make_source(), make_seed_reference().source
    by_claim, by_study = make_source(), make_source()
    make_citation(claim=make_claim(status=ReviewStatus.DRAFT), source=by_draft)
    citation = make_citation(claim=make_claim(status=ReviewStatus.APPROVED), source=by_claim)
    make_study(source=by_study, status=ReviewStatus.APPROVED)

    published = set(Source.objects.published().values_list("key", flat=True))

    assert {by_claim.key, by_study.key, citation.reported_by.key, listed.key} <= published
    assert not {unused.key, by_draft.key} & published


def test_the_admin_cannot_set_a_status_directly(admin_client):
    study = make_study()
    data = {
        "key": study.key,
        "label": study.label,
        "design": study.design,
        "source": study.source.pk,
        "reported_by": study.reported_by.pk,
        "quote": study.quote,
        "status": ReviewStatus.APPROVED,
        "review_action": "",
        # The inline of the articles' accounts of the study, empty.
        "accounts-TOTAL_FORMS": "0",
        "accounts-INITIAL_FORMS": "0",
    }

    response = admin_client.post(f"/admin/evidence/study/{study.pk}/change/", data)

    assert response.status_code == HTTPStatus.FOUND
    study.refresh_from_db()
    assert study.status == ReviewStatus.DRAFT
