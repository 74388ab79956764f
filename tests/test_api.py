"""The read-only API: what a client reads under /api/v1/, and what it may not do."""

from http import HTTPStatus

import pytest

from conditions.models import Condition
from evidence import grading
from evidence.choices import ClaimKind, Outcome, ReviewStatus, Route, SafetyQuestion, StudyDesign
from evidence.models import Claim, Source, Study
from evidence.pages import Section
from ldnref.api import items
from tests.factories import (
    make_certainty,
    make_citation,
    make_claim,
    make_condition,
    make_editor,
    make_grade,
    make_intervention,
    make_rating,
    make_seed,
    make_source,
    make_study,
)

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED
BASE = "http://testserver/api/v1"
LISTS = [
    "conditions",
    "studies",
    "claims",
    "sources",
    "mechanisms",
    "interventions",
    "grading-scales",
]


def get_json(client, path, status=HTTPStatus.OK, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def walk(sections):
    """Every item of every section and subsection, groups opened, in page order."""
    for section in sections:
        for item in section["items"]:
            yield item
            if item["type"] == "group":
                yield from item["items"]
        yield from walk(section["subsections"])


def all_results(client, path):
    return get_json(client, f"{path}{'&' if '?' in path else '?'}page_size=200")["results"]


# ---------------------------------------------------------------- the condition detail


def test_psoriasis_carries_the_whole_graded_evidence_with_citations_quotes_and_checks(
    content, client
):
    page = get_json(client, "/api/v1/conditions/psoriasis/")

    assert page["html_url"] == "http://testserver/conditions/psoriasis/"
    assert page["patient_html_url"] == "http://testserver/conditions/psoriasis/patient/"
    assert page["review"]["status"] == "approved"
    # The sections in the order the clinician page prints them.
    assert [s["id"] for s in page["sections"]] == [
        "bottom-line",
        "verdict",
        "findings-summary",
        "safety-questions",
        "summary",
        "general",
        "evidence",
        # the second article's dose, harms and mechanism, citing the psoriasis case series
        "dosing",
        "safety",
        "mechanisms",
        "guidelines",
        "candidates",
        "limitations",
        "disagree",
        "changes",
    ]
    found = list(walk(page["sections"]))
    [verdict] = [item for item in found if item["type"] == "verdict"]
    assert verdict["grade"]["scale"] == "sort"
    assert verdict["grade"]["code"] == "C"  # no randomized trial of LDN for psoriasis
    assert verdict["grade"]["definition"]
    assert verdict["rule"] == grading.SORT_RULE  # the rule in force, as /methods/ states it

    # The Summary of findings: each row rated down step by step, each step with its reason.
    [sof] = [item for item in found if item["type"] == "summary-of-findings"]
    assert sof["rule"] == grading.GRADE_RULE
    rows = {(row["outcome"], row["route"]): row for row in sof["rows"]}
    assert ("adverse-effects", "oral") in rows
    for row in sof["rows"]:
        assert row["grade"]["scale"] == "grade-certainty"
        assert row["ratings"], "every certainty of the fixtures is rated down with a reason"
        assert all(step["reason"] and step["domain"] for step in row["ratings"])
        assert all(step["level_change"] < 0 for step in row["ratings"])
    improvement = rows[("global-improvement", "oral")]
    assert [e["key"] for e in improvement["effects"]] == ["weinstock2020-case-series"]
    assert improvement["participants"] == 15
    assert "imprecision" in {step["domain"] for step in improvement["ratings"]}
    # No outcome is graded for topical LDN: the route is listed as not reported.
    assert [(r["route"], r["text"]) for r in sof["silent"]] == [("topical", "Not reported")]

    # The bottom line per route, each with its verdict by the current rule.
    [lines] = [item for item in found if item["type"] == "bottom-lines"]
    by_route = {line["route"]: line for line in lines["routes"]}
    assert set(by_route) == {"topical", "oral"}
    assert [s["key"] for s in by_route["oral"]["best"]] == ["weinstock2020-case-series"]
    assert by_route["topical"]["certainties"] == []
    assert all(line["verdict"]["rule"] == grading.SORT_RULE for line in lines["routes"])

    # The safety checklist: every question for both routes, "not reported" said outright.
    questions = [item for item in found if item["type"] == "safety-question"]
    assert [q["question"] for q in questions] == list(SafetyQuestion.values)
    for question in questions:
        assert [a["route"] for a in question["answers"]] == ["topical", "oral"]
        for answer in question["answers"]:
            assert answer["reported"] == bool(answer["claims"])
            assert answer["text"] == ("" if answer["claims"] else "Not reported by either article")
    assert any(not a["reported"] for q in questions for a in q["answers"])

    # Weinstock 2020's case series is the psoriasis study with 15 patients.
    studies = {item["key"]: item for item in found if item["type"] == "study"}
    assert studies["weinstock2020-case-series"]["n"] == 15
    assert studies["weinstock2020-case-series"]["level"]["scale"] == "oxford-cebm-2011"

    claims = [item["claim"] for item in found if item["type"] == "claim"]
    assert claims and all(claim["citations"] for claim in claims)
    for claim in claims:
        for citation in claim["citations"]:
            assert citation["quote"].strip()
            assert citation["reported_by"] in {"droracle-ldn-skin", "kim-topical-ldn"}
            assert isinstance(citation["number"], int)
    # The editors' check of the case series shows beside the claim and the study it checked.
    [claim_badge] = [
        badge
        for item in found
        if item["type"] == "claim"
        for badge in item["checks"]
        if item["claim"]["key"] == "psoriasis-case-series-response"
    ]
    assert claim_badge["verdict"] == "omits-context"
    assert claim_badge["headline"]
    assert claim_badge["url"].startswith("http://testserver/claims/psoriasis-case-series-response/")
    assert client.get(claim_badge["url"].split("#")[0]).status_code == HTTPStatus.OK
    study_badges = studies["weinstock2020-case-series"]["checks"]
    assert study_badges and all(b["url"].startswith("http://testserver/") for b in study_badges)
    checks = [item["check"] for item in found if item["type"] == "check"]
    assert checks and all(check["finding"] and check["checked_against"] for check in checks)
    assert any(item["type"] == "recommendation" for item in found)
    # The articles' disagreement about randomized trials shows on the itch page.
    pruritus = get_json(client, "/api/v1/conditions/chronic-pruritus/")
    conflicts = [item for item in walk(pruritus["sections"]) if item["type"] == "conflict"]
    assert "randomized-trial-exists" in {conflict["key"] for conflict in conflicts}

    # Every citation number on the page is a reference of the page's list, numbered from 1.
    numbers = [ref["number"] for ref in page["references"]]
    assert numbers == list(range(1, len(numbers) + 1))
    cited = {c["number"] for claim in claims for c in claim["citations"]}
    assert cited <= set(numbers)


def test_the_summary_comes_as_markdown_and_as_the_pages_sanitized_html(content, client):
    page = get_json(client, "/api/v1/conditions/psoriasis/")
    [summary] = [s for s in page["sections"] if s["id"] == "summary"]
    [prose] = summary["items"]
    condition = Condition.objects.get(slug="psoriasis")
    assert prose["markdown"] == condition.clinician_summary
    html_page = client.get("/conditions/psoriasis/").content.decode()
    assert prose["html"] in html_page  # the very HTML the page prints
    assert "<script" not in prose["html"]


def test_an_unpublished_condition_or_unknown_slug_is_a_json_404(client):
    draft = make_condition()
    for path in (f"/api/v1/conditions/{draft.slug}/", "/api/v1/conditions/no-such-thing/"):
        body = get_json(client, path, HTTPStatus.NOT_FOUND)
        assert body["detail"]


def test_an_address_under_api_that_does_not_exist_is_a_json_404(client):
    body = get_json(client, "/api/v1/nothing-here/", HTTPStatus.NOT_FOUND)
    assert body == {"detail": "Not found."}


# ---------------------------------------------------------------- lists


@pytest.mark.parametrize("name", LISTS)
def test_every_list_is_paginated_with_absolute_urls_and_no_database_ids(content, client, name):
    body = get_json(client, f"/api/v1/{name}/")
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["results"]
    for row in body["results"]:
        assert "id" not in row and "pk" not in row
        assert row["url"].startswith(f"{BASE}/{name}/")
        # Each row's own address answers with the same row.
        assert get_json(client, row["url"].removeprefix("http://testserver"))["url"] == row["url"]


def test_pages_hold_fifty_rows_by_default_and_page_size_up_to_200(content, client):
    total = Claim.objects.published().count()
    assert total > 50  # the fixtures have more claims than one default page
    first = get_json(client, "/api/v1/claims/")
    assert len(first["results"]) == 50
    assert first["next"] == f"{BASE}/claims/?page=2"
    second = get_json(client, "/api/v1/claims/?page=2")
    assert len(second["results"]) == total - 50
    assert len(get_json(client, "/api/v1/claims/?page_size=200")["results"]) == total
    assert len(get_json(client, "/api/v1/claims/?page_size=3")["results"]) == 3


def test_lists_show_only_published_content_as_the_pages_do(content, client):
    seed = make_seed()
    draft_study = make_study(label="Draft study", reported_by=seed)
    draft_claim = make_claim(statement="A draft claim.")
    make_citation(claim=draft_claim, reported_by=seed)
    uncited = make_claim(statement="Approved but uncited.", status=APPROVED)
    draft_only_source = make_source(title="Cited only by a draft")
    make_citation(claim=draft_claim, source=draft_only_source, reported_by=seed)

    study_keys = {row["key"] for row in all_results(client, "/api/v1/studies/")}
    assert study_keys == set(Study.objects.published().values_list("key", flat=True))
    assert draft_study.key not in study_keys
    claim_keys = {row["key"] for row in all_results(client, "/api/v1/claims/")}
    assert draft_claim.key not in claim_keys and uncited.key not in claim_keys
    source_keys = {row["key"] for row in all_results(client, "/api/v1/sources/")}
    assert source_keys == set(Source.objects.published().values_list("key", flat=True))
    assert draft_only_source.key not in source_keys
    get_json(client, f"/api/v1/studies/{draft_study.key}/", HTTPStatus.NOT_FOUND)
    get_json(client, f"/api/v1/claims/{draft_claim.key}/", HTTPStatus.NOT_FOUND)


def test_a_claim_carries_its_citations_quotes_and_editors_checks(content, client):
    checked = Claim.objects.published().filter(primary_source_checks__isnull=False).first()
    claim = get_json(client, f"/api/v1/claims/{checked.key}/")
    stored = {(c.source.key, c.reported_by.key, c.quote) for c in checked.citations.all()}
    assert {
        (c["source"]["key"], c["reported_by"], c["quote"]) for c in claim["citations"]
    } == stored
    assert {check["key"] for check in claim["checks"]} == set(
        checked.primary_source_checks.values_list("key", flat=True)
    )
    assert claim["html_url"] == f"http://testserver/claims/{checked.key}/"


def test_grading_scales_list_their_levels_strongest_first(content, client):
    scale = get_json(client, "/api/v1/grading-scales/grade-certainty/")
    assert [level["code"] for level in scale["levels"]] == ["high", "moderate", "low", "very-low"]


# ---------------------------------------------------------------- filters, search, ordering


def test_studies_filter_by_condition_design_level_and_route(db, client):
    seed = make_seed()
    topical = make_intervention(route=Route.TOPICAL, reported_by=seed)
    condition = make_condition(status=APPROVED)
    trial = make_study(design=StudyDesign.RCT, status=APPROVED, reported_by=seed)
    series = make_study(
        design=StudyDesign.CASE_SERIES, intervention=topical, status=APPROVED, reported_by=seed
    )
    condition.studies.add(trial)

    def keys(query):
        return {row["key"] for row in all_results(client, f"/api/v1/studies/?{query}")}

    assert keys(f"condition={condition.slug}") == {trial.key}
    assert keys("design=case-series") == {series.key}
    assert keys("level=2") == {trial.key}  # CEBM level 2: a randomized trial
    assert keys("level=4") == {series.key}
    assert keys("route=topical") == {series.key}
    assert keys("route=oral") == set()


def test_claims_filter_by_condition_kind_outcome_route_and_certainty(db, client):
    seed = make_seed()
    condition = make_condition(status=APPROVED)
    study = make_study(design=StudyDesign.CASE_SERIES, status=APPROVED, reported_by=seed)
    # Observational evidence starts low; one serious concern rates it down to very low.
    make_rating(
        certainty=make_certainty(
            condition=condition, outcome=Outcome.ITCH_RELIEF, route=Route.TOPICAL, studies=[study]
        )
    )
    make_grade("grade-certainty", code="very-low", label="Very low", rank=4)

    def claim(**fields):
        made = make_claim(status=APPROVED, **fields)
        make_citation(claim=made, reported_by=seed)
        return made

    itch = claim(kind=ClaimKind.EFFICACY, outcome=Outcome.ITCH_RELIEF, route=Route.TOPICAL)
    itch.conditions.add(condition)
    oral = claim(kind=ClaimKind.EFFICACY, outcome=Outcome.ITCH_RELIEF, route=Route.ORAL)
    oral.conditions.add(condition)
    general = claim(kind=ClaimKind.SAFETY)  # no condition: every condition page shows it
    elsewhere = claim(kind=ClaimKind.SAFETY)
    elsewhere.conditions.add(make_condition(status=APPROVED))

    def keys(query):
        return {row["key"] for row in all_results(client, f"/api/v1/claims/?{query}")}

    assert keys(f"condition={condition.slug}") == {itch.key, oral.key, general.key}
    assert keys("kind=safety") == {general.key, elsewhere.key}
    assert keys("outcome=itch-relief&route=oral") == {oral.key}
    assert keys(f"certainty=very-low&condition={condition.slug}") == {itch.key}
    assert keys("certainty=very-low") == {itch.key}
    assert keys("certainty=high") == set()


def test_sources_filter_by_year_kind_and_doi(db, client):
    seed = make_seed(year=2019)  # seeds are always public
    with_doi = make_seed(year=2007, doi="10.1000/x", kind="journal-article")

    def keys(query):
        return {row["key"] for row in all_results(client, f"/api/v1/sources/?{query}")}

    assert keys("year=2007") == {with_doi.key}
    assert keys("has_doi=true") == {with_doi.key}
    assert keys("has_doi=false") == {seed.key}
    assert keys("kind=journal-article") == {with_doi.key}


def test_search_and_ordering(content, client):
    found = all_results(client, "/api/v1/studies/?search=Weinstock")
    assert found and all("Weinstock" in row["label"] for row in found)
    labels = [row["label"] for row in all_results(client, "/api/v1/studies/?ordering=-label")]
    assert labels == sorted(labels, reverse=True)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("/api/v1/studies/?design=meta-analysis", "design"),
        ("/api/v1/studies/?level=9", "level"),
        ("/api/v1/studies/?condition=no-such-condition", "condition"),
        ("/api/v1/claims/?certainty=certain", "certainty"),
        ("/api/v1/sources/?year=last", "year"),
        ("/api/v1/sources/?has_doi=maybe", "has_doi"),
        ("/api/v1/claims/?ordering=statement", "ordering"),
        ("/api/v1/claims/?page=0", "page"),
        ("/api/v1/claims/?page_size=201", "page_size"),
        ("/api/v1/claims/?page_size=ten", "page_size"),
        ("/api/v1/claims/?desing=rct", "desing"),
        ("/api/v1/conditions/psoriasis/?search=x", "search"),
        ("/api/v1/claims/?format=xml", "format"),
        ("/api/v1/claims/?search=itch%00", "search"),  # PostgreSQL refuses NUL in a query
        ("/api/v1/studies/?design=", "design"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(content, client, query, parameter):
    body = get_json(client, query, HTTPStatus.BAD_REQUEST)
    assert parameter in body["detail"]
    assert parameter in body["parameters"]


# ---------------------------------------------------------------- read-only for everyone


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("staff", [False, True], ids=["anonymous", "staff"])
def test_writes_are_refused_with_a_json_405(content, client, method, staff):
    if staff:
        client.force_login(make_editor())
    before = Claim.objects.count(), Study.objects.count()
    for path in ("/api/v1/claims/", "/api/v1/studies/weinstock2020-case-series/"):
        response = getattr(client, method)(path, data={}, content_type="application/json")
        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
        assert method.upper() in response.json()["detail"]
        assert "GET" in response["Allow"] and "POST" not in response["Allow"]
    assert (Claim.objects.count(), Study.objects.count()) == before


# ---------------------------------------------------------------- sections by registry


class Unknown:
    """A page item type nobody wrote an API serializer for."""

    def number(self, page):
        pass


def test_a_page_item_without_a_serializer_fails_loudly_instead_of_vanishing():
    section = Section("x", "X", "unused.html", [Unknown()])
    with pytest.raises(items.UnserializableItem, match="Unknown"):
        items.SectionSerializer(section, context={"request": None}).data  # noqa: B018


def test_every_item_type_on_the_condition_pages_has_a_serializer(content, client):
    # Every condition's page serializes, so every item type the selectors build is registered.
    for slug in Condition.objects.published().values_list("slug", flat=True):
        get_json(client, f"/api/v1/conditions/{slug}/")
