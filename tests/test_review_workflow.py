"""Edits to approved content wait for review; the two-person rule; what each role may do."""

from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from evidence import workflow
from evidence.choices import ReviewStatus
from evidence.models import Claim, Study
from revisions.models import Revision, RevisionStatus
from tests.factories import (
    make_citation,
    make_claim,
    make_condition,
    make_mechanism,
    make_seed,
    make_source,
    make_staff,
    make_study,
)
from tests.test_admin import (
    EDITED_MODELS,
    form_data,
    make_one_of_each,
    run_action,
    shown_messages,
)

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
OLD, NEW = "Five of nine improved.", "Seven of nine improved."


@pytest.fixture
def editor():
    return make_staff("Editors", first_name="Edith", last_name="Editor")


@pytest.fixture
def reviewer():
    return make_staff("Reviewers", first_name="Rita", last_name="Roe")


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def edit_in_admin(client, obj, **fields):
    url = change_url(obj)
    return client.post(url, form_data(client.get(url)) | fields, follow=True)


def public_study(client, study):
    return client.get(study.get_absolute_url()).text


def test_an_edit_to_an_approved_study_reaches_readers_only_once_a_reviewer_approves(
    client, editor, reviewer
):
    study = make_study(status=APPROVED, result=OLD)
    client.force_login(editor)

    edit_in_admin(
        client, study, result=NEW, review_action="submit", review_reason="The trial reported seven."
    )

    study.refresh_from_db()
    assert study.result == OLD and study.status == APPROVED
    page = client.get(study.get_absolute_url()).text
    assert OLD in page and NEW not in page
    [pending] = Revision.objects.pending()
    assert (pending.status, pending.author, pending.summary) == (
        RevisionStatus.IN_REVIEW,
        editor,
        "Changed the result.",
    )
    # The editor's form shows the change waiting, not the approved text.
    assert NEW in client.get(change_url(study)).text

    result = workflow.approve([study], by=reviewer)

    assert result.changed == [study]
    study.refresh_from_db()
    assert (study.result, study.reviewed_by, study.status) == (NEW, reviewer, APPROVED)
    page = client.get(study.get_absolute_url()).text
    assert NEW in page and "by Rita Roe" in page


def test_whoever_wrote_the_change_cannot_approve_it_even_as_a_reviewer(reviewer):
    both = make_staff("Editors", "Reviewers")
    study = make_study(status=APPROVED, result=OLD)
    workflow.propose(study, {**snapshot_with(study, result=NEW)}, by=both, submit=True)

    result = workflow.approve([study], by=both)

    assert result.refused == [(study, workflow.TWO_PERSON)]
    study.refresh_from_db()
    assert study.result == OLD
    assert workflow.approve([study], by=reviewer).changed == [study]


def test_whoever_last_saved_a_draft_cannot_approve_it(client):
    both = make_staff("Editors", "Reviewers")
    other = make_staff("Reviewers")
    study = make_study(result=OLD)
    client.force_login(both)
    edit_in_admin(client, study, result=NEW)

    assert workflow.approve([study], by=both).refused == [(study, workflow.TWO_PERSON)]
    assert workflow.approve([study], by=other).changed == [study]


def snapshot_with(obj, **fields):
    from revisions import snapshots

    data = snapshots.snapshot(obj)
    data["fields"].update(fields)
    return data


def test_an_editor_proposes_and_submits_but_cannot_approve_or_retire(editor):
    study = make_study(status=APPROVED)
    workflow.propose(study, snapshot_with(study, result=NEW), by=editor)

    assert workflow.submit_for_review([study], by=editor).changed == [study]
    assert workflow.approve([study], by=editor).refused == [(study, workflow.NOT_A_REVIEWER)]
    assert workflow.retire([study], by=editor).refused == [(study, workflow.NOT_A_REVIEWER)]
    study.refresh_from_db()
    assert study.status == APPROVED and study.result != NEW


def test_a_reviewer_cannot_propose_a_change(reviewer):
    study = make_study(status=APPROVED)

    with pytest.raises(PermissionDenied):
        workflow.propose(study, snapshot_with(study, result=NEW), by=reviewer)

    assert not Revision.objects.exists()


def test_in_the_admin_an_editor_is_offered_submit_but_not_approve_or_delete(client, editor):
    make_study()
    client.force_login(editor)

    page = client.get(reverse("admin:evidence_study_changelist")).text

    assert 'value="submit_for_review"' in page
    assert 'value="approve"' not in page and 'value="delete_selected"' not in page


def test_in_the_admin_a_reviewer_approves_but_cannot_edit(client, reviewer):
    study = make_study(status=ReviewStatus.IN_REVIEW, result=OLD)
    client.force_login(reviewer)

    edited = client.post(change_url(study), {"result": NEW})
    response = run_action(client, Study, "approve", [study])

    assert edited.status_code == HTTPStatus.FORBIDDEN
    study.refresh_from_db()
    assert (study.status, study.result, study.reviewed_by) == (APPROVED, OLD, reviewer)
    assert any("Approved" in text for _, text in shown_messages(response))


def test_a_new_citation_on_an_approved_claim_waits_for_review(client, editor, reviewer):
    claim = make_claim(status=APPROVED)
    first = make_citation(claim=claim)
    seed = make_seed()
    client.force_login(editor)

    edit_in_admin(
        client,
        claim,
        **{
            "citations-TOTAL_FORMS": "2",
            "citations-1-source": seed.pk,
            "citations-1-reported_by": seed.pk,
            "citations-1-quote": "a second quote",
        },
    )

    assert list(claim.citations.all()) == [first]
    assert "a second quote" in client.get(change_url(claim)).text  # the form shows the change
    workflow.approve([claim], by=reviewer)
    assert sorted(c.quote for c in claim.citations.all()) == sorted([first.quote, "a second quote"])


def test_a_revert_is_proposed_for_review_and_restores_the_old_text_once_approved(editor, reviewer):
    study = make_study(status=APPROVED, result=OLD)
    workflow.propose(study, snapshot_with(study, result=NEW), by=editor, submit=True)
    workflow.approve([study], by=reviewer)
    old_version = study.history.order_by("history_date", "history_id").first()
    assert old_version.result == OLD

    revision = workflow.revert(study, old_version, by=editor)

    study.refresh_from_db()
    assert study.result == NEW  # readers still see the approved text
    assert revision.status == RevisionStatus.IN_REVIEW
    assert revision.summary.startswith("Restored an earlier version.")
    workflow.approve([study], by=reviewer)
    study.refresh_from_db()
    assert study.result == OLD


def test_a_change_that_no_longer_validates_is_refused_and_writes_nothing(editor, reviewer):
    claim = make_claim(status=APPROVED, statement=OLD)
    make_citation(claim=claim)
    data = snapshot_with(claim, statement=NEW)
    data["children"]["citations"] = []
    workflow.propose(claim, data, by=editor, submit=True)

    result = workflow.approve([claim], by=reviewer)

    assert result.refused == [(claim, workflow.NEEDS_CITATION)]
    claim.refresh_from_db()
    assert claim.statement == OLD and claim.citations.count() == 1
    assert Claim.objects.published().filter(pk=claim.pk).exists()


def test_the_history_shows_who_changed_what_and_the_diff_and_revert_pages_open(
    client, editor, reviewer
):
    study = make_study(status=APPROVED, result=OLD)
    client.force_login(editor)
    edit_in_admin(
        client, study, result=NEW, review_action="submit", review_reason="The trial reported seven."
    )
    workflow.approve([study], by=reviewer)

    history = client.get(reverse("admin:evidence_study_history", args=[study.pk])).text
    first = study.history.order_by("history_date", "history_id").first()
    version = client.get(
        reverse("admin:evidence_study_version", args=[study.pk, first.history_id])
    ).text

    assert editor.username in history and "result" in history
    assert "<del>" in version and "<ins>" in version and "Revert to this version" in version


def test_a_citation_of_an_approved_claim_is_changed_only_on_the_claims_page(client, editor):
    claim = make_claim(status=APPROVED)
    citation = make_citation(claim=claim, quote="the quote readers see")
    client.force_login(editor)
    url = reverse("admin:evidence_citation_change", args=[citation.pk])

    edited = client.post(url, form_data(client.get(url)) | {"quote": "changed behind review"})
    added = client.post(
        reverse("admin:evidence_citation_add"),
        {
            "claim": claim.pk,
            "source": citation.source.pk,
            "reported_by": make_seed().pk,
            "quote": "added behind review",
        },
    )

    assert edited.status_code == HTTPStatus.FORBIDDEN
    assert added.status_code == HTTPStatus.OK
    assert "change this on its page, where the change waits for review" in added.text
    assert [c.quote for c in claim.citations.all()] == ["the quote readers see"]


@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda model: model.__name__)
def test_every_content_model_has_a_history_with_a_diff_of_each_version(admin_client, model):
    obj = make_one_of_each()[model]
    obj.save()  # a second recorded version

    history = admin_client.get(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[obj.pk])
    )
    record = obj.history.first()
    version = admin_client.get(
        reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_version",
            args=[obj.pk, record.history_id],
        )
    )

    assert history.status_code == version.status_code == HTTPStatus.OK
    assert "first recorded version" in history.text
    assert "No difference." in version.text  # the newest version is the row as stored


def test_dropping_a_claim_from_an_approved_condition_waits_for_review(client, editor, reviewer):
    condition = make_condition(status=APPROVED, clinician_summary=OLD)
    # Approved claims: approving a condition that links a draft is refused (dependencies).
    kept, dropped = make_claim(status=APPROVED), make_claim(status=APPROVED)
    condition.claims.add(kept, dropped)
    client.force_login(editor)
    url = change_url(condition)
    data = form_data(client.get(url))
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.endswith("-claim") and str(value) == str(dropped.pk)
    )
    prefix = next(key for key in data if key.endswith(f"-{index}-claim")).rsplit("-", 2)[0]

    client.post(url, data | {"clinician_summary": NEW, f"{prefix}-{index}-DELETE": "on"})

    condition.refresh_from_db()
    assert condition.clinician_summary == OLD
    assert set(condition.claims.all()) == {kept, dropped}
    form = client.get(url).text
    assert NEW in form
    workflow.approve([condition], by=reviewer)
    condition.refresh_from_db()
    assert condition.clinician_summary == NEW
    assert list(condition.claims.all()) == [kept]


def test_adding_a_citation_to_a_draft_makes_you_its_last_changer(client):
    both = make_staff("Editors", "Reviewers")
    claim = make_claim()
    seed = make_seed()
    client.force_login(both)
    edit_in_admin(
        client,
        claim,
        **{
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": seed.pk,
            "citations-0-reported_by": seed.pk,
            "citations-0-quote": "a quote",
        },
    )

    assert claim.citations.count() == 1
    assert workflow.approve([claim], by=both).refused == [(claim, workflow.TWO_PERSON)]


def test_replacing_the_content_clears_the_changes_and_history_of_the_old_rows(
    content, editor, reviewer
):
    from django.core.management import call_command

    study = Study.objects.get(key="weinstock2020-case-series")
    workflow.propose(study, snapshot_with(study, result=NEW), by=editor, submit=True)
    workflow.approve([study], by=reviewer)

    call_command("load_content", replace=True, verbosity=0)

    assert not Revision.objects.exists()
    assert not Study.objects.get(key=study.key).history.exists()
    assert NEW not in Study.objects.get(key=study.key).result


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (make_condition, "verdict"),
        (lambda **kw: make_citation(claim=make_claim(**kw)).claim, "statement"),
        (make_study, "result"),
        (make_mechanism, "name"),
        (make_source, "title"),
    ],
    ids=["condition", "claim", "study", "mechanism", "source"],
)
def test_an_edit_to_any_approved_item_waits_for_review(client, editor, reviewer, make, field):
    obj = make(status=APPROVED)
    before = getattr(obj, field)
    client.force_login(editor)

    response = edit_in_admin(client, obj, **{field: "Edited in review"})

    assert response.redirect_chain, response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert getattr(obj, field) == before and obj.is_published
    assert workflow.approve([obj], by=reviewer).changed == [obj]
    obj.refresh_from_db()
    assert getattr(obj, field) == "Edited in review"


def test_a_reviewer_approves_changes_from_the_list_of_revisions(client, editor, reviewer):
    study = make_study(status=APPROVED, result=OLD)
    workflow.propose(study, snapshot_with(study, result=NEW), by=editor, submit=True)
    [revision] = Revision.objects.all()
    client.force_login(reviewer)

    listed = client.get(reverse("admin:revisions_revision_changelist")).text
    client.post(
        reverse("admin:revisions_revision_changelist"),
        {"action": "approve", "_selected_action": [revision.pk]},
    )

    assert "Changed the result." in listed and 'value="approve"' in listed
    study.refresh_from_db()
    assert study.result == NEW
    revision.refresh_from_db()
    assert (revision.status, revision.reviewed_by) == (RevisionStatus.APPROVED, reviewer)
