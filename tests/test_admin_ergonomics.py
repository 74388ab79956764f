"""Finding and reaching things in the admin: search, filters, autocomplete, view on site."""

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.urls import reverse

from conditions.models import Condition
from evidence.choices import ReviewStatus
from evidence.models import Claim, Grade, GradingScale, Mechanism, Study
from tests.factories import (
    make_citation,
    make_claim,
    make_condition,
    make_mechanism,
    make_study,
)
from tests.test_admin import admin_url, run_action

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
OUR_ADMINS = [
    model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in ("evidence", "conditions")
]


def changelist_rows(response):
    return list(response.context["cl"].result_list)


# ---------------------------------------------------------------- view on site


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Study, make_study),
        (Mechanism, make_mechanism),
        (Condition, make_condition),
        (Claim, lambda **kw: make_citation(claim=make_claim(**kw)).claim),
    ],
    ids=["study", "mechanism", "condition", "claim"],
)
def test_view_on_site_links_to_the_public_page_only_once_published(admin_client, model, make):
    published, draft = make(status=APPROVED), make()

    published_form = admin_client.get(admin_url(model, "change", published.pk))
    draft_form = admin_client.get(admin_url(model, "change", draft.pk))
    changelist = admin_client.get(admin_url(model, "changelist"))

    url = published.get_absolute_url()
    assert f'href="{url}" class="viewsitelink"' in published_form.text
    assert "viewsitelink" not in draft_form.text
    assert f'<a href="{url}">View</a>' in changelist.text
    assert f'<a href="{draft.get_absolute_url()}">' not in changelist.text
    assert admin_client.get(url).status_code == HTTPStatus.OK


def test_an_approved_claim_without_a_citation_has_no_link_to_the_site(admin_client):
    claim = make_claim(status=APPROVED)

    changelist = admin_client.get(admin_url(Claim, "changelist"))

    assert f'href="{claim.get_absolute_url()}"' not in changelist.text


# ---------------------------------------------------------------- search and filters


def test_every_changelist_can_be_searched():
    assert [type(a).__name__ for a in OUR_ADMINS if not a.search_fields] == []


def test_claims_are_found_by_words_of_their_statement(admin_client):
    make_claim(key="itch-claim", statement="Itch eased within an hour.")
    make_claim(key="sleep-claim", statement="Some slept badly.")

    response = admin_client.get(admin_url(Claim, "changelist"), {"q": "itch eased"})

    assert [claim.key for claim in changelist_rows(response)] == ["itch-claim"]


def test_claims_and_studies_can_be_filtered_by_condition(admin_client):
    psoriasis, vitiligo = make_condition(name="Psoriasis"), make_condition(name="Vitiligo")
    on_psoriasis, on_vitiligo = make_claim(), make_claim()
    psoriasis.claims.add(on_psoriasis)
    vitiligo.claims.add(on_vitiligo)
    study = make_study()
    psoriasis.studies.add(study)
    make_study()

    claims = admin_client.get(
        admin_url(Claim, "changelist"), {"conditions__id__exact": psoriasis.pk}
    )
    studies = admin_client.get(
        admin_url(Study, "changelist"), {"conditions__id__exact": psoriasis.pk}
    )

    assert changelist_rows(claims) == [on_psoriasis]
    assert changelist_rows(studies) == [study]
    assert '<details data-filter-title="condition" open>' in claims.text


# ---------------------------------------------------------------- autocomplete


def test_every_link_to_a_growing_table_is_an_autocomplete():
    """Dropdowns only for grades (a handful per scale); everything else grows with content."""
    fixed = (Grade, GradingScale)
    plain_dropdowns = []
    for model_admin in [*OUR_ADMINS]:
        inlines = [inline(model_admin.model, admin.site) for inline in model_admin.inlines]
        for form_admin in [model_admin, *inlines]:
            for field in form_admin.model._meta.get_fields():
                link = isinstance(field, models.ForeignKey | models.ManyToManyField)
                if not link or not field.editable or field.related_model in fixed:
                    continue
                if getattr(form_admin, "fk_name", None) == field.name:
                    continue
                if field.name not in _form_fields(form_admin):
                    continue
                if field.name not in form_admin.autocomplete_fields:
                    plain_dropdowns.append(f"{type(form_admin).__name__}.{field.name}")
    assert plain_dropdowns == []


def _form_fields(form_admin):
    if getattr(form_admin, "parent_model", None) is not None:
        fk = [
            f.name
            for f in form_admin.model._meta.fields
            if f.related_model is form_admin.parent_model
        ]
    else:
        fk = []
    declared = form_admin.fields or [
        name
        for fieldset in (form_admin.fieldsets or ())
        for row in fieldset[1]["fields"]
        for name in (row if isinstance(row, tuple) else (row,))
    ]
    if not declared:
        declared = [
            f.name for f in form_admin.model._meta.get_fields() if getattr(f, "editable", False)
        ]
    return [name for name in declared if name not in fk]


def test_the_claim_autocomplete_finds_claims_by_key(admin_client):
    make_claim(key="itch-relief")
    make_claim(key="insomnia")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "itch",
            "app_label": "conditions",
            "model_name": "plainstatement",
            "field_name": "claim",
        },
    )

    assert [row["text"] for row in response.json()["results"]] == ["Safety: itch-relief"]


# ---------------------------------------------------------------- bulk actions


def test_staff_who_may_only_view_cannot_submit_or_approve_in_bulk(client):
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_study"))
    client.force_login(viewer)
    study = make_study()

    page = client.get(admin_url(Study, "changelist"))
    for action in ("submit_for_review", "approve"):
        run_action(client, Study, action, [study])

    assert page.status_code == HTTPStatus.OK
    assert 'value="approve"' not in page.text
    assert 'value="submit_for_review"' not in page.text
    study.refresh_from_db()
    assert study.status == ReviewStatus.DRAFT
