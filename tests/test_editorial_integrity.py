"""Two editors and a reviewer: no editor's work is lost, every contributor is counted by the
two-person rule, and every decision says why."""

import re
from html import unescape

import pytest
from django.contrib.messages import WARNING
from django.urls import reverse

from evidence import workflow
from evidence.choices import ReviewStatus
from revisions import snapshots
from revisions.models import Revision, RevisionStatus
from tests.factories import (
    make_citation,
    make_claim,
    make_condition,
    make_editor,
    make_staff,
    make_study,
)
from tests.test_admin import form_data, shown_messages

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
OLD, EDITH, ERIC = "Five of nine improved.", "Seven of nine improved.", "Six of nine improved."


@pytest.fixture
def edith():
    return make_staff("Editors", first_name="Edith", last_name="Editor")


@pytest.fixture
def eric():
    return make_staff("Editors", first_name="Eric", last_name="Ames")


@pytest.fixture
def rita():
    return make_staff("Reviewers", first_name="Rita", last_name="Roe")


def with_fields(obj, base=None, **fields):
    data = snapshots.snapshot(obj) if base is None else base
    data = {**data, "fields": {**data["fields"], **fields}}
    return data


def approved_study(**fields):
    return make_study(status=APPROVED, result=OLD, population="Adults with itch", **fields)


def change_url(obj, view="change"):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def page_text(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.text)))


# ---------------------------------------------------------------- stale forms (item 2)


def test_a_save_from_a_form_opened_before_a_colleagues_change_of_another_field_is_refused(
    edith, eric
):
    study = approved_study()
    opened = workflow.edit_token(study)  # both open the form now
    stale_form = snapshots.snapshot(study)
    workflow.propose(study, with_fields(study, result=EDITH), by=edith, submit=True, base=opened)

    with pytest.raises(workflow.Stale) as refused:
        workflow.propose(
            study, with_fields(study, stale_form, population="Adults"), by=eric, base=opened
        )

    [change] = refused.value.changes
    assert (change.name, change.who, change.now) == ("result", "Edith Editor", EDITH)
    [pending] = Revision.objects.pending()
    assert pending.data["fields"]["result"] == EDITH
    assert (pending.author, pending.status) == (edith, RevisionStatus.IN_REVIEW)


def test_a_save_from_a_stale_form_of_the_same_field_is_refused_and_names_the_new_value(edith, eric):
    study = approved_study()
    opened = workflow.edit_token(study)
    workflow.propose(study, with_fields(study, result=EDITH), by=edith, submit=True, base=opened)

    with pytest.raises(workflow.Stale) as refused:
        workflow.propose(study, with_fields(study, result=ERIC), by=eric, base=opened)

    assert [(c.label, c.now) for c in refused.value.changes] == [("result", EDITH)]
    assert Revision.objects.pending().get().data["fields"]["result"] == EDITH
    # Saved from the current version, the merge goes through and both are contributors.
    current = workflow.edit_token(study)
    workflow.propose(study, with_fields(study, result=ERIC), by=eric, base=current)
    assert Revision.objects.pending().get().data["fields"]["result"] == ERIC


def test_in_the_admin_a_stale_save_is_refused_with_who_when_both_values_and_keeps_the_input(
    client, edith, eric
):
    study = approved_study()
    client.force_login(eric)
    stale = form_data(client.get(change_url(study)))  # Eric opens the form
    client.force_login(edith)
    edith_form = form_data(client.get(change_url(study)))
    client.post(
        change_url(study),
        edith_form
        | {
            "result": EDITH,
            "review_action": "submit",
            "review_reason": "The trial reported seven.",
        },
    )
    client.force_login(eric)

    response = client.post(change_url(study), stale | {"result": ERIC})

    text = page_text(response)
    assert response.status_code == 200  # the form again, not a redirect
    assert f"Not saved: “{study}” was changed by someone else after you opened this form." in text
    assert "Edith Editor changed the result on" in text
    assert f"now “{EDITH}”; in your form “{ERIC}”" in text
    assert "Your input is kept below: merge the two by hand, then save again." in text
    # What Eric typed is still in the form.
    assert response.context["adminform"].form["result"].value() == ERIC
    assert Revision.objects.pending().get().data["fields"]["result"] == EDITH

    # Saving again from that form is a deliberate merge: it goes through.
    merged = form_data(response) | {"result": f"{EDITH} {ERIC}"}
    client.post(change_url(study), merged, follow=True)
    pending = Revision.objects.pending().get()
    assert pending.data["fields"]["result"] == f"{EDITH} {ERIC}"
    assert pending.status == RevisionStatus.IN_REVIEW


def test_a_stale_save_of_a_draft_is_refused_too(client, edith, eric):
    study = make_study(result=OLD)
    client.force_login(eric)
    stale = form_data(client.get(change_url(study)))
    client.force_login(edith)
    client.post(change_url(study), form_data(client.get(change_url(study))) | {"result": EDITH})
    client.force_login(eric)

    response = client.post(change_url(study), stale | {"result": ERIC})

    assert "Edith Editor changed the result on" in page_text(response)
    study.refresh_from_db()
    assert study.result == EDITH


# ---------------------------------------------------------------- contributors (item 3)


def test_a_colleague_saving_on_top_keeps_the_change_in_review_and_is_recorded(edith, eric):
    study = approved_study()
    workflow.propose(study, with_fields(study, result=EDITH), by=edith, submit=True)

    data = with_fields(study, Revision.objects.pending().get().data, population="Adults")
    workflow.propose(study, data, by=eric)  # "Keep the review status"

    pending = Revision.objects.pending().get()
    assert pending.status == RevisionStatus.IN_REVIEW
    assert pending.author == edith
    assert [(c["name"], [f["label"] for f in c["changes"]]) for c in pending.contributions] == [
        ("Edith Editor", ["result"]),
        ("Eric Ames", ["population"]),
    ]


def test_no_one_who_contributed_may_approve_superusers_included(edith, rita):
    both = make_staff("Editors", "Reviewers", first_name="Bo", last_name="Th")
    boss = make_editor(first_name="Sue", last_name="Per")  # a superuser
    study = approved_study()
    workflow.propose(study, with_fields(study, result=EDITH), by=both, submit=True)
    pending = Revision.objects.pending().get()
    workflow.propose(study, with_fields(study, pending.data, result=EDITH + " "), by=edith)
    pending = Revision.objects.pending().get()
    workflow.propose(study, with_fields(study, pending.data, result=EDITH), by=boss)

    assert workflow.approve([study], by=both).refused == [(study, workflow.TWO_PERSON)]
    assert workflow.approve([study], by=boss).refused == [(study, workflow.TWO_PERSON)]
    study.refresh_from_db()
    assert study.result == OLD
    assert workflow.approve([study], by=rita).changed == [study]
    study.refresh_from_db()
    assert study.result == EDITH


def test_every_contributor_of_a_draft_is_counted(client, edith):
    both = make_staff("Editors", "Reviewers")
    study = make_study(result=OLD)
    client.force_login(both)
    client.post(change_url(study), form_data(client.get(change_url(study))) | {"result": EDITH})
    client.force_login(edith)
    client.post(change_url(study), form_data(client.get(change_url(study))) | {"result": ERIC})

    assert workflow.approve([study], by=both).refused == [(study, workflow.TWO_PERSON)]


def test_the_review_page_and_the_history_name_every_contributor_and_their_fields(
    client, edith, eric, rita
):
    study = approved_study()
    workflow.propose(study, with_fields(study, result=EDITH), by=edith, submit=True, reason="Why")
    data = with_fields(study, Revision.objects.pending().get().data, population="Adults")
    workflow.propose(study, data, by=eric)
    client.force_login(rita)

    review = page_text(client.get(change_url(study, "in_review")))
    history = page_text(client.get(change_url(study, "history")))

    for text in (review, history):
        assert "Edith Editor result" in text and "Eric Ames population" in text


# ---------------------------------------------------------------- decisions (item 6)


def test_a_reviewer_rejects_with_a_reason_and_the_change_is_kept_marked_rejected(edith, rita):
    study = approved_study()
    workflow.propose(study, with_fields(study, result=EDITH), by=edith, submit=True)

    assert workflow.reject([study], by=rita).refused == [(study, workflow.NEEDS_REASON)]
    assert workflow.reject([study], by=rita, reason="The paper says five.").changed == [study]

    revision = Revision.objects.get()
    assert revision.status == RevisionStatus.REJECTED
    assert revision.last_decision["reason"] == "The paper says five."
    study.refresh_from_db()
    assert study.result == OLD and not Revision.objects.pending().exists()


def test_a_reviewer_asks_for_changes_and_the_author_sees_the_comment(client, edith, rita):
    study = approved_study()
    workflow.propose(study, with_fields(study, result=EDITH), by=edith, submit=True)

    assert workflow.request_changes([study], by=rita).refused == [(study, workflow.NEEDS_REASON)]
    workflow.request_changes([study], by=rita, reason="Quote the page number.")

    assert Revision.objects.pending().get().status == RevisionStatus.DRAFT
    client.force_login(edith)
    messages = shown_messages(client.get(change_url(study)))
    assert (WARNING, "Changes asked for by Rita Roe: “Quote the page number.”") in messages


def test_returning_someone_elses_change_needs_a_reason_and_ones_own_does_not(edith, eric):
    study = approved_study()
    workflow.propose(study, with_fields(study, result=EDITH), by=edith, submit=True)

    assert workflow.return_to_draft([study], by=eric).refused == [(study, workflow.OTHERS_CHANGE)]
    assert Revision.objects.pending().get().status == RevisionStatus.IN_REVIEW
    assert workflow.return_to_draft([study], by=eric, reason="Not yet sourced.").changed
    workflow.submit_for_review([study], by=edith, reason="Sourced now.")
    assert workflow.return_to_draft([study], by=edith).changed == [study]


def test_the_admin_asks_for_a_reason_when_submitting(client, edith):
    study = approved_study()
    client.force_login(edith)

    response = client.post(
        change_url(study),
        form_data(client.get(change_url(study))) | {"result": EDITH, "review_action": "submit"},
    )

    assert "Say in a few words why you make this change" in page_text(response)
    assert not Revision.objects.exists()


def test_an_editor_is_offered_no_reviewer_action_and_sees_no_changed_successfully(client, edith):
    study = approved_study()
    client.force_login(edith)
    form = client.get(change_url(study)).text

    response = client.post(
        change_url(study),
        form_data(client.get(change_url(study))) | {"result": EDITH},
        follow=True,
    )

    for action in ("approve", "reject", "changes", "retire"):
        assert f'<option value="{action}"' not in form
    assert not any("successfully" in text for _, text in shown_messages(response))
    assert any("saved as a change waiting for review" in t for _, t in shown_messages(response))


def test_the_public_changes_list_shows_the_reason_of_an_approved_change(client, edith, rita):
    condition = make_condition(status=APPROVED)
    claim = make_citation(claim=make_claim(status=APPROVED)).claim
    condition.claims.add(claim)
    workflow.propose(
        claim,
        with_fields(claim, statement="It was well tolerated by most."),
        by=edith,
        submit=True,
        reason="The seed says most, not all.",
    )
    workflow.approve([claim], by=rita)

    page = page_text(client.get(condition.get_absolute_url()))

    assert "Why: The seed says most, not all. Approved by Rita Roe." in page
    api = client.get(f"/api/v1/conditions/{condition.slug}/").json()
    changes = [s for s in api["sections"] if s["id"] == "changes"][0]
    assert changes["items"][0]["reason"] == "The seed says most, not all."
