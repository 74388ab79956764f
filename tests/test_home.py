"""The home page: one compact table of conditions, strongest evidence first."""

import pytest

from conditions.models import Condition
from evidence.choices import ReviewStatus, Route, StudyDesign
from tests.factories import make_condition, make_intervention, make_study
from tests.pages import get_page

APPROVED = ReviewStatus.APPROVED
COLUMNS = ["Condition", "Verdict", "Grade", "Best evidence", "Route"]


def table_rows(client):
    table = get_page(client, "/").find("table", class_="condition-table")
    assert [th.text() for th in table.find("thead").iter("th")] == COLUMNS
    return {
        row.find("th").find("a").text(): [cell.text() for cell in row.iter("td")]
        for row in table.find("tbody").iter("tr")
    }


def with_study(name, design, route=None, indirect=False):
    condition = make_condition(name=name, status=APPROVED)
    intervention = make_intervention(route=route) if route else None
    study = make_study(design=design, status=APPROVED, intervention=intervention)
    if indirect:
        condition.indirect_studies.add(study, through_defaults={"reason": "Another group."})
    else:
        condition.studies.add(study)
    return condition


@pytest.mark.django_db
def test_conditions_are_ordered_by_sort_grade_then_best_level(client, content):
    Condition.objects.all().delete()  # only the conditions made here
    with_study("Zeta itch", StudyDesign.CASE_SERIES, Route.ORAL)
    with_study("Alpha rash", StudyDesign.NARRATIVE_REVIEW)
    with_study("Mid spots", StudyDesign.RCT, Route.TOPICAL)
    with_study("Lab only", StudyDesign.IN_VITRO, Route.TOPICAL)
    with_study("Borrowed trial", StudyDesign.RCT, Route.TOPICAL, indirect=True)
    make_condition(name="Aardvark skin", status=APPROVED)

    rows = table_rows(client)
    assert list(rows) == [
        "Mid spots",  # SORT B: a randomized trial of its own patients
        "Borrowed trial",  # SORT C, level 2, but only a trial of another group
        "Zeta itch",  # SORT C, level 4
        "Lab only",  # SORT C, level 5
        "Alpha rash",  # SORT C, opinion only
        "Aardvark skin",  # no grade
    ]
    assert rows["Mid spots"][1:] == [
        "SORT B (what this grade means)",
        "Randomized controlled trial, level 2",
        "Topical",
    ]
    assert "another condition" in rows["Borrowed trial"][2]
    assert rows["Zeta itch"][2:] == ["Case series, level 4", "Oral"]
    assert rows["Aardvark skin"][1:] == ["No grade", "None on record", "none"]


def test_every_published_condition_is_a_row_with_both_of_its_views(client, content):
    page = get_page(client, "/")
    table = page.find("table", class_="condition-table")
    hrefs = table.hrefs()
    published = Condition.objects.published()
    assert len(list(table.find("tbody").iter("tr"))) == published.count() > 0
    for condition in published:
        assert f"/conditions/{condition.slug}/" in hrefs
        assert f"/conditions/{condition.slug}/patient/" in hrefs
