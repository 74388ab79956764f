"""The public pages as a reader meets them: sections, grades, references, approved content only."""

import json
import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db.models import Q

from conditions.models import Condition, PlainStatement, TreatmentRecommendation
from evidence.grading import StudyDesign
from evidence.models import (
    Citation,
    Claim,
    ClaimKind,
    Conflict,
    Grade,
    GradingScale,
    Mechanism,
    Outcome,
    PrimarySourceCheck,
    ReviewStatus,
    Route,
    SeedReference,
    Source,
    Study,
)
from tests.factories import make_citation, make_claim, make_source
from tests.pages import (
    footnotes,
    get_page,
    is_local,
    listed_sources,
    parse_html,
    references,
    render_site,
)

# Also on the tests that only read `site`: the marker is what makes pytest-django create the
# test database, which `site` fills outside any one test.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    return render_site(django_db_blocker)


@pytest.fixture(scope="module")
def documents(site):
    """{path: document} for the HTML pages of `site`."""
    return {
        path: parse_html(response.content)
        for path, response in site.items()
        if "text/html" in response["Content-Type"]
    }


def clinician_paths(pages):
    return [path for path in pages if re.fullmatch(r"/conditions/[\w-]+/", path)]


# ---------------------------------------------------------------- every page


def test_every_page_and_every_link_between_pages_opens(site):
    statuses = {path: response.status_code for path, response in site.items()}
    assert {path: s for path, s in statuses.items() if s != HTTPStatus.OK} == {}
    assert len(clinician_paths(site)) == 7  # the seven published conditions


def test_every_published_condition_has_a_clinician_and_a_patient_page(content, client):
    for condition in Condition.objects.published():
        for path in (f"/conditions/{condition.slug}/", f"/conditions/{condition.slug}/patient/"):
            page = get_page(client, path)
            assert page.find("h1").text().startswith(condition.name), path


SECTIONS = [
    "Bottom line by route",
    "Verdict",
    "Summary of findings",
    "Safety questions by route",
    "Summary",
    "LDN in general",
    "Evidence table",
    "Compared with guideline treatments",
    "Limitations",
    "Where sources disagree",
    "References",
]
# Shown as a section where the articles report something for the condition in particular;
# otherwise named in one line of the LDN in general section (issue 7, item 8).
TOPICS = {  # heading: how the one line names it
    "Dosing and formulations by route": "dosing",
    "Safety by route": "safety",
    "Proposed mechanisms": "proposed mechanisms",
    "Who might benefit": "who might benefit",
}


def test_every_clinician_page_shows_every_section_and_none_is_left_blank(documents):
    for path in clinician_paths(documents):
        page = documents[path]
        headings = [h2.text() for h2 in page.iter("h2")]
        for expected in SECTIONS:
            matching = [heading for heading in headings if heading == expected]
            matching = matching or [h for h in headings if h.startswith(expected)]
            assert len(matching) == 1, (path, expected, headings)
            section = page.section(expected)
            heading = section.find("h2").text()
            assert len(section.text()) > len(heading), (path, expected)
        general_only = page.section("LDN in general").find("p", "general-only")
        for topic, name in TOPICS.items():
            matching = [heading for heading in headings if heading == topic]
            named = general_only is not None and name in general_only.text().lower()
            assert len(matching) + named == 1, (path, topic, headings)


def test_a_section_with_nothing_to_show_says_so(content, client):
    page = get_page(client, "/conditions/vitiligo/")
    evidence = page.section("Evidence table")
    assert "No studies of LDN for vitiligo were reported" in evidence.text()
    assert evidence.find("table") is None
    # The Summary of Findings still has its table: every cell of each route "Not reported".
    findings = page.section("Summary of findings")
    rows = [row.text() for row in findings.find("table").iter("tr")][1:]
    assert len(rows) == 2
    assert all("Not reported" in row for row in rows)


# ---------------------------------------------------------------- citations and references


def citing_pages(documents):
    return {path: page for path, page in documents.items() if footnotes(page)}


# Every page of these kinds must cite its sources. Each kind is named so that a change of
# address (study pages moved from numbers to keys once) cannot quietly empty the check.
CITING_KINDS = {
    "condition": r"/conditions/[\w-]+/",
    "patient page": r"/conditions/[\w-]+/patient/",
    "study": r"/studies/[\w-]+/",
    "mechanism": r"/mechanisms/[\w-]+/",
}


def test_citations_are_on_every_condition_study_and_mechanism_page(documents):
    pages = citing_pages(documents)
    for kind, pattern in CITING_KINDS.items():
        matched = [path for path in documents if re.fullmatch(pattern, path)]
        assert matched, f"no {kind} page matched {pattern}: the guard would check nothing"
        for path in matched:
            assert path in pages, f"{path} ({kind}) cites nothing"


def test_every_footnote_has_its_reference_and_every_reference_links_back(documents):
    for path, page in citing_pages(documents).items():
        notes = footnotes(page)
        listed = references(page)
        numbers = {number for number, _ in notes}
        assert numbers == set(listed), path
        assert sorted(listed) == list(range(1, len(listed) + 1)), path
        ids = set(page.ids())
        for number, item in listed.items():
            backlinks = [href for href in item.hrefs() if href.startswith("#cite-")]
            anchors = [anchor for n, anchor in notes if n == number]
            assert backlinks, (path, number)
            assert all(href[1:] in ids for href in backlinks), (path, number)
            # Each place that cites the reference has exactly one back-link to it.
            assert sorted(href[1:] for href in backlinks) == sorted(anchors), (path, number)


def test_every_link_to_a_part_of_a_page_finds_it(documents):
    for path, page in documents.items():
        ids = page.ids()
        assert len(ids) == len(set(ids)), f"{path} repeats an id"
        for href in page.hrefs():
            parts = urlsplit(href)
            if href.startswith("#"):
                assert href[1:] in ids, (path, href)
            elif is_local(href) and parts.fragment and parts.path in documents:
                assert parts.fragment in documents[parts.path].ids(), (path, href)


def reading_order_problems(page):
    """Footnotes out of reading order: a reference read before a lower-numbered new one, or
    a back-link whose number is not the order in which a reader meets that citation."""
    problems, seen, uses = [], 0, {}
    for number, anchor in footnotes(page):
        if number > seen + 1:
            problems.append(f"reference {number} is read before {seen + 1}")
        seen = max(seen, number)
        uses[number] = uses.get(number, 0) + 1
        if anchor != f"cite-{number}-{uses[number]}":
            problems.append(f"use {uses[number]} of reference {number} is {anchor}")
    return problems


def test_references_are_numbered_and_linked_back_in_reading_order(documents):
    pages = citing_pages(documents)
    problems = {path: reading_order_problems(page) for path, page in pages.items()}
    assert not {path: found for path, found in problems.items() if found}


def test_footnotes_stay_in_reading_order_when_the_page_groups_claims(content, client):
    psoriasis = Condition.objects.get(slug="psoriasis")
    seed = Source.objects.get(key="droracle-ldn-skin")
    # Keys sort one way; the page groups findings by outcome and dosing and safety by route.
    for n, (kind, outcome, route) in enumerate(
        [
            (ClaimKind.EFFICACY, Outcome.QUALITY_OF_LIFE, ""),
            (ClaimKind.EFFICACY, Outcome.ITCH_RELIEF, ""),
            (ClaimKind.EFFICACY, Outcome.QUALITY_OF_LIFE, ""),
            (ClaimKind.DOSING, "", ""),
            (ClaimKind.DOSING, "", Route.ORAL),
            (ClaimKind.DOSING, "", Route.TOPICAL),
            (ClaimKind.SAFETY, "", Route.ORAL),
            (ClaimKind.SAFETY, "", Route.TOPICAL),
        ]
    ):
        claim = make_claim(
            key=f"aaa-{n}", kind=kind, outcome=outcome, route=route, status=ReviewStatus.APPROVED
        )
        claim.conditions.add(psoriasis)
        make_citation(claim=claim, source=make_source(title=f"New source {n}"), reported_by=seed)
    page = get_page(client, "/conditions/psoriasis/")
    assert all(f"New source {n}" in page.text() for n in range(8))
    assert not reading_order_problems(page)


def test_reference_entries_never_print_a_double_full_stop(documents):
    doubled = set()
    for page in documents.values():
        entries = [span.text() for span in page.iter("span", "ref-text")]
        entries += [p.text() for p in page.iter("p", "reference")]
        doubled |= {entry for entry in entries if re.search(r"(?<!\.)\.\.(?!\.)", entry)}
    assert not doubled


def test_an_unknown_citation_key_shows_as_missing_and_the_page_still_renders(content, client):
    Condition.objects.filter(slug="psoriasis").update(
        clinician_summary="Nobody has studied this [@nope].",
        patient_summary="Nobody knows yet [@nope].",
    )
    clinician = get_page(client, "/conditions/psoriasis/")
    assert "[citation missing: nope]" in clinician.section("Summary").text()
    patient = get_page(client, "/conditions/psoriasis/patient/")
    assert "[citation missing: nope]" in patient.find("div", "prose").text()


# ---------------------------------------------------------------- grades


def test_the_verdict_shows_its_sort_grade_with_the_scale_and_links_to_what_it_means(
    content, client
):
    sort_c = Grade.objects.get(scale__slug="sort", code="C")
    verdict = get_page(client, "/conditions/psoriasis/").section("Verdict")
    text = verdict.text()
    assert "SORT" in sort_c.scale.name
    assert f"{sort_c.scale.name} C" in text
    assert "Derived by ldnref SORT rule 2 from the approved studies on record" in text
    badge = verdict.find("a", class_="grade")
    parts = urlsplit(badge.attrs["href"])
    assert parts.path == "/methods/"
    methods = get_page(client, "/methods/")
    term = methods.find(id=parts.fragment)
    assert term is not None and term.text() == sort_c.label
    # The definition is printed on /methods/, right after the level it defines.
    definitions = [dd.text() for dd in methods.iter("dd")]
    assert f"“{sort_c.definition}”" in definitions


def test_grade_definitions_are_printed_only_on_the_methods_page(documents):
    scales = json.loads((settings.BASE_DIR / "fixtures/01_grading_scales.json").read_text())
    definitions = {
        row["fields"]["definition"] for row in scales if row["model"] == "evidence.grade"
    }
    assert definitions
    for path, page in documents.items():
        if path == "/methods/":
            continue
        text = page.text()
        repeated = [d for d in definitions if len(d) > 30 and d in text]
        assert not repeated, (path, repeated)
        for badge in page.iter("a", class_="grade"):
            assert urlsplit(badge.attrs["href"]).path == "/methods/", (path, badge)


def test_the_verdict_names_a_rule_that_the_methods_page_explains(content, client):
    verdict = get_page(client, "/conditions/psoriasis/").section("Verdict")
    link = next(a for a in verdict.iter("a") if a.text() == "ldnref SORT rule 2")
    parts = urlsplit(link.attrs["href"])
    methods = get_page(client, parts.path)
    assert methods.find(id=parts.fragment).text().startswith("ldnref SORT rule 2")


def test_a_condition_without_studies_shows_insufficient_evidence_and_no_sort_grade(content, client):
    sort = GradingScale.objects.get(slug="sort")
    text = get_page(client, "/conditions/vitiligo/").section("Verdict").text()
    assert "Insufficient evidence" in text
    assert sort.name not in text
    assert "SORT" not in text.replace("SORT rule", "")
    assert "Derived by ldnref SORT rule 2 from the approved studies on record" in text


@pytest.mark.parametrize("slug", ["atopic-dermatitis", "psoriasis", "vitiligo"])
def test_guideline_grades_show_their_scales_and_who_graded_them(content, client, slug):
    section = get_page(client, f"/conditions/{slug}/").section("Compared with guideline")
    rows = {row.find("th").text(): row.text() for row in section.iter("tr") if row.find("td")}
    recommendations = TreatmentRecommendation.objects.filter(condition__slug=slug)
    assert len(rows) == recommendations.count() > 0
    for rec in recommendations:
        row = next(text for heading, text in rows.items() if heading.startswith(rec.treatment))
        for grade in (rec.strength, rec.quality):
            if grade is None:
                assert "not reported" in row, rec
            else:
                assert f"{grade.scale.name} {grade.label}" in row, rec
        if rec.graded_by:
            assert f"“{rec.graded_by.title}”" in row, rec
    if recommendations.filter(strength__isnull=False, quality__isnull=False).exists():
        assert "Strength of recommendation (A–E)" in section.text()
        assert "Quality of evidence (I–IV)" in section.text()


def test_a_guideline_grade_is_attributed_to_the_article_that_reported_it(content, client):
    kim = Source.objects.get(key="kim-topical-ldn")
    citation = make_citation(
        claim=make_claim(kind=ClaimKind.GUIDELINE, statement="Creams come first."),
        source=kim,
        reported_by=kim,
    )
    Claim.objects.filter(pk=citation.claim_id).update(status=ReviewStatus.APPROVED)
    citation.claim.conditions.add(Condition.objects.get(slug="psoriasis"))
    TreatmentRecommendation.objects.create(
        condition=Condition.objects.get(slug="psoriasis"),
        treatment="Emollients",
        strength=Grade.objects.get(scale__slug="strength-a-e", code="A"),
        graded_by=kim,
        claim=citation.claim,
    )
    section = get_page(client, "/conditions/psoriasis/").section("Compared with guideline")
    row = next(r for r in section.iter("tr") if r.find("th").text().startswith("Emollients"))
    assert f"as reported in {kim.container}".lower() in row.text().lower()
    assert "Dr.Oracle" not in row.text()


# ---------------------------------------------------------------- disagreements and checks


@pytest.mark.parametrize("path", ["/conditions/chronic-pruritus/", "/ldn/"])
def test_where_sources_disagree_shows_the_conflict_with_both_sides_quoted(content, client, path):
    """Shown where either side is: the pruritus trial claim, and the general "no RCT" claim."""
    conflict = Conflict.objects.get(key="randomized-trial-exists")
    text = get_page(client, path).section("Where sources disagree").text()
    assert conflict.title in text
    for claim in (conflict.claim_a, conflict.claim_b):
        assert claim.statement in text
        for citation in claim.citations.all():
            assert f"“{citation.quote}”" in text
            assert f"As reported in {citation.reported_by.container}" in text
    assert conflict.editors_note in text


@pytest.mark.parametrize("slug", ["chronic-pruritus", "psoriasis", None])
def test_primary_source_checks_are_shown_as_the_editors_work(content, client, slug):
    """Each check shows with its claim: on the condition's page, or on LDN in general."""
    path = f"/conditions/{slug}/" if slug else "/ldn/"
    section = get_page(client, path).section("Where sources disagree")
    shown = {item.text(): item for item in section.iter("li", "check")}
    where = Q(claim__conditions__slug=slug) if slug else Q(claim__conditions__isnull=True)
    checks = PrimarySourceCheck.objects.filter(where).distinct()
    assert len(shown) == checks.count() > 0
    for check in checks:
        text = next(text for text in shown if check.finding in text)
        assert check.get_verdict_display() in text
        assert "Checked by ldnref editors" in text


# ---------------------------------------------------------------- only approved content


def _text(client, path):
    return get_page(client, path).text()


@pytest.mark.parametrize(
    "status", [ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW, ReviewStatus.RETIRED]
)
def test_a_claim_that_is_not_approved_disappears_from_every_page(content, client, status):
    claim = Claim.objects.get(key="psoriasis-case-series-response")
    study = claim.study
    plain = list(PlainStatement.objects.filter(claim=claim).values_list("text", flat=True))
    finding = PrimarySourceCheck.objects.get(claim=claim).finding
    paths = [
        "/conditions/psoriasis/",
        "/conditions/psoriasis/patient/",
        study.get_absolute_url(),
        study.source.get_absolute_url(),
    ]
    assert plain
    assert claim.statement in _text(client, paths[0])
    assert finding in _text(client, paths[0])

    Claim.objects.filter(pk=claim.pk).update(status=status)
    for path in paths:
        text = _text(client, path)
        assert claim.statement not in text, path
        assert not any(sentence in text for sentence in plain), path
    assert finding not in _text(client, paths[0])


def test_a_claim_without_a_citation_is_not_shown(content, client):
    claim = Claim.objects.get(key="psoriasis-case-series-response")
    Citation.objects.filter(claim=claim).delete()
    assert claim.statement not in _text(client, "/conditions/psoriasis/")


def test_the_check_of_a_retired_claim_disappears_from_its_source_page(content, client):
    check = PrimarySourceCheck.objects.get(key="weinstock2020-context")
    assert check.finding in _text(client, "/sources/weinstock2020/")
    Claim.objects.filter(pk=check.claim_id).update(status=ReviewStatus.RETIRED)
    assert check.finding not in _text(client, "/sources/weinstock2020/")


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT, ReviewStatus.RETIRED])
def test_a_condition_that_is_not_approved_has_no_pages(content, client, status):
    Condition.objects.filter(slug="psoriasis").update(status=status)
    assert client.get("/conditions/psoriasis/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/conditions/psoriasis/patient/").status_code == HTTPStatus.NOT_FOUND
    home = get_page(client, "/")
    assert "Psoriasis" not in home.section("Conditions").text()
    assert "/conditions/psoriasis/" not in home.hrefs()


def test_a_draft_condition_is_not_named_on_the_study_list(content, client):
    Condition.objects.filter(slug="psoriasis").update(status=ReviewStatus.DRAFT)
    studies = get_page(client, "/studies/")
    assert "/conditions/psoriasis/" not in studies.hrefs()
    table = studies.find("table")
    column = [th.text() for th in table.find("thead").iter("th")].index("Conditions")
    for row in table.find("tbody").iter("tr"):
        cells = [cell for cell in row.children if getattr(cell, "tag", None) in ("th", "td")]
        assert "Psoriasis" not in cells[column].text()


@pytest.mark.parametrize(
    "status", [ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW, ReviewStatus.RETIRED]
)
def test_a_study_that_is_not_approved_has_no_page_and_is_not_listed(content, client, status):
    study = Study.objects.get(key="weinstock2020-case-series")
    path = study.get_absolute_url()
    assert client.get(path).status_code == HTTPStatus.OK
    Study.objects.filter(pk=study.pk).update(status=status)
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND
    assert path not in get_page(client, "/studies/").hrefs()
    psoriasis = get_page(client, "/conditions/psoriasis/")
    assert path not in psoriasis.hrefs()
    assert study.label not in psoriasis.section("Evidence table").text()
    assert study.label not in psoriasis.section("Summary of findings").text()
    assert study.label not in psoriasis.section("Bottom line by route").text()
    assert path not in get_page(client, study.source.get_absolute_url()).hrefs()


# ---------------------------------------------------------------- sources


def test_a_confirmed_source_links_to_its_doi_and_pubmed_record_wherever_it_is_cited(documents):
    links = {
        "https://doi.org/10.1016/j.jaad.2007.01.007",
        "https://pubmed.ncbi.nlm.nih.gov/17320241/",
    }
    entries = [
        listed_sources(page)["bigliardi2007"]
        for page in citing_pages(documents).values()
        if "bigliardi2007" in listed_sources(page)
    ]
    assert len(entries) >= 2
    for entry in entries:
        assert links <= set(entry.hrefs())
        assert "unverified" not in entry.text().lower()
    assert links <= set(documents["/sources/bigliardi2007/"].hrefs())


def test_an_unconfirmed_source_is_marked_unverified_wherever_it_is_shown(documents):
    entries = [
        listed_sources(page)["dodou2015"]
        for page in citing_pages(documents).values()
        if "dodou2015" in listed_sources(page)
    ]
    assert entries
    for entry in entries:
        assert "Bibliographic data unverified" in entry.text()
        assert not any("doi.org" in href or "pubmed" in href for href in entry.hrefs())
    facts = documents["/sources/dodou2015/"].find("dl", "facts").text()
    assert "DOI not confirmed" in facts
    assert "PubMed not confirmed" in facts
    assert "Bibliographic data confirmed at Unverified" in facts


def test_references_say_how_each_article_printed_them(content, client):
    page = get_page(client, "/conditions/chronic-pruritus/")
    item = listed_sources(page)["bigliardi2007"]
    entries = SeedReference.objects.filter(source__key="bigliardi2007")
    assert entries
    for entry in entries:
        assert f"As reported in {entry.seed.container}" in item.text()
        assert f"“{entry.as_printed}”" in item.text()


def test_quotes_say_which_article_reported_them(content, client):
    page = get_page(client, "/conditions/chronic-pruritus/")
    for quote in page.iter("blockquote"):
        assert quote.find("footer").text().startswith("As reported in "), quote.text()


# ---------------------------------------------------------------- the other pages


def test_the_study_list_shows_every_published_study_with_a_link(content, client):
    studies = get_page(client, "/studies/")
    for study in Study.objects.published():
        assert study.get_absolute_url() in studies.hrefs()
        assert client.get(study.get_absolute_url()).status_code == HTTPStatus.OK


def test_every_published_source_and_mechanism_has_a_page(content, client):
    sources = Source.objects.published()
    assert sources.count() >= 10
    for source in sources:
        assert get_page(client, f"/sources/{source.key}/").find("h1").text() == source.title
    listing = get_page(client, "/mechanisms/")
    for mechanism in Mechanism.objects.published():
        assert mechanism.get_absolute_url() in listing.hrefs()
        page = get_page(client, f"/mechanisms/{mechanism.slug}/")
        assert page.find("h1").text() == mechanism.name


def test_a_work_only_in_a_seeds_reference_list_has_a_page_that_says_so(content, client):
    # Sikora 2019 is listed by the first article but no statement on the site cites it.
    page = get_page(client, "/sources/sikora2019/")
    assert "No published statement cites this source." in page.text()
    assert "How the articles list it" in page.text()
    assert client.get("/sources/sikora2019.ris").status_code == HTTPStatus.OK


def test_a_work_cited_only_by_a_draft_has_no_page(content, client):
    claim = make_claim(status=ReviewStatus.DRAFT)
    make_citation(claim=claim, source=make_source(key="draft-only-2030"))

    assert client.get("/sources/draft-only-2030/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/sources/draft-only-2030.bib").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW])
def test_a_mechanism_not_approved_has_no_page_and_no_link(content, client, status):
    Mechanism.objects.filter(slug="tlr4-modulation").update(status=status)

    assert client.get("/mechanisms/tlr4-modulation/").status_code == HTTPStatus.NOT_FOUND
    assert "/mechanisms/tlr4-modulation/" not in get_page(client, "/mechanisms/").hrefs()
    psoriasis = get_page(client, "/conditions/psoriasis/")
    assert "/mechanisms/tlr4-modulation/" not in psoriasis.hrefs()


def test_the_methods_page_defines_every_level_of_every_scale(content, client):
    page = get_page(client, "/methods/")
    for scale in GradingScale.objects.all():
        text = page.section(scale.name).text()
        grades = scale.grades.all()
        assert grades
        for grade in grades:
            assert f"{grade.label} “{grade.definition}”" in text, grade


def test_the_methods_page_maps_every_study_design_to_its_level(content, client):
    table = get_page(client, "/methods/").section("How ldnref assigns").find("table")
    rows = {
        row.find("th").text(): row.find("td").text() for row in table.iter("tr") if row.find("td")
    }
    assert set(rows) == set(StudyDesign.labels)
    # Oxford CEBM 2011, "What are the benefits of treatment?"
    assert rows["Systematic review of randomized trials"].startswith("Level 1")
    assert rows["Randomized controlled trial"].startswith("Level 2")
    assert rows["Case series"].startswith("Level 4")
    assert rows["In vitro study"].startswith("Level 5")
    assert rows["Narrative review"] == "Not graded as evidence"


@pytest.mark.parametrize(
    "path",
    [
        "/conditions/no-such-condition/",
        "/conditions/no-such-condition/patient/",
        "/studies/999999/",
        "/sources/no-such-source/",
        "/mechanisms/no-such-mechanism/",
        "/no-such-page/",
    ],
)
def test_an_unknown_address_gets_the_friendly_not_found_page(content, client, settings, path):
    settings.DEBUG = False
    response = client.get(path)
    assert response.status_code == HTTPStatus.NOT_FOUND
    page = parse_html(response.content)
    assert page.find("h1").text() == "Page not found"
    assert "/" in page.find("main").hrefs()
    assert page.find("nav") is not None


# ---------------------------------------------------------------- unsafe Markdown


def test_script_and_javascript_links_in_a_summary_are_neutralised(content, client):
    Condition.objects.filter(slug="psoriasis").update(
        clinician_summary=(
            'Safe words. <script>alert("x")</script> [click me](javascript:alert(1)) '
            '<a href="jav&#x09;ascript:alert(2)">two</a> <img src="x" onerror="alert(3)">'
            " <iframe src='https://evil.example'></iframe>"
        )
    )
    page = get_page(client, "/conditions/psoriasis/")
    summary = page.section("Summary")
    assert "Safe words." in summary.text()
    # The only script element is the page's JSON-LD data block, which browsers never run.
    assert [e.attrs for e in page.iter("script")] == [{"type": "application/ld+json"}]
    assert summary.find("img") is None and summary.find("iframe") is None
    for element in page.iter():
        assert not any(name.startswith("on") for name in element.attrs), element
    for href in page.hrefs():
        assert not re.sub(r"[\x00-\x20]", "", href).lower().startswith("javascript:"), href
