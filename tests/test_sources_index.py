"""/sources/ lists every published source, with its kind, year, page and citation exports."""

from http import HTTPStatus

import pytest

from evidence.choices import ReviewStatus, SourceKind
from evidence.models import Source
from tests.factories import make_citation, make_claim, make_seed_reference, make_source
from tests.pages import get_page, parse_html

pytestmark = pytest.mark.django_db


def rows_by_source(document):
    """{source page address: the table row that names it}."""
    rows = {}
    for row in document.find("table", class_="source-list").iter("tr"):
        for href in row.hrefs():
            if href.startswith("/sources/") and href.endswith("/"):
                rows[href] = row
    return rows


def test_it_lists_cited_and_seed_listed_sources_and_hides_the_rest(client):
    cited = make_source(title="Cited by an approved claim", year=2019, key="cited2019")
    make_citation(claim=make_claim(status=ReviewStatus.APPROVED), source=cited)
    listed = make_source(
        title="Only in a seed's reference list", kind=SourceKind.CASE_REPORT, year=2025
    )
    make_seed_reference(source=listed)
    draft_only = make_source(title="Cited only by a draft")
    make_citation(claim=make_claim(status=ReviewStatus.DRAFT), source=draft_only)

    response = client.get("/sources/")
    assert response.status_code == HTTPStatus.OK
    document = parse_html(response.content)
    rows = rows_by_source(document)

    assert "Cited only by a draft" not in document.text()
    assert draft_only.get_absolute_url() not in rows
    assert {cited.get_absolute_url(), listed.get_absolute_url()} <= set(rows)
    seeds = Source.objects.exclude(seed_file="")
    assert {seed.get_absolute_url() for seed in seeds} <= set(rows)  # seeds always show
    row = rows["/sources/cited2019/"]
    assert "Journal article" in row.text() and "2019" in row.text()
    assert {"/sources/cited2019.ris", "/sources/cited2019.bib", "/sources/cited2019.json"} <= set(
        row.hrefs()
    )
    listed_row = rows[listed.get_absolute_url()]
    assert "Case report" in listed_row.text() and "2025" in listed_row.text()


def test_every_source_of_the_content_is_listed_including_those_no_page_links_to(client, content):
    rows = rows_by_source(get_page(client, "/sources/"))
    # Listed by a seed's reference list, cited by no claim or study: before this index no
    # page linked to them.
    for key in ("zhou2025", "sikora2019"):
        assert f"/sources/{key}/" in rows, key
    assert len(rows) == Source.objects.published().count()
    for address, row in rows.items():
        for fmt in ("ris", "bib", "json"):
            export = address.rstrip("/") + f".{fmt}"
            assert export in row.hrefs(), export
            assert client.get(export).status_code == HTTPStatus.OK, export


def test_the_main_navigation_links_to_the_sources_index(client, content):
    nav = get_page(client, "/").find("nav", **{"aria-label": "Main"})
    assert "/sources/" in nav.hrefs()
