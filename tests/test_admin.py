"""The editors' admin: every model opens, changelists stay flat, forms explain what is wrong."""

import re
from datetime import date
from http import HTTPStatus

import pytest
from django.contrib import admin, messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from conditions.models import (
    CertaintyRating,
    Condition,
    IndirectEvidence,
    OutcomeCertainty,
    PlainStatement,
    TreatmentRecommendation,
)
from evidence import grading, workflow
from evidence.choices import ClaimKind, Outcome, ReviewStatus, StudyDesign
from evidence.management.content import content_models
from evidence.models import (
    Citation,
    Claim,
    Conflict,
    Grade,
    GradingScale,
    Intervention,
    Mechanism,
    PrimarySourceCheck,
    SeedReference,
    Source,
    Study,
)
from tests.factories import (
    make_certainty,
    make_check,
    make_citation,
    make_claim,
    make_condition,
    make_conflict,
    make_editor,
    make_grade,
    make_intervention,
    make_mechanism,
    make_one_of_each,
    make_plain_statement,
    make_rating,
    make_recommendation,
    make_scale,
    make_seed,
    make_seed_reference,
    make_source,
    make_study,
)

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
NEEDS_REASON = "Say why the editors depart from the rule."
LAST_CITATION = "This claim is approved. " + workflow.NEEDS_CITATION


# ---------------------------------------------------------------- helpers


def sort_grade(code):
    return make_grade(grading.SORT_SCALE, code=code, label=code)


def certainty_grade(code):
    return make_grade(grading.GRADE_SCALE, code=code, label=code.capitalize())


def cited_claim(**overrides):
    claim = make_claim(**overrides)
    make_citation(claim=claim)
    return claim


EDITED_MODELS = [
    GradingScale,
    Grade,
    Source,
    SeedReference,
    Intervention,
    Mechanism,
    Study,
    Claim,
    Citation,
    Conflict,
    PrimarySourceCheck,
    Condition,
    TreatmentRecommendation,
    OutcomeCertainty,
    CertaintyRating,
    PlainStatement,
]

# What goes through the review workflow, each made as a draft an editor may approve.
REVIEWED = pytest.mark.parametrize(
    "make",
    [make_study, make_condition, make_mechanism, cited_claim],
    ids=["study", "condition", "mechanism", "claim"],
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def posted(form):
    """What a browser posts for `form` as rendered, unchanged."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(item) for item in value]
        data[field.html_name] = value
    return data


def form_data(response):
    """POST data for an admin add or change page: its form and every inline, as rendered."""
    data = posted(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data |= posted(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= posted(form)
    return data


def save_form(client, url, **fields):
    """Open the add or change page at `url`, change `fields`, save, and follow the redirect."""
    return client.post(url, form_data(client.get(url)) | fields, follow=True)


def condition_post(admin_client, **fields):
    url = admin_url(Condition, "add")
    data = form_data(admin_client.get(url)) | {
        "name": "Prurigo nodularis",
        "slug": "prurigo-nodularis",
        "clinician_summary": "For clinicians.",
        "patient_summary": "For patients.",
        "verdict": "Consider in refractory disease.",
        "verdict_rationale": "Case series only.",
    }
    return admin_client.post(url, data | fields)


def claim_post(admin_client, citations=(), **fields):
    url = admin_url(Claim, "add")
    data = form_data(admin_client.get(url)) | {
        "key": "itch-relief-in-one-save",
        "kind": ClaimKind.SAFETY,
        "statement": "Few side effects.",
        "review_action": "approve",
    }
    data["citations-TOTAL_FORMS"] = str(len(citations))
    for index, (source, seed, quote) in enumerate(citations):
        data |= {
            f"citations-{index}-source": source.pk,
            f"citations-{index}-reported_by": seed.pk,
            f"citations-{index}-quote": quote,
        }
    return admin_client.post(url, data | fields, follow=True)


def run_action(client, model, action, objects):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def shown_messages(response):
    return [(message.level, message.message) for message in response.context["messages"]]


def shown(response, level):
    return [text for shown_level, text in shown_messages(response) if shown_level == level]


def row_of(response, text):
    """The changelist row (<tr>…</tr>) that contains `text`."""
    rows = [row for row in re.findall(r"<tr[ >].*?</tr>", response.text, re.S) if text in row]
    assert len(rows) == 1, f"{len(rows)} rows contain {text!r}"
    return rows[0]


# ---------------------------------------------------------------- access and pages


def test_it_redirects_anonymous_users_to_login(client):
    response = client.get(admin_url(Claim, "changelist"))

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("admin:login"))


def test_it_names_the_site_for_editors(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == HTTPStatus.OK
    assert "ldnref editors" in response.text


@pytest.mark.parametrize("app_label", ["evidence", "conditions"])
def test_it_registers_every_model(app_label):
    # Every content model; the content version (bookkeeping, evidence.versions) is no content.
    models = [m for m in content_models() if m._meta.app_label == app_label]

    assert [m for m in models if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda model: model.__name__)
def test_every_changelist_opens(admin_client, model):
    obj = make_one_of_each()[model]

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == HTTPStatus.OK
    assert f"Select {model._meta.verbose_name} to change" in response.text
    assert obj in response.context["cl"].result_list
    assert admin_url(model, "change", obj.pk) in response.text


@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda model: model.__name__)
def test_every_add_page_opens(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == HTTPStatus.OK
    assert f"<h1>Add {model._meta.verbose_name}</h1>" in response.text


@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda model: model.__name__)
def test_every_change_page_opens(admin_client, model):
    obj = make_one_of_each()[model]

    response = admin_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == HTTPStatus.OK
    assert f"<h1>Change {model._meta.verbose_name}</h1>" in response.text
    assert f"<h2>{escape(str(obj))}</h2>" in response.text


# ---------------------------------------------------------------- no query per row


def condition_row():
    """A condition the rule grades B (a draft case report does not count), with an override."""
    condition = make_condition(
        verdict_override=sort_grade("C"), verdict_override_reason="The trial was tiny."
    )
    condition.studies.add(
        make_study(design=StudyDesign.RCT, status=APPROVED),
        make_study(design=StudyDesign.CASE_REPORT),
    )


def certainty_row():
    certainty = make_certainty(
        studies=[make_study(design=StudyDesign.RCT, status=APPROVED)],
        certainty_override=certainty_grade("low"),
        certainty_override_reason="Open label.",
    )
    make_rating(certainty=certainty)


def recommendation_row():
    make_recommendation(
        strength=make_grade(grading.STRENGTH_SCALE, code="a", label="A"),
        quality=make_grade(grading.QUALITY_SCALE, code="i", label="I"),
        graded_by=make_source(),
    )


ROW_MAKERS = {
    GradingScale: lambda: make_grade(make_scale()),
    Grade: lambda: make_grade(grading.GRADE_SCALE),
    Source: make_source,
    SeedReference: make_seed_reference,
    Intervention: make_intervention,
    Mechanism: make_mechanism,
    Study: lambda: make_study(intervention=make_intervention()),
    Claim: make_citation,
    Citation: make_citation,
    Conflict: make_conflict,
    PrimarySourceCheck: make_check,
    Condition: condition_row,
    TreatmentRecommendation: recommendation_row,
    OutcomeCertainty: certainty_row,
    CertaintyRating: make_rating,
    PlainStatement: make_plain_statement,
    IndirectEvidence: lambda: IndirectEvidence.objects.create(
        condition=make_condition(), study=make_study(), reason="Adults with another disease."
    ),
}


@pytest.mark.parametrize("model", ROW_MAKERS, ids=lambda model: model.__name__)
def test_changelists_make_as_many_queries_for_fifty_rows_as_for_one(admin_client, model):
    url = admin_url(model, "changelist")
    ROW_MAKERS[model]()
    admin_client.get(url)  # warm up the session and content type caches
    with CaptureQueriesContext(connection) as one_row:
        admin_client.get(url)
    for _ in range(49):
        ROW_MAKERS[model]()

    with CaptureQueriesContext(connection) as fifty_rows:
        response = admin_client.get(url)

    assert response.context["cl"].result_count == model.objects.count() >= 50
    assert len(response.context["cl"].result_list) == response.context["cl"].result_count
    assert len(fifty_rows) == len(one_row)


# ---------------------------------------------------------------- computed columns


def test_it_counts_citations_on_the_claim_changelist(admin_client):
    cited = make_claim(key="cited")
    make_citation(claim=cited)
    make_citation(claim=cited)
    make_claim(key="uncited")

    response = admin_client.get(admin_url(Claim, "changelist"))

    rows = {row.key: row.citation_count for row in response.context["cl"].result_list}
    assert rows == {"cited": 2, "uncited": 0}
    assert "<strong>none</strong>" in row_of(response, ">uncited<")


def test_it_shows_the_cebm_level_the_design_gives(admin_client):
    make_study(label="Trial", design=StudyDesign.RCT)
    make_study(label="Review", design=StudyDesign.NARRATIVE_REVIEW)

    response = admin_client.get(admin_url(Study, "changelist"))

    assert "Level 2" in row_of(response, ">Trial<")
    assert "not graded" in row_of(response, ">Review<")


def test_it_says_whether_a_sources_bibliographic_data_is_verified(admin_client):
    make_source(key="checked", confirmed_at="https://pubmed.ncbi.nlm.nih.gov/1/", pmid="1")
    make_source(key="unchecked")

    response = admin_client.get(admin_url(Source, "changelist"))

    assert "✔ verified" in row_of(response, ">checked<")
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/1/"' in row_of(response, ">checked<")
    assert "✘ unverified" in row_of(response, ">unchecked<")


def test_it_links_only_web_and_mail_addresses_of_a_source(admin_client):
    make_source(key="web", url="https://example.org/paper")
    make_source(key="script", url="javascript:alert(1)")
    make_source(key="data", url="data:text/html,<script>alert(1)</script>")

    response = admin_client.get(admin_url(Source, "changelist"))

    assert 'href="https://example.org/paper"' in row_of(response, ">web<")
    assert ">Web</a>" not in row_of(response, ">script<")
    assert ">Web</a>" not in row_of(response, ">data<")
    assert "javascript:" not in response.text
    assert "<script>alert(1)" not in response.text


def test_the_condition_changelist_shows_the_grade_the_rule_gives(admin_client):
    graded = make_condition(name="Psoriasis")
    graded.studies.add(
        make_study(design=StudyDesign.RCT, status=APPROVED),
        make_study(design=StudyDesign.CASE_REPORT),
    )
    drafts_only = make_condition(name="Vitiligo")
    drafts_only.studies.add(make_study(design=StudyDesign.RCT))

    response = admin_client.get(admin_url(Condition, "changelist"))

    assert "SORT grade" in response.text
    assert f'<span title="{grading.SORT_RULE}">B</span>' in row_of(response, ">Psoriasis<")
    # Only approved studies count: a draft trial gives no grade yet.
    assert f'<span title="{grading.SORT_RULE}">no grade</span>' in row_of(response, ">Vitiligo<")


def test_the_condition_changelist_flags_an_override_of_the_rule(admin_client):
    condition = make_condition(
        name="Psoriasis",
        verdict_override=sort_grade("C"),
        verdict_override_reason="The only trial was stopped early.",
    )
    condition.studies.add(make_study(design=StudyDesign.RCT, status=APPROVED))

    response = admin_client.get(admin_url(Condition, "changelist"))

    assert (
        '<strong title="The only trial was stopped early.">C (override; the rule gives B)</strong>'
        in row_of(response, ">Psoriasis<")
    )


def test_the_condition_change_form_shows_the_derived_grade_read_only(admin_client):
    condition = make_condition(
        verdict_override=sort_grade("B"), verdict_override_reason="Editors trust the series."
    )
    condition.studies.add(make_study(design=StudyDesign.CASE_SERIES, status=APPROVED))

    response = admin_client.get(admin_url(Condition, "change", condition.pk))

    assert "SORT grade" in response.text
    assert "B (override; the rule gives C)" in response.text
    assert "grade" not in response.context["adminform"].form.fields


def test_the_certainty_admin_shows_the_derived_grade_certainty(admin_client):
    by_rule = make_certainty(
        outcome=Outcome.ITCH_RELIEF,
        studies=[make_study(design=StudyDesign.RCT, status=APPROVED)],
    )
    make_rating(certainty=by_rule)  # imprecision: high → moderate
    overridden = make_certainty(
        outcome=Outcome.QUALITY_OF_LIFE,
        studies=[make_study(design=StudyDesign.CASE_SERIES, status=APPROVED)],
        certainty_override=certainty_grade("very-low"),
        certainty_override_reason="Nine patients.",
    )

    changelist = admin_client.get(admin_url(OutcomeCertainty, "changelist"))
    change_page = admin_client.get(admin_url(OutcomeCertainty, "change", overridden.pk))

    assert "GRADE certainty" in changelist.text
    assert f'<span title="{grading.GRADE_RULE}">moderate</span>' in row_of(
        changelist, escape(by_rule.condition.name)
    )
    flagged = '<strong title="Nine patients.">very-low (override; the rule gives low)</strong>'
    assert flagged in row_of(changelist, escape(overridden.condition.name))
    assert flagged in change_page.text
    assert 'name="certainty"' not in change_page.text


def test_it_shows_the_seed_reference_list_only_on_seed_articles(admin_client):
    seed, other = make_seed(), make_source()

    seed_page = admin_client.get(admin_url(Source, "change", seed.pk))
    other_page = admin_client.get(admin_url(Source, "change", other.pk))

    assert [f.formset.model for f in seed_page.context["inline_admin_formsets"]] == [SeedReference]
    assert other_page.context["inline_admin_formsets"] == []


def test_it_previews_a_summary_through_the_page_pipeline(admin_client):
    source = make_source()
    condition = make_condition(
        clinician_summary=f"Itch fell [@{source.key}]. <script>alert(1)</script>"
    )

    response = admin_client.get(admin_url(Condition, "change", condition.pk))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert '<sup class="cite"><a aria-label="Reference 1" href="#ref-1"' in html
    assert "<script>alert(1)</script>" not in html


# ---------------------------------------------------------------- grades and validation

GRADE_FIELDS = [
    (Condition, "verdict_override", grading.SORT_SCALE, grading.GRADE_SCALE),
    (OutcomeCertainty, "certainty_override", grading.GRADE_SCALE, grading.SORT_SCALE),
    (TreatmentRecommendation, "strength", grading.STRENGTH_SCALE, grading.QUALITY_SCALE),
    (TreatmentRecommendation, "quality", grading.QUALITY_SCALE, grading.STRENGTH_SCALE),
]


@pytest.mark.parametrize(
    ("model", "field", "scale", "other_scale"),
    GRADE_FIELDS,
    ids=[f"{model.__name__}.{field}" for model, field, *_ in GRADE_FIELDS],
)
def test_a_grade_dropdown_offers_only_its_own_scale(admin_client, model, field, scale, other_scale):
    right = make_grade(scale, code="right", label="Right")
    wrong = make_grade(other_scale, code="wrong", label="Wrong")

    response = admin_client.get(admin_url(model, "add"))

    dropdown = str(response.context["adminform"].form[field])
    assert f'<option value="{right.pk}">{escape(right)}</option>' in dropdown
    assert f'value="{wrong.pk}"' not in dropdown
    assert "Wrong" not in dropdown


def test_it_refuses_a_condition_verdict_override_on_another_scale(admin_client):
    sort_grade("B")

    response = condition_post(
        admin_client,
        verdict_override=certainty_grade("low").pk,
        verdict_override_reason="Editors' judgement.",
    )

    assert response.status_code == HTTPStatus.OK
    assert "Select a valid choice." in response.text
    assert not Condition.objects.exists()


def test_it_asks_why_a_condition_verdict_departs_from_the_rule(admin_client):
    response = condition_post(admin_client, verdict_override=sort_grade("B").pk)

    assert response.status_code == HTTPStatus.OK
    assert NEEDS_REASON in response.text
    assert not Condition.objects.exists()


def test_it_saves_a_condition_verdict_override_with_its_reason(admin_client):
    response = condition_post(
        admin_client,
        verdict_override=sort_grade("B").pk,
        verdict_override_reason="A trial is under way.",
    )

    assert response.status_code == HTTPStatus.FOUND
    condition = Condition.objects.get()
    assert (condition.verdict_override.code, condition.verdict_override_reason) == (
        "B",
        "A trial is under way.",
    )
    assert condition.status == ReviewStatus.DRAFT


def test_it_asks_why_a_certainty_departs_from_the_rule(admin_client):
    certainty = make_certainty()
    url = admin_url(OutcomeCertainty, "change", certainty.pk)

    response = save_form(admin_client, url, certainty_override=certainty_grade("high").pk)

    assert NEEDS_REASON in response.text
    certainty.refresh_from_db()
    assert certainty.certainty_override is None


def test_it_asks_whose_grade_a_graded_recommendation_is(admin_client):
    url = admin_url(TreatmentRecommendation, "add")
    data = {
        "condition": make_condition().pk,
        "treatment": "Dupilumab",
        "strength": make_grade(grading.STRENGTH_SCALE, code="a").pk,
        "claim": make_claim().pk,
        "order": "0",
    }

    response = admin_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert "Say whose grade this is." in response.text
    assert not TreatmentRecommendation.objects.exists()


# ---------------------------------------------------------------- review: the change form


@REVIEWED
def test_approving_in_the_change_form_dates_and_signs_the_review(admin_client, admin_user, make):
    obj = make()

    response = save_form(
        admin_client, admin_url(type(obj), "change", obj.pk), review_action="approve"
    )

    obj.refresh_from_db()
    assert response.redirect_chain[0][1] == HTTPStatus.FOUND
    assert (obj.status, obj.last_reviewed, obj.reviewed_by) == (
        APPROVED,
        timezone.localdate(),
        admin_user,
    )
    assert [text for text in shown(response, messages.SUCCESS) if str(obj) in text]
    assert shown(response, messages.WARNING) == []


@REVIEWED
def test_the_status_cannot_be_posted_through_the_change_form(admin_client, admin_user, make):
    obj = make()
    url = admin_url(type(obj), "change", obj.pk)
    page = admin_client.get(url)

    response = admin_client.post(
        url,
        form_data(page)
        | {"status": APPROVED, "last_reviewed": "2020-01-01", "reviewed_by": admin_user.pk},
    )

    assert response.status_code == HTTPStatus.FOUND
    obj.refresh_from_db()
    assert (obj.status, obj.last_reviewed, obj.reviewed_by) == (ReviewStatus.DRAFT, None, None)
    assert 'name="status"' not in page.text
    assert "Keep the review status" in page.text


def test_the_change_form_shows_who_reviewed_an_item_and_when(admin_client):
    editor = make_editor(username="ada")
    study = make_study(status=APPROVED, last_reviewed=date(2026, 3, 1), reviewed_by=editor)

    response = admin_client.get(admin_url(Study, "change", study.pk))

    assert "Approved" in response.text
    assert date_format(date(2026, 3, 1)) in response.text
    assert ">ada<" in response.text


def test_returning_an_item_to_draft_in_the_change_form_takes_it_off_the_site(admin_client):
    study = make_study(status=APPROVED, last_reviewed=date(2026, 3, 1))

    save_form(admin_client, admin_url(Study, "change", study.pk), review_action="draft")

    study.refresh_from_db()
    assert study.status == ReviewStatus.DRAFT
    assert not Study.objects.published().exists()


def test_an_editor_cannot_add_a_cited_claim_and_approve_it_in_one_save(admin_client):
    seed = make_seed()

    response = claim_post(admin_client, citations=[(seed, seed, "very few adverse events")])

    claim = Claim.objects.get(key="itch-relief-in-one-save")
    assert (claim.status, claim.reviewed_by) == (ReviewStatus.DRAFT, None)
    [warning] = shown(response, messages.WARNING)
    assert workflow.TWO_PERSON in warning


def test_approving_an_uncited_claim_in_the_change_form_is_refused(admin_client):
    response = claim_post(admin_client)

    claim = Claim.objects.get(key="itch-relief-in-one-save")
    assert (claim.status, claim.last_reviewed, claim.reviewed_by) == (
        ReviewStatus.DRAFT,
        None,
        None,
    )
    [warning] = shown(response, messages.WARNING)
    assert str(claim) in warning
    assert workflow.NEEDS_CITATION in warning
    assert escape(workflow.NEEDS_CITATION) in response.text


def test_the_last_citation_of_an_approved_claim_cannot_be_deleted(admin_client):
    claim = make_claim(status=APPROVED)
    make_citation(claim=claim)
    url = admin_url(Claim, "change", claim.pk)

    response = save_form(admin_client, url, **{"citations-0-DELETE": "on"})

    assert response.redirect_chain == []
    assert LAST_CITATION in response.text
    assert list(Claim.objects.published()) == [claim]


def test_an_approved_claim_may_drop_one_of_two_citations_once_a_reviewer_approves(
    admin_client, client
):
    claim = make_claim(status=APPROVED)
    make_citation(claim=claim)
    make_citation(claim=claim)

    response = save_form(
        admin_client, admin_url(Claim, "change", claim.pk), **{"citations-0-DELETE": "on"}
    )

    assert response.redirect_chain[0][1] == HTTPStatus.FOUND
    assert claim.citations.count() == 2  # readers still see the approved version
    client.force_login(make_editor())
    run_action(client, Claim, "approve", [claim])
    assert claim.citations.count() == 1
    assert list(Claim.objects.published()) == [claim]


def test_a_draft_claim_may_drop_its_only_citation(admin_client):
    claim = cited_claim()

    response = save_form(
        admin_client, admin_url(Claim, "change", claim.pk), **{"citations-0-DELETE": "on"}
    )

    assert response.redirect_chain[0][1] == HTTPStatus.FOUND
    assert not claim.citations.exists()


# ---------------------------------------------------------------- review: bulk actions


@REVIEWED
def test_the_approve_action_dates_and_signs_the_review(client, make):
    editor = make_editor()
    client.force_login(editor)
    earlier = make_editor()
    objects = [
        make(status=ReviewStatus.IN_REVIEW),
        make(status=ReviewStatus.RETIRED, last_reviewed=date(2024, 1, 1), reviewed_by=earlier),
    ]
    model = type(objects[0])

    response = run_action(client, model, "approve", objects)

    assert {(obj.status, obj.last_reviewed, obj.reviewed_by) for obj in model.objects.all()} == {
        (APPROVED, timezone.localdate(), editor)
    }
    [success] = shown(response, messages.SUCCESS)
    assert all(str(obj) in success for obj in objects)


def test_the_approve_action_skips_uncited_claims_with_a_warning(admin_client):
    cited, uncited = cited_claim(key="cited"), make_claim(key="uncited")

    response = run_action(admin_client, Claim, "approve", [cited, uncited])

    cited.refresh_from_db()
    uncited.refresh_from_db()
    assert cited.status == APPROVED
    assert (uncited.status, uncited.last_reviewed, uncited.reviewed_by) == (
        ReviewStatus.DRAFT,
        None,
        None,
    )
    [success] = shown(response, messages.SUCCESS)
    assert str(cited) in success
    assert str(uncited) not in success
    [warning] = shown(response, messages.WARNING)
    assert str(uncited) in warning
    assert workflow.NEEDS_CITATION in warning


@REVIEWED
def test_the_submit_action_moves_items_to_review(admin_client, make):
    objects = [make(), make(status=ReviewStatus.RETIRED, last_reviewed=date(2024, 1, 1))]
    model = type(objects[0])

    response = run_action(admin_client, model, "submit_for_review", objects)

    assert {obj.status for obj in model.objects.all()} == {ReviewStatus.IN_REVIEW}
    assert not model.objects.published().exists()
    # Submitting is not a review: the date of the last one stays.
    assert model.objects.get(pk=objects[1].pk).last_reviewed == date(2024, 1, 1)
    [success] = shown(response, messages.SUCCESS)
    assert all(str(obj) in success for obj in objects)


@REVIEWED
def test_the_retire_action_takes_items_off_the_site_and_signs_it(admin_client, admin_user, make):
    objects = [make(status=APPROVED), make()]
    model = type(objects[0])

    run_action(admin_client, model, "retire", objects)

    assert {(obj.status, obj.last_reviewed, obj.reviewed_by) for obj in model.objects.all()} == {
        (ReviewStatus.RETIRED, timezone.localdate(), admin_user)
    }
    assert not model.objects.published().exists()
