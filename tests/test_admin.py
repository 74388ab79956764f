"""The editors' admin: every model opens, changelists stay flat, forms explain what is wrong."""

import itertools
from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib import admin, messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- helpers

_numbers = itertools.count(1)

SCALE_NAMES = {
    grading.SORT_SCALE: "SORT",
    grading.GRADE_SCALE: "GRADE certainty",
    grading.STRENGTH_SCALE: "Strength of recommendation",
    grading.QUALITY_SCALE: "Quality of evidence",
}


def make_grade(scale_slug, code):
    scale, _ = GradingScale.objects.get_or_create(
        slug=scale_slug,
        defaults={
            "name": SCALE_NAMES[scale_slug],
            "purpose": "Grades things.",
            "source": "Its publisher",
            "source_url": "https://example.org/scale",
        },
    )
    grade = scale.grades.filter(code=code).first()
    if grade is None:
        grade = scale.grades.create(
            code=code,
            label=code.capitalize(),
            rank=scale.grades.count() + 1,
            definition="The scale's words.",
        )
    return grade


def make_source(**overrides):
    number = next(_numbers)
    fields = {
        "key": f"author{number}",
        "kind": "journal-article",
        "reliability": "Peer reviewed.",
        "authors": f"Author{number} A, Other B",
        "title": f"Paper number {number}",
        "year": 2020,
    }
    return Source.objects.create(**(fields | overrides))


def make_seed(**overrides):
    number = next(_numbers)
    return make_source(seed_file=f"seed{number}.txt", kind="narrative-review", **overrides)


def make_study(**overrides):
    number = next(_numbers)
    fields = {
        "key": f"study-{number}",
        "label": f"Study {number}",
        "design": "rct",
        "quote": "A randomized trial.",
    }
    fields |= overrides
    fields.setdefault("source", make_source())
    fields.setdefault("reported_by", make_seed())
    return Study.objects.create(**fields)


def make_claim(**overrides):
    number = next(_numbers)
    fields = {
        "key": f"claim-{number}",
        "kind": "efficacy",
        "outcome": "itch-relief",
        "statement": "Itch improved.",
    }
    return Claim.objects.create(**(fields | overrides))


def make_citation(claim, **overrides):
    fields = {"claim": claim, "quote": "Itch improved."}
    fields |= overrides
    fields.setdefault("source", make_source())
    fields.setdefault("reported_by", make_seed())
    return Citation.objects.create(**fields)


def make_condition(**overrides):
    number = next(_numbers)
    fields = {
        "slug": f"condition-{number}",
        "name": f"Condition {number}",
        "clinician_summary": "For clinicians.",
        "patient_summary": "For patients.",
        "verdict": "Not first-line.",
        "verdict_rationale": "Little evidence.",
    }
    return Condition.objects.create(**(fields | overrides))


def make_certainty(**overrides):
    fields = {
        "outcome": "itch-relief",
        "route": "oral",
        "certainty": make_grade(grading.GRADE_SCALE, "low"),
        "rationale": "Small studies.",
    }
    fields |= overrides
    fields.setdefault("condition", make_condition())
    certainty = OutcomeCertainty.objects.create(**fields)
    certainty.studies.add(make_study(design="case-series"))
    return certainty


def make_one_of_each():
    """One saved object of every model the admin edits, keyed by model."""
    seed = make_seed()
    claim = make_claim()
    condition = make_condition(verdict_grade=make_grade(grading.SORT_SCALE, "C"))
    condition.claims.add(claim)
    certainty = make_certainty(condition=condition)
    grade = make_grade(grading.STRENGTH_SCALE, "a")
    return {
        GradingScale: grade.scale,
        Grade: grade,
        Source: seed,
        SeedReference: SeedReference.objects.create(
            seed=seed, source=make_source(), number=1, as_printed="Author A. Paper."
        ),
        Intervention: Intervention.objects.create(
            key="ldn-oral", name="Oral LDN", drug="naltrexone", reported_by=seed, quote="LDN."
        ),
        Mechanism: Mechanism.objects.create(
            slug="tlr4", name="TLR4", summary="Blocks TLR4.", reported_by=seed, quote="TLR4."
        ),
        Study: make_study(reported_by=seed),
        Claim: claim,
        Citation: make_citation(claim, reported_by=seed),
        Conflict: Conflict.objects.create(
            key="dose", title="Dose", claim_a=claim, claim_b=make_claim(), editors_note="Why."
        ),
        PrimarySourceCheck: PrimarySourceCheck.objects.create(
            key="check-1",
            claim=claim,
            source=make_source(),
            verdict="agrees",
            finding="Same.",
            checked_against="https://pubmed.ncbi.nlm.nih.gov/1/",
        ),
        Condition: condition,
        TreatmentRecommendation: TreatmentRecommendation.objects.create(
            condition=condition,
            treatment="Dupilumab",
            strength=grade,
            graded_by=make_source(),
            claim=claim,
        ),
        OutcomeCertainty: certainty,
        CertaintyRating: CertaintyRating.objects.create(
            certainty=certainty, domain="imprecision", level_change=-1, reason="Few people."
        ),
        PlainStatement: PlainStatement.objects.create(
            condition=condition, section="helps", text="It may ease itch.", claim=claim
        ),
    }


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


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response):
    """POST data for an admin add page: empty management forms for every inline."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def condition_post(admin_client, **fields):
    url = admin_url(Condition, "add")
    data = form_data(admin_client.get(url)) | {
        "name": "Prurigo nodularis",
        "slug": "prurigo-nodularis",
        "clinician_summary": "For clinicians.",
        "patient_summary": "For patients.",
        "verdict": "Consider in refractory disease.",
        "verdict_rationale": "Case series only.",
        "status": ReviewStatus.DRAFT,
    }
    return admin_client.post(url, data | fields)


def run_action(admin_client, model, action, objects):
    return admin_client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def shown_messages(response):
    return [(message.level, message.message) for message in response.context["messages"]]


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
    models = apps.get_app_config(app_label).get_models()

    assert [m for m in models if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda model: model.__name__)
def test_every_changelist_opens(admin_client, model):
    make_one_of_each()

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == HTTPStatus.OK
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda model: model.__name__)
def test_every_add_page_opens(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("model", EDITED_MODELS, ids=lambda model: model.__name__)
def test_every_change_page_opens(admin_client, model):
    obj = make_one_of_each()[model]

    response = admin_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == HTTPStatus.OK


# ---------------------------------------------------------------- no query per row


def claim_row():
    make_citation(make_claim())


def study_row():
    make_study(intervention=None)


def condition_row():
    condition = make_condition(verdict_grade=make_grade(grading.SORT_SCALE, "B"))
    condition.studies.add(make_study(status=ReviewStatus.APPROVED))


def recommendation_row():
    TreatmentRecommendation.objects.create(
        condition=make_condition(),
        treatment="Dupilumab",
        strength=make_grade(grading.STRENGTH_SCALE, "a"),
        quality=make_grade(grading.QUALITY_SCALE, "i"),
        graded_by=make_source(),
        claim=make_claim(),
    )


def rating_row():
    CertaintyRating.objects.create(
        certainty=make_certainty(), domain="imprecision", level_change=-1, reason="Few people."
    )


ROW_MAKERS = {
    Claim: claim_row,
    Study: study_row,
    Source: make_source,
    Condition: condition_row,
    Citation: claim_row,
    Grade: lambda: make_grade(grading.GRADE_SCALE, f"level-{next(_numbers)}"),
    TreatmentRecommendation: recommendation_row,
    OutcomeCertainty: make_certainty,
    CertaintyRating: rating_row,
}


@pytest.mark.parametrize("model", ROW_MAKERS, ids=lambda model: model.__name__)
def test_changelists_make_as_many_queries_for_ten_rows_as_for_one(admin_client, model):
    url = admin_url(model, "changelist")
    ROW_MAKERS[model]()
    admin_client.get(url)  # warm up the session and content type caches
    with CaptureQueriesContext(connection) as one_row:
        admin_client.get(url)
    for _ in range(9):
        ROW_MAKERS[model]()

    with CaptureQueriesContext(connection) as ten_rows:
        response = admin_client.get(url)

    assert response.context["cl"].result_count == model.objects.count() >= 10
    assert len(ten_rows) == len(one_row)


# ---------------------------------------------------------------- computed columns


def test_it_counts_citations_on_the_claim_changelist(admin_client):
    cited = make_claim(key="cited")
    make_citation(cited)
    make_citation(cited)
    make_claim(key="uncited")

    response = admin_client.get(admin_url(Claim, "changelist"))

    rows = {row.key: row.citation_count for row in response.context["cl"].result_list}
    assert rows == {"cited": 2, "uncited": 0}
    assert "<strong>none</strong>" in response.text


def test_it_shows_the_cebm_level_the_design_gives(admin_client):
    make_study(design="rct")
    make_study(design="narrative-review")

    response = admin_client.get(admin_url(Study, "changelist"))

    assert "Level 2" in response.text
    assert "not graded" in response.text


def test_it_says_whether_a_sources_bibliographic_data_is_verified(admin_client):
    make_source(confirmed_at="https://pubmed.ncbi.nlm.nih.gov/1/", pmid="1")
    make_source()

    response = admin_client.get(admin_url(Source, "changelist"))

    assert "✔ verified" in response.text
    assert "✘ unverified" in response.text
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/1/"' in response.text


def test_it_flags_a_stored_verdict_the_rule_does_not_give(admin_client):
    agrees = make_condition(verdict_grade=make_grade(grading.SORT_SCALE, "B"))
    agrees.studies.add(make_study(design="rct", status=ReviewStatus.APPROVED))
    differs = make_condition(verdict_grade=make_grade(grading.SORT_SCALE, "C"))
    differs.studies.add(make_study(design="rct", status=ReviewStatus.APPROVED))
    differs.studies.add(make_study(design="case-report", status=ReviewStatus.DRAFT))

    response = admin_client.get(admin_url(Condition, "changelist"))

    assert "B ✔" in response.text
    assert "⚠ B (stored: C)" in response.text
    assert differs.rule_verdict_code() == "B"


def test_it_shows_the_seed_reference_list_only_on_seed_articles(admin_client):
    seed, other = make_seed(), make_source()

    seed_page = admin_client.get(admin_url(Source, "change", seed.pk))
    other_page = admin_client.get(admin_url(Source, "change", other.pk))

    assert [f.formset.model for f in seed_page.context["inline_admin_formsets"]] == [SeedReference]
    assert other_page.context["inline_admin_formsets"] == []


# ---------------------------------------------------------------- grades and validation


def test_it_offers_only_sort_grades_for_a_condition_verdict(admin_client):
    make_grade(grading.SORT_SCALE, "B")
    make_grade(grading.GRADE_SCALE, "low")

    response = admin_client.get(admin_url(Condition, "add"))

    dropdown = str(response.context["adminform"].form["verdict_grade"])
    assert "SORT: B" in dropdown
    assert "GRADE certainty: Low" not in dropdown


def test_it_refuses_a_condition_verdict_graded_on_another_scale(admin_client):
    make_grade(grading.SORT_SCALE, "B")

    response = condition_post(admin_client, verdict_grade=make_grade(grading.GRADE_SCALE, "low").pk)

    assert response.status_code == HTTPStatus.OK
    assert "This field takes a grade on the SORT scale" in response.text
    assert not Condition.objects.exists()


def test_it_saves_a_condition_verdict_graded_on_sort(admin_client):
    response = condition_post(admin_client, verdict_grade=make_grade(grading.SORT_SCALE, "B").pk)

    assert response.status_code == HTTPStatus.FOUND
    assert Condition.objects.get().verdict_grade.code == "B"


def test_it_shows_the_models_message_when_approving_an_uncited_claim(admin_client):
    url = admin_url(Claim, "add")
    data = form_data(admin_client.get(url)) | {
        "key": "itch",
        "kind": "efficacy",
        "outcome": "itch-relief",
        "statement": "Itch improved.",
        "status": ReviewStatus.APPROVED,
    }

    response = admin_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert "A claim needs at least one citation before it can be approved." in response.text
    assert not Claim.objects.exists()


def test_it_asks_whose_grade_a_graded_recommendation_is(admin_client):
    url = admin_url(TreatmentRecommendation, "add")
    data = {
        "condition": make_condition().pk,
        "treatment": "Dupilumab",
        "strength": make_grade(grading.STRENGTH_SCALE, "a").pk,
        "claim": make_claim().pk,
        "order": "0",
    }

    response = admin_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert "Say whose grade this is." in response.text


# ---------------------------------------------------------------- review actions


def test_mark_approved_skips_uncited_claims_with_a_warning(admin_client):
    cited, uncited = make_claim(key="cited"), make_claim(key="uncited")
    make_citation(cited)

    response = run_action(admin_client, Claim, "mark_approved", [cited, uncited])

    cited.refresh_from_db()
    uncited.refresh_from_db()
    assert cited.status == ReviewStatus.APPROVED
    assert uncited.status == ReviewStatus.DRAFT
    assert shown_messages(response) == [
        (
            messages.WARNING,
            "Not approved, no citation yet: uncited. Add a citation to each, then approve.",
        ),
        (messages.SUCCESS, "1 claim marked approved."),
    ]


@pytest.mark.parametrize("make", [make_study, make_condition], ids=["study", "condition"])
def test_mark_approved_approves_and_dates_the_review(admin_client, make):
    obj = make()

    run_action(admin_client, type(obj), "mark_approved", [obj])

    obj.refresh_from_db()
    assert obj.status == ReviewStatus.APPROVED
    assert obj.last_reviewed == timezone.localdate()


@pytest.mark.parametrize(
    "make", [make_study, make_condition, make_claim], ids=["study", "condition", "claim"]
)
def test_mark_in_review_moves_items_to_review(admin_client, make):
    objects = [make(), make()]

    response = run_action(admin_client, type(objects[0]), "mark_in_review", objects)

    assert {obj.status for obj in type(objects[0]).objects.all()} == {ReviewStatus.IN_REVIEW}
    plural = type(objects[0])._meta.verbose_name_plural
    assert shown_messages(response) == [(messages.SUCCESS, f"2 {plural} marked in review.")]


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


def claim_post(admin_client, citations=(), **fields):
    url = admin_url(Claim, "add")
    data = form_data(admin_client.get(url)) | {
        "key": "itch-relief-in-one-save",
        "kind": "safety",
        "statement": "Few side effects.",
        "status": ReviewStatus.APPROVED,
    }
    prefix = "citations"
    data[f"{prefix}-TOTAL_FORMS"] = str(len(citations))
    for index, (source, seed, quote) in enumerate(citations):
        data |= {
            f"{prefix}-{index}-source": source.pk,
            f"{prefix}-{index}-reported_by": seed.pk,
            f"{prefix}-{index}-quote": quote,
        }
    return admin_client.post(url, data | fields)


def test_an_editor_can_add_a_cited_claim_and_approve_it_in_one_save(admin_client):
    seed = make_seed()

    response = claim_post(admin_client, citations=[(seed, seed, "very few adverse events")])

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    assert Claim.objects.published().filter(key="itch-relief-in-one-save").exists()


def test_an_editor_cannot_approve_a_claim_with_no_citation(admin_client):
    response = claim_post(admin_client)

    assert response.status_code == HTTPStatus.OK
    assert "needs at least one citation" in response.content.decode()
    assert not Claim.objects.filter(key="itch-relief-in-one-save").exists()
