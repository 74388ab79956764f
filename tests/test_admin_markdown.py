"""Markdown and plain-language fields in the admin: preview, keys, reading grade, wording."""

import re
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from conditions.models import Condition, PlainStatement
from evidence.choices import ClaimKind, Outcome, ReviewStatus, Route, StudyDesign
from evidence.models import Mechanism
from tests.factories import (
    make_certainty,
    make_citation,
    make_claim,
    make_condition,
    make_mechanism,
    make_plain_statement,
    make_source,
    make_study,
)
from tests.test_admin import admin_url, form_data, save_form

pytestmark = pytest.mark.django_db

HARD = (
    "Pharmacological immunomodulation through intermittent opioid-receptor antagonism "
    "purportedly upregulates endogenous endorphin production, consequently attenuating "
    "inflammatory cytokine cascades characteristic of chronic dermatological disease."
)
EASY = "Itch is a skin feeling. It can last a long time."
PREVIEWED = [
    (Mechanism, make_mechanism, "summary"),
    (Condition, make_condition, "clinician_summary"),
    (Condition, make_condition, "patient_summary"),
]


def preview_of(client, model, obj, **typed):
    """Post the change form of `obj`, as typed with `typed`, to its Preview button's URL."""
    page = client.get(admin_url(model, "change", obj.pk))
    return client.post(admin_url(model, "preview") + f"?object={obj.pk}", form_data(page) | typed)


def pruritus_graded_high():
    """A condition whose itch relief by cream the rule grades high, and a cited claim on it."""
    condition = make_condition(slug="pruritus")
    trial = make_study(design=StudyDesign.RCT, status=ReviewStatus.APPROVED)
    make_certainty(
        condition=condition, outcome=Outcome.ITCH_RELIEF, route=Route.TOPICAL, studies=[trial]
    )
    claim = make_claim(kind=ClaimKind.EFFICACY, outcome=Outcome.ITCH_RELIEF, route=Route.TOPICAL)
    make_citation(claim=claim)
    condition.claims.add(claim)
    return condition, claim


# ---------------------------------------------------------------- the preview button


@pytest.mark.parametrize("model", [Mechanism, Condition, PlainStatement], ids=str)
def test_the_change_form_has_a_preview_button_after_save(admin_client, model):
    obj = {Mechanism: make_mechanism, Condition: make_condition}.get(model, make_plain_statement)()

    html = admin_client.get(admin_url(model, "change", obj.pk)).text

    buttons = re.findall(r'<input type="submit"[^>]*>', html)
    # Save stays the first button, so pressing Enter in a field saves rather than previews.
    assert 'name="_save"' in buttons[0]
    [button] = [b for b in buttons if 'name="_preview"' in b]
    assert f'formaction="{admin_url(model, "preview")}?object={obj.pk}"' in button
    assert 'formtarget="_blank"' in button


@pytest.mark.parametrize(("model", "make", "field"), PREVIEWED)
def test_the_preview_renders_the_text_as_typed_without_saving_it(admin_client, model, make, field):
    source = make_source(key="weinstock2020")
    obj = make()
    stored = getattr(obj, field)
    typed = "Itch *fell* [@weinstock2020]. <script>alert(1)</script>"

    response = preview_of(admin_client, model, obj, **{field: typed})

    assert response.status_code == HTTPStatus.OK
    assert "<em>fell</em>" in response.text
    assert '<sup class="cite"><a aria-label="Reference 1" href="#ref-1"' in response.text
    assert "<script>alert(1)" not in response.text
    obj.refresh_from_db()
    assert getattr(obj, field) == stored
    assert source.key not in stored


def test_the_preview_names_unknown_citation_keys(admin_client):
    make_source(key="known")
    mechanism = make_mechanism()

    response = preview_of(admin_client, Mechanism, mechanism, summary="A [@known; @nope; @gone].")

    assert "Unknown citation key(s): nope, gone." in response.text
    assert "[citation missing: nope]" in response.text


def test_the_preview_gives_the_reading_grade_of_patient_text(admin_client):
    condition = make_condition()

    hard = preview_of(admin_client, Condition, condition, patient_summary=HARD)
    easy = preview_of(admin_client, Condition, condition, patient_summary=EASY)

    assert re.search(r"Grade \d+\.\d — above grade 8", hard.text)
    assert "above grade 8" not in easy.text
    assert re.search(r"Grade -?\d+\.\d \(grade 8 or below\)", easy.text)


def test_the_preview_names_the_wording_a_plain_statement_needs(admin_client):
    condition, claim = pruritus_graded_high()
    statement = make_plain_statement(condition=condition, claim=claim, text="The cream eases itch.")

    response = preview_of(admin_client, PlainStatement, statement, text="The cream may ease itch.")

    assert "The cream may ease itch." in response.text
    assert "results in" in response.text  # the wording high certainty asks for


# ---------------------------------------------------------------- who may preview


def test_the_preview_only_answers_a_post(admin_client):
    response = admin_client.get(admin_url(Mechanism, "preview"))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_preview_sends_anonymous_users_to_the_login_page(client):
    response = client.post(admin_url(Mechanism, "preview"), {"summary": "Hello"})

    assert response.status_code == HTTPStatus.FOUND
    assert "/login/" in response.url


def test_the_preview_refuses_staff_who_may_not_edit_the_model(client):
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_mechanism"))
    client.force_login(viewer)

    response = client.post(admin_url(Mechanism, "preview"), {"summary": "Hello"})

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_preview_refuses_a_post_without_the_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(admin_url(Mechanism, "preview"), {"summary": "Hello"})

    assert response.status_code == HTTPStatus.FORBIDDEN


# ---------------------------------------------------------------- saving


@pytest.mark.parametrize(("model", "make", "field"), PREVIEWED)
def test_saving_unknown_citation_keys_is_refused_naming_them(admin_client, model, make, field):
    make_source(key="known")
    obj = make()
    stored = getattr(obj, field)

    response = save_form(
        admin_client,
        admin_url(model, "change", obj.pk),
        **{field: "Cited [@known], then [@nope] and [@gone; @known]."},
    )

    assert response.redirect_chain == []
    assert "Unknown citation key(s): nope, gone" in response.text
    obj.refresh_from_db()
    assert getattr(obj, field) == stored


def test_the_change_form_shows_the_reading_grade_of_the_patient_summary(admin_client):
    hard, easy = make_condition(patient_summary=HARD), make_condition(patient_summary=EASY)

    hard_page = admin_client.get(admin_url(Condition, "change", hard.pk))
    easy_page = admin_client.get(admin_url(Condition, "change", easy.pk))

    assert "Patient summary reading grade" in hard_page.text
    assert re.search(r'<strong class="errornote">Grade \d+\.\d — above grade 8', hard_page.text)
    assert "above grade 8" not in easy_page.text


def test_plain_statements_show_their_reading_grade(admin_client):
    condition = make_condition()
    make_plain_statement(condition=condition, text=HARD)

    changelist = admin_client.get(admin_url(PlainStatement, "changelist"))
    inline = admin_client.get(admin_url(Condition, "change", condition.pk))

    assert "above grade 8" in changelist.text
    assert "above grade 8" in inline.text


def test_a_plain_statement_worded_below_its_certainty_is_refused_naming_the_wording(
    admin_client,
):
    condition, claim = pruritus_graded_high()
    statement = make_plain_statement(condition=condition, claim=claim, text="The cream eases itch.")

    response = save_form(
        admin_client,
        admin_url(PlainStatement, "change", statement.pk),
        text="We are very uncertain whether the cream eases itch.",
    )

    assert response.redirect_chain == []
    assert "results in" in response.text
    statement.refresh_from_db()
    assert statement.text == "The cream eases itch."


def test_a_plain_statement_worded_for_its_certainty_is_saved(admin_client):
    condition, claim = pruritus_graded_high()
    statement = make_plain_statement(condition=condition, claim=claim, text="Old words.")

    response = save_form(
        admin_client,
        admin_url(PlainStatement, "change", statement.pk),
        text="The cream eases itch.",
    )

    assert response.redirect_chain[0][1] == HTTPStatus.FOUND
    statement.refresh_from_db()
    assert statement.text == "The cream eases itch."


def test_a_wrongly_worded_statement_is_refused_on_the_condition_form_too(admin_client):
    condition, claim = pruritus_graded_high()
    make_plain_statement(condition=condition, claim=claim, text="The cream eases itch.")

    response = save_form(
        admin_client,
        admin_url(Condition, "change", condition.pk),
        **{"plain_statements-0-text": "The cream may ease itch."},
    )

    assert response.redirect_chain == []
    assert "results in" in response.text
    assert PlainStatement.objects.get().text == "The cream eases itch."
