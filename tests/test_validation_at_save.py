"""Every rendered text field is checked when saved, and the editor is told what is wrong."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from evidence import workflow
from evidence.choices import ReviewStatus
from evidence.models import Citation, Claim, Mechanism, Study
from evidence.rendering import markdown_removals, removed_by_sanitizer, sanitize_html
from evidence.validation import CheckedText, text_errors
from tests.factories import (
    load_content,
    make_check,
    make_citation,
    make_claim,
    make_condition,
    make_conflict,
    make_grade,
    make_intervention,
    make_mechanism,
    make_plain_statement,
    make_rating,
    make_seed,
    make_source,
    make_study,
)
from tests.test_admin import admin_url, form_data, save_form
from tests.test_admin_markdown import preview_of

pytestmark = pytest.mark.django_db

SEED_TEXT = (
    "Low-dose naltrexone is an off-label treatment.\n"
    "In a case series of 15 patients with lichen planopilaris, 11 patients had a "
    "reduction in symptoms after treatment with 3 mg daily.\n"
    "Side effects were mild."
)


def refusal(obj):
    """What `obj.full_clean()` refuses, as {field: [messages]}."""
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()
    return raised.value.message_dict


# ---------------------------------------------------------------- the sanitizer says what it drops


def test_removed_by_sanitizer_names_each_thing_the_sanitizer_drops():
    html = (
        '<p><a href="javascript:alert(3)">click</a> <script>alert(3)</script>'
        '<!-- note --><b onclick="x()">bold</b> <a href="https://example.org">ok</a></p>'
    )

    removed = [str(removal) for removal in removed_by_sanitizer(html)]

    assert removed == [
        "the link target “javascript:alert(3)” of <a> (before “click”)",
        "the tag <script> (before “alert(3)”)",
        "an HTML comment (before “bold”)",
        "the tag <b> (before “bold”)",
    ]
    cleaned = sanitize_html(html)
    for gone in ("javascript:", "<script", "<!--", "<b", "onclick"):
        assert gone not in cleaned
    assert 'href="https://example.org"' in cleaned


def test_nothing_is_reported_for_markdown_that_renders_whole():
    markdown = (
        "## Dose\n\nItch fell [@weinstock2020]; see [the trial](https://example.org/t) or "
        "[write](mailto:editors@example.org) or [above](#dose).\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n1. one\n2. two\n\n> quoted *and* **bold**\n"
    )

    assert markdown_removals(markdown) == []


# ---------------------------------------------------------------- Markdown fields


def test_raw_html_in_markdown_is_refused_with_what_and_where():
    mechanism = make_mechanism(summary="Opioid growth factor.\n\n<script>alert(3)</script>")

    [message] = refusal(mechanism)["summary"]

    assert message.startswith("Line 3: the page would drop the tag <script>")
    assert "alert(3)" in message


def test_a_javascript_link_in_markdown_is_refused_naming_the_target():
    condition = make_condition(clinician_summary="See [the dose](javascript:alert(3)).")

    [message] = refusal(condition)["clinician_summary"]

    assert "Line 1" in message
    assert "javascript:alert(3)" in message
    assert "only http, https and mailto links" in message


def test_an_image_is_refused_with_its_line():
    mechanism = make_mechanism(summary="Blocks receptors.\n\n![diagram](https://example.org/d.png)")

    [message] = refusal(mechanism)["summary"]

    assert message.startswith("Line 3: the page would drop the tag <img>")


def test_an_unknown_citation_key_in_markdown_is_still_refused():
    condition = make_condition(patient_summary="It may help [@nobody2099].")

    assert refusal(condition)["patient_summary"] == ["Unknown citation key(s): nobody2099"]


def test_clean_markdown_with_web_links_and_known_keys_saves():
    make_source(key="weinstock2020")
    mechanism = make_mechanism(
        summary="It blocks receptors [@weinstock2020]. [More](https://example.org/more)."
    )

    mechanism.full_clean()


# ---------------------------------------------------------------- plain-text fields


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("Itch fell [@weinstock2020].", "not with [@weinstock2020] here"),
        ("Itch fell [@nobody2099].", "not with [@nobody2099] here"),
        ("See javascript:alert(3) for more.", "javascript:alert(3) is not a web address"),
        ("Itch fell.<script>alert(3)</script>", "<script> is HTML"),
        ("Itch <b>fell</b>.", "<b> is HTML"),
    ],
)
def test_a_study_result_gets_the_checks_of_a_claim_statement(typed, said):
    make_source(key="weinstock2020")
    study = make_study(result=typed)
    claim = make_claim(statement=typed)

    for obj, field in ((study, "result"), (claim, "statement")):
        messages = refusal(obj)[field]
        assert any(said in message for message in messages), messages


def test_plain_text_with_numbers_comparisons_and_web_addresses_saves():
    study = make_study(
        result="Itch fell by 2.3 points (p<0.05; ratio 1:2; baseline data: 15 people; asked "
        "about: sleep), see https://example.org/x."
    )

    study.full_clean()


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (make_source, "title"),
        (make_conflict, "editors_note"),
        (make_check, "finding"),
        (make_plain_statement, "text"),
        (make_rating, "reason"),
        (make_grade, "definition"),
        (make_intervention, "strength"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_every_rendered_text_field_is_checked_not_only_the_main_ones(make, field):
    obj = make(**{field: "4.5 mg <script>alert(3)</script>"})

    assert any("<script> is HTML" in message for message in refusal(obj)[field])


def test_a_source_address_other_than_http_or_https_is_refused():
    source = make_source(url="ftp://example.org/paper.pdf")

    [message] = refusal(source)["url"]

    assert "Only http and https addresses are linked" in message


# ---------------------------------------------------------------- quotes


@pytest.fixture
def seed(settings, tmp_path):
    """A seed whose text file is in settings.SEEDS_DIR."""
    settings.SEEDS_DIR = tmp_path
    (tmp_path / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    return make_seed(seed_file="seed.txt")


def test_a_verbatim_quote_saves(seed):
    citation = make_citation(
        reported_by=seed,
        quote="In a case series of 15 patients with lichen planopilaris, 11 patients had a "
        "reduction in symptoms",
    )

    citation.full_clean()


def test_a_quote_not_in_its_article_is_refused_naming_the_nearest_passage(seed):
    citation = make_citation(
        reported_by=seed,
        quote="In a case series of 15 patients with lichen planopilaris, 14 patients had a "
        "reduction in symptoms",
    )

    [message] = refusal(citation)["quote"]

    assert message.startswith(f"Not verbatim in {seed.key} (seed.txt)")
    assert "Nearest passage:" in message
    nearest = message.split("Nearest passage: “", 1)[1]
    assert "11 patients had a reduction in symptoms" in nearest


def test_a_study_quote_and_a_seed_reference_are_checked_too(seed):
    study = make_study(reported_by=seed, quote="Side effects were severe.")

    [message] = refusal(study)["quote"]

    assert "Side effects were mild." in message


def test_a_quote_like_nothing_in_its_article_names_no_passage(seed):
    citation = make_citation(reported_by=seed, quote="Words the article never printed.")

    [message] = refusal(citation)["quote"]

    assert "No passage of the article comes close." in message
    assert "Nearest passage" not in message


def test_quotes_are_read_from_the_seeds_directory_setting(seed, settings, tmp_path):
    citation = make_citation(reported_by=seed, quote="Words the article never printed.")
    settings.SEEDS_DIR = tmp_path / "elsewhere"  # the seed's text is not there: not checked

    citation.full_clean()


# ---------------------------------------------------------------- line endings


def test_line_endings_are_normalized_on_save():
    mechanism = make_mechanism(summary="One.\r\n\r\nTwo.\rThree.")

    mechanism.refresh_from_db()

    assert mechanism.summary == "One.\n\nTwo.\nThree."


# ---------------------------------------------------------------- in the admin


def test_the_admin_refuses_a_study_result_with_a_javascript_link_and_keeps_the_row(admin_client):
    study = make_study(result="Itch fell.")

    response = save_form(
        admin_client,
        admin_url(Study, "change", study.pk),
        result="Itch fell. [More](javascript:alert(3))",
    )

    assert "javascript:alert(3))</textarea>" in response.text  # the input stays in the form
    assert "the address javascript:alert(3) is not a web address" in response.text
    study.refresh_from_db()
    assert study.result == "Itch fell."


def test_the_admin_saves_windows_line_endings_as_newlines(admin_client):
    mechanism = make_mechanism(summary="Old.")

    save_form(
        admin_client, admin_url(Mechanism, "change", mechanism.pk), summary="One.\r\n\r\nTwo."
    )

    mechanism.refresh_from_db()
    assert mechanism.summary == "One.\n\nTwo."


def test_the_admin_refuses_a_citation_quote_not_in_its_article(admin_client, seed):
    claim = make_claim()
    citation = make_citation(claim=claim, reported_by=seed, quote="Side effects were mild.")
    url = admin_url(Claim, "change", claim.pk)
    data = form_data(admin_client.get(url))
    data["citations-0-quote"] = "Side effects were none."

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Not verbatim in" in response.text
    assert "Side effects were mild." in response.text
    citation.refresh_from_db()
    assert citation.quote == "Side effects were mild."
    assert Citation.objects.filter(claim=claim).count() == 1


def test_the_preview_warns_about_what_the_sanitizer_would_remove(admin_client):
    mechanism = make_mechanism()

    response = preview_of(
        admin_client,
        Mechanism,
        mechanism,
        summary="Blocks receptors.\n\n<script>alert(3)</script> [x](javascript:void(0))",
    )

    assert response.status_code == 200
    text = response.text
    assert "the page would drop the tag &lt;script&gt;" in text
    assert "javascript:void(0)" in text and "only http, https and mailto links" in text


def test_the_change_form_preview_warns_too(admin_client):
    mechanism = make_mechanism(summary="Plain text.")
    Mechanism.objects.filter(pk=mechanism.pk).update(  # as stored before these checks existed
        summary="Plain text.\n\n<iframe src='https://example.org'></iframe>"
    )

    response = admin_client.get(admin_url(Mechanism, "change", mechanism.pk))

    assert "Line 3: the page would drop the tag &lt;iframe&gt;" in response.text


def test_a_change_waiting_for_review_is_stored_with_newlines(admin_client):
    mechanism = make_mechanism(summary="Old.", status=ReviewStatus.APPROVED)

    save_form(
        admin_client, admin_url(Mechanism, "change", mechanism.pk), summary="One.\r\n\r\nTwo."
    )

    pending = workflow.pending_revision(mechanism)
    assert pending.data["fields"]["summary"] == "One.\n\nTwo."


def test_a_change_waiting_for_review_is_checked_too(admin_client):
    mechanism = make_mechanism(summary="Old.", status=ReviewStatus.APPROVED)

    response = save_form(
        admin_client,
        admin_url(Mechanism, "change", mechanism.pk),
        summary="New.\n\n<script>alert(3)</script>",
    )

    assert "the page would drop the tag &lt;script&gt;" in response.text
    assert workflow.pending_revision(mechanism) is None


# ---------------------------------------------------------------- the site's own content


def test_every_text_of_the_fixtures_passes_the_checks_made_at_save():
    load_content()
    failing = {}
    for label in ("evidence", "conditions"):
        for model in apps.get_app_config(label).get_models():
            if not issubclass(model, CheckedText):
                continue
            for obj in model._default_manager.all():
                errors = text_errors(obj, set())
                if errors:
                    failing[f"{model.__name__} {obj.pk}"] = errors

    assert failing == {}
