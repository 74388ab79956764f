"""One derivation per value (issue 15, item 5): a condition's verdict grade, best evidence and
its route read the same on the home page, the clinician page, the API list and the API detail,
and an outcome's certainty the same on the page, the API detail and FHIR, for conditions whose
evidence is awkward: only indirect evidence, only a laboratory study, nothing at all."""

import pytest

from conditions.models import Condition, OutcomeCertainty
from evidence.choices import Outcome, ReviewStatus, Route, StudyDesign
from tests.factories import make_condition, make_intervention, make_study
from tests.pages import get_page

pytestmark = pytest.mark.django_db

APPROVED = ReviewStatus.APPROVED


def _home_rows(client):
    table = get_page(client, "/").find("table", class_="condition-table")
    return {
        row.find("th").find("a").text(): [cell.text() for cell in row.iter("td")]
        for row in table.find("tbody").iter("tr")
    }


@pytest.fixture
def awkward(content):
    """Three published conditions: a trial of another group only (with a graded outcome
    resting on it, and no regimen on the trial's record), a laboratory study only, nothing."""
    Condition.objects.all().delete()
    borrowed = make_condition(name="Borrowed trial", slug="borrowed", status=APPROVED)
    trial = make_study(design=StudyDesign.RCT, status=APPROVED, intervention=None)
    borrowed.indirect_studies.add(trial, through_defaults={"reason": "Another group."})
    certainty = OutcomeCertainty.objects.create(
        condition=borrowed, outcome=Outcome.ITCH_RELIEF, route=Route.TOPICAL, rationale="Small."
    )
    certainty.studies.add(trial)
    lab = make_condition(name="Lab only", slug="lab-only", status=APPROVED)
    lab.studies.add(
        make_study(
            design=StudyDesign.IN_VITRO,
            status=APPROVED,
            intervention=make_intervention(route=Route.TOPICAL),
        )
    )
    make_condition(name="Nothing yet", slug="nothing", status=APPROVED)


EXPECTED = {  # grade, best evidence, route, as a reader of the home page sees them
    "borrowed": ("C", "Randomized controlled trial, level 2", "Topical", True),
    "lab-only": ("C", "In vitro study, level 5", "Topical", False),
    "nothing": (None, "None on record", "none", False),
}


def test_home_page_and_api_list_agree_on_awkward_evidence(client, awkward):
    home = _home_rows(client)
    listed = {row["slug"]: row for row in client.get("/api/v1/conditions/").json()["results"]}
    for slug, (grade, best, route, indirect) in EXPECTED.items():
        row = listed[slug]
        name = row["name"]
        assert home[name][1].startswith(f"SORT {grade}" if grade else "No grade"), name
        assert home[name][2].startswith(best), name
        assert home[name][3] == route, name
        assert (row["verdict_grade"] or {}).get("code") == grade, slug
        api_best = row["best_evidence"]
        if best == "None on record":
            assert api_best is None
            continue
        assert best.startswith(api_best["design"]) and api_best["indirect"] is indirect
        assert api_best["routes"] == [route.lower()]
        assert f"level {api_best['level']['code']}" in best


def test_condition_page_and_api_detail_agree_with_the_home_page(client, awkward):
    home = _home_rows(client)
    for slug, (grade, best, route, _indirect) in EXPECTED.items():
        page = get_page(client, f"/conditions/{slug}/")
        text = page.find("section", class_="section-verdict").text()
        assert (
            (f"{grade} (what this grade means)" in text)
            if grade
            else ("Insufficient evidence" in text)
        ), text
        assert best.split(",")[0] in text
        assert (f"({route.lower()})" in text) == (route != "none"), text
        detail = client.get(f"/api/v1/conditions/{slug}/").json()
        [verdict] = next(s for s in detail["sections"] if s["id"] == "verdict")["items"]
        assert (verdict["grade"] or {}).get("code") == grade
        name = detail["name"]
        assert home[name][2].startswith(verdict["best"]["design"] if verdict["best"] else best)


def test_certainty_of_an_indirect_only_outcome_agrees_on_page_api_and_fhir(client, awkward):
    detail = client.get("/api/v1/conditions/borrowed/").json()
    sof = next(s for s in detail["sections"] if s["id"] == "findings-summary")["items"][0]
    [row] = sof["rows"]
    # A randomized trial starts high; the rule rates it down once for indirectness.
    assert row["grade"]["code"] == "moderate"
    bundle = client.get("/api/v1/conditions/borrowed/fhir/").json()
    [evidence] = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Evidence"
    ]
    assert evidence["certainty"][0]["rating"]["coding"][0]["code"] == "moderate"
    page = get_page(client, "/conditions/borrowed/")
    assert "Moderate" in page.find("section", class_="section-findings-summary").text()
