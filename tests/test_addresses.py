"""Stable public addresses: studies by key, old id addresses redirected, a page per claim."""

from collections import Counter
from http import HTTPStatus

from conditions import selectors
from evidence.choices import ReviewStatus
from evidence.models import Claim, Study
from tests.pages import footnotes, get_page, references


def test_a_study_lives_at_its_key(content, client):
    study = Study.objects.get(key="weinstock2020-case-series")

    page = get_page(client, "/studies/weinstock2020-case-series/")

    assert study.get_absolute_url() == "/studies/weinstock2020-case-series/"
    assert page.find("h1").text() == study.label


def test_the_old_id_address_of_a_study_redirects_permanently(content, client):
    study = Study.objects.get(key="weinstock2020-case-series")

    response = client.get(f"/studies/{study.pk}/")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/studies/weinstock2020-case-series/"


def test_an_old_id_address_of_an_unpublished_study_is_not_found(content, client):
    study = Study.objects.get(key="weinstock2020-case-series")
    Study.objects.filter(pk=study.pk).update(status=ReviewStatus.DRAFT)

    assert client.get(f"/studies/{study.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert client.get(study.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_every_claim_on_a_condition_page_has_one_permanent_anchor(content, client):
    page = get_page(client, "/conditions/psoriasis/")
    ids = Counter(page.ids())
    shown = [
        claim
        for claim in Claim.objects.published()
        if claim.statement in page.text() and claim.kind != "guideline"
    ]

    assert len(shown) >= 5  # general claims live on /ldn/ since issue 7
    assert all(ids[claim.anchor] == 1 for claim in shown)
    assert max(ids.values()) == 1


def test_a_claim_page_shows_quotes_seeds_checks_and_where_it_appears(content, client):
    claim = Claim.objects.get(key="psoriasis-case-series-response")
    check = claim.primary_source_checks.get()
    citation = claim.citations.select_related("reported_by").get()

    page = get_page(client, f"/claims/{claim.key}/")
    text = page.text()

    assert claim.statement in text
    assert f"“{citation.quote}”" in text
    assert f"As reported in {citation.reported_by.container}" in text
    assert check.finding in page.section("Primary-source checks").text()
    assert f"/conditions/psoriasis/#{claim.anchor}" in page.hrefs()
    assert citation.source.get_absolute_url() in page.hrefs()


def test_a_claim_page_links_from_the_condition_page(content, client):
    page = get_page(client, "/conditions/psoriasis/")
    assert "/claims/psoriasis-case-series-response/" in page.hrefs()


def test_an_unpublished_claim_has_no_page(content, client):
    Claim.objects.filter(key="psoriasis-case-series-response").update(status=ReviewStatus.RETIRED)
    response = client.get("/claims/psoriasis-case-series-response/")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_moving_a_section_moves_its_footnote_numbers(content, client, monkeypatch):
    default = get_page(client, "/conditions/psoriasis/")
    # Every section in the opposite order: the last section comes first.
    order = tuple(reversed(selectors.CLINICIAN_SECTIONS))
    monkeypatch.setattr(selectors, "CLINICIAN_SECTIONS", order)

    moved = get_page(client, "/conditions/psoriasis/")

    def first_numbers(document):
        """{section heading: its first footnote number}, for the page's top-level sections."""
        found = {}
        for section in document.find("main").iter("section"):
            heading = next((e for e in section.iter() if e.tag == "h2"), None)
            notes = footnotes(section)
            if heading is not None and notes and heading.text() not in found:
                found[heading.text()] = notes[0][0]
        return found

    before, after = first_numbers(default), first_numbers(moved)
    assert before.keys() == after.keys() and len(before) > 2
    assert before != after  # the numbers moved with the sections
    # Still numbered in reading order, and the list of references holds the same works.
    seen = 0
    for number, _ in footnotes(moved):
        assert number <= seen + 1
        seen = max(seen, number)
    assert sorted(reference_order(moved)) == sorted(reference_order(default))


def reference_order(document):
    """The works in a page's reference list, by their page address, in number order."""
    return [item.find("a").attrs["href"] for _, item in sorted(references(document).items())]
