"""The patient page follows the evidence on record: what to ask, why we are unsure, which
words it explains, and what silence on side effects means."""

import re

import pytest

from conditions.models import Condition, GradeDomain, PlainStatement
from evidence.choices import ReviewStatus, Route, StudyDesign
from tests.factories import (
    make_certainty,
    make_citation,
    make_claim,
    make_condition,
    make_intervention,
    make_plain_statement,
    make_rating,
    make_study,
)
from tests.pages import get_page

APPROVED = ReviewStatus.APPROVED


def patient(client, condition):
    return get_page(client, f"/conditions/{condition.slug}/patient/")


def questions(page):
    return [item.text() for item in page.section("What to ask your doctor").iter("li")]


def studied(condition, *routes, design=StudyDesign.CASE_SERIES):
    for route in routes:
        study = make_study(
            design=design, status=APPROVED, intervention=make_intervention(route=route)
        )
        condition.studies.add(study)
        yield study


def asks_cream(qs):
    return any(re.search(r"\bcream\b", q) for q in qs)


def asks_by_mouth(qs):
    return any("by mouth" in q for q in qs)


def test_no_route_question_where_no_route_has_clinical_evidence(content, client):
    condition = make_condition(status=APPROVED)
    # A laboratory study is on record, but no clinical one.
    list(studied(condition, Route.TOPICAL, design=StudyDesign.IN_VITRO))
    asked = questions(patient(client, condition))
    assert asked
    assert not asks_cream(asked) and not asks_by_mouth(asked), asked
    assert any("No study of LDN in people with" in q for q in asked), asked


@pytest.mark.parametrize(
    ("routes", "cream", "by_mouth"),
    [((Route.TOPICAL,), True, False), ((Route.ORAL,), False, True), (tuple(Route), True, True)],
)
def test_the_route_question_names_only_the_routes_studied(content, client, routes, cream, by_mouth):
    condition = make_condition(status=APPROVED)
    list(studied(condition, *routes))
    asked = questions(patient(client, condition))
    assert asks_cream(asked) is cream, asked
    assert asks_by_mouth(asked) is by_mouth, asked


def test_the_real_conditions_ask_about_routes_only_where_studies_tested_them(content, client):
    vitiligo = patient(client, Condition.objects.get(slug="vitiligo"))
    assert not asks_cream(questions(vitiligo)) and not asks_by_mouth(questions(vitiligo))
    psoriasis = questions(patient(client, Condition.objects.get(slug="psoriasis")))
    assert asks_by_mouth(psoriasis), psoriasis  # the case series gave it by mouth


def why(page):
    return [span.text() for span in page.section("How sure are we?").iter("span", "why")]


def test_why_we_are_unsure_names_the_missing_comparison_group_and_the_few_people(content, client):
    condition = make_condition(status=APPROVED)
    [series] = studied(condition, Route.ORAL)
    certainty = make_certainty(condition=condition, route=Route.ORAL, studies=[series])
    make_rating(certainty=certainty, domain=GradeDomain.IMPRECISION)
    [reason] = why(patient(client, condition))
    assert "none of the studies had a comparison group" in reason
    assert "few people were studied" in reason
    assert "different condition" not in reason


def test_why_we_are_unsure_of_a_trial_names_the_domains_that_rated_it_down(content, client):
    condition = make_condition(status=APPROVED)
    [trial] = studied(condition, Route.TOPICAL, design=StudyDesign.RCT)
    certainty = make_certainty(condition=condition, studies=[trial])
    make_rating(certainty=certainty, domain=GradeDomain.RISK_OF_BIAS)
    make_rating(certainty=certainty, domain=GradeDomain.INDIRECTNESS)
    [reason] = why(patient(client, condition))
    assert "comparison group" not in reason  # the trial had one
    assert "could have swayed the results" in reason
    assert "tested in people with a different condition" in reason
    assert "few people" not in reason  # imprecision was not rated down


def test_a_certainty_nothing_lowered_gets_no_reason(content, client):
    condition = make_condition(status=APPROVED)
    [trial] = studied(condition, Route.TOPICAL, design=StudyDesign.RCT)
    make_certainty(condition=condition, studies=[trial])
    page = patient(client, condition)
    assert "results in less itch" in page.section("How sure are we?").text()
    assert why(page) == []


def test_every_graded_outcome_of_the_content_says_why_in_one_sentence(content, client):
    for slug in ("psoriasis", "chronic-pruritus"):
        page = get_page(client, f"/conditions/{slug}/patient/")
        items = list(page.section("How sure are we?").iter("li"))
        reasons = why(page)
        assert items and len(reasons) == len(items), slug
        for reason in reasons:
            assert reason.startswith("We are") and reason.count(".") == 1, reason


def test_a_hard_word_links_to_its_explanation_on_the_page(content, client):
    condition = make_condition(status=APPROVED)
    claim = make_claim(status=APPROVED)
    make_citation(claim=claim)
    claim.conditions.add(condition)
    make_plain_statement(condition=condition, claim=claim, text="One man's guttate rash faded.")
    page = patient(client, condition)
    [link] = [a for a in page.section("Does it help?").iter("a") if a.text() == "guttate"]
    target = page.find(id=link.attrs["href"].removeprefix("#"))
    assert target is not None and target.text() == "guttate"
    words = page.section("Words used on this page").text()
    assert "drop" in words  # what "guttate" means, in plain words
    assert "placebo" not in words  # not on the page, so not explained


def test_the_guttate_psoriasis_statement_is_explained(content, client):
    page = get_page(client, "/conditions/psoriasis/patient/")
    assert "guttate" in page.section("Words used on this page").text()


def test_silence_on_side_effects_reads_as_not_studied_never_as_safe(content, client):
    condition = make_condition(status=APPROVED, name="Itchy feet")
    text = patient(client, condition).section("Side effects").text()
    assert "not studied" in text
    assert "not that it is safe" in text
    assert not re.search(r"\bno side effects\b", text, re.IGNORECASE)


def test_real_pages_say_what_is_reported_on_side_effects_or_that_silence_is_not_safety(
    content, client
):
    """Every real patient page lists the side-effect sentences the editors wrote for it (the
    general ones too); a page with none says its silence is not studied, not safe."""
    for condition in Condition.objects.published():
        section = patient(client, condition).section("Side effects")
        written = PlainStatement.objects.filter(condition=condition, section="side-effects")
        assert len(list(section.iter("li"))) == written.count(), condition.slug
        if not written.exists():
            text = section.text()
            assert "not studied" in text and "not that it is safe" in text, condition.slug
            assert not re.search(r"\bno side effects\b", text, re.IGNORECASE), condition.slug
