"""Corrections where readers look (issue 7, item 1) and LDN in general (item 8): the mechanism,
with factory content."""

import pytest

from evidence.choices import CheckVerdict, ReviewStatus, StudyDesign
from evidence.models import Study
from tests.factories import (
    make_check,
    make_citation,
    make_claim,
    make_condition,
    make_intervention,
    make_plain_statement,
    make_seed,
    make_study,
)
from tests.pages import get_page

pytestmark = pytest.mark.django_db
APPROVED = ReviewStatus.APPROVED


def cited_claim(condition=None, **fields):
    claim = make_claim(status=APPROVED, **fields)
    make_citation(claim=claim)
    if condition:
        claim.conditions.add(condition)
    return claim


def badge_of(element, check):
    return element.find(**{"data-check": check.key})


@pytest.fixture
def condition():
    return make_condition(status=APPROVED, name="Itchy skin")


def test_a_claim_the_editors_found_wrong_carries_the_flag_on_its_condition_and_claim_pages(
    client, condition
):
    claim = cited_claim(condition, statement="A randomized trial showed relief in 70%.")
    check = make_check(
        claim=claim, verdict=CheckVerdict.DIFFERS, headline="Two studies, not one trial."
    )
    page = get_page(client, condition.get_absolute_url())
    item = page.find("li", **{"data-claim": claim.key})
    badge = badge_of(item, check)
    assert "Editors' check: differs from the paper." in badge.text()
    assert "Two studies, not one trial." in badge.text()
    target = badge.find("a").attrs["href"]
    assert target == f"{claim.get_absolute_url()}#check-{check.key}"
    # The link leads to the full check, with its finding.
    claim_page = get_page(client, claim.get_absolute_url())
    full = claim_page.find(id=f"check-{check.key}")
    assert check.finding in full.text()
    assert badge_of(claim_page.find(**{"data-claim": claim.key}), check) is not None


def test_an_agreeing_check_is_shown_as_agreeing(client, condition):
    claim = cited_claim(condition)
    check = make_check(claim=claim, verdict=CheckVerdict.AGREES, headline="Same figures.")
    badge = badge_of(get_page(client, condition.get_absolute_url()), check)
    assert "Editors' check: agrees with the paper." in badge.text()
    assert "differs" not in badge.text()


def test_the_patient_page_says_the_check_in_plain_words(client, condition):
    claim = cited_claim(condition)
    make_plain_statement(condition=condition, claim=claim, text="Most people felt better.")
    check = make_check(claim=claim, verdict=CheckVerdict.DIFFERS, headline="Fewer did.")
    page = get_page(client, f"{condition.get_absolute_url()}patient/")
    item = page.find("li", **{"data-claim": claim.key})
    assert "Most people felt better." in item.text()
    badge = badge_of(item, check)
    assert "Our editors read the original study, and it says something different." in badge.text()
    assert "Fewer did." in badge.text()
    assert badge.find("a").attrs["href"].endswith(f"#check-{check.key}")


def test_a_checked_study_carries_the_flag_in_lists_and_its_page_shows_the_check(client, condition):
    study = make_study(status=APPROVED, label="Doe 2007")
    condition.studies.add(study)
    claim = cited_claim(condition, study=study)
    check = make_check(
        claim=claim, study=study, verdict=CheckVerdict.DIFFERS, headline="An open pilot."
    )
    anchor = f"{study.get_absolute_url()}#check-{check.key}"
    for path in ("/studies/", condition.get_absolute_url(), study.source.get_absolute_url()):
        page = get_page(client, path)
        row = page.find(**{"data-study": study.key})
        badge = badge_of(row, check)
        assert badge.find("a").attrs["href"] == anchor, path
        # In full once per page (issue 15, item 7); where the study shows again, a one-line
        # flag that still names the verdict and links to the check.
        full = [
            b
            for b in page.iter("p", "check-badge")
            if b.attrs.get("data-check") == check.key and "check-badge-repeat" not in b.classes
        ]
        assert len(full) == 1 and "An open pilot." in full[0].text(), path
        assert "differs from the paper" in badge.text(), path
    study_page = get_page(client, study.get_absolute_url())
    assert badge_of(study_page.find("main"), check) is not None
    assert check.finding in study_page.find(id=f"check-{check.key}").text()


def test_the_papers_own_records_are_linked_from_the_seed_record_and_never_mixed_into_it(client):
    seed = make_seed(container="The clinic blog")
    seed_record = make_study(
        status=APPROVED, reported_by=seed, quote="a randomized trial", label="Blog's trial"
    )
    claim = cited_claim()
    check = make_check(
        claim=claim,
        study=seed_record,
        source=seed_record.source,
        verdict=CheckVerdict.DIFFERS,
        checked_against="https://pubmed.ncbi.nlm.nih.gov/17368637/",
    )
    pilot = Study.objects.create(
        key="paper-pilot",
        label="Paper: open pilot",
        design=StudyDesign.CASE_SERIES,
        n=18,
        population="chronic pruritus",
        source=seed_record.source,
        per_check=check,
        status=APPROVED,
    )
    seed_page = get_page(client, seed_record.get_absolute_url())
    assert pilot.get_absolute_url() in seed_page.find(id=f"check-{check.key}").hrefs()
    assert "As reported in The clinic blog: a randomized trial" in seed_page.find("dl").text()

    paper_page = get_page(client, pilot.get_absolute_url())
    facts = paper_page.find("dl", "facts").text()
    assert "The paper, as read by the ldnref editors" in facts
    assert "https://pubmed.ncbi.nlm.nih.gov/17368637/" in facts
    assert "a randomized trial" not in paper_page.text()  # the seed's words stay on its record
    assert "The clinic blog" not in facts
    assert seed_record.get_absolute_url() in paper_page.find("dl", "facts").hrefs()
    # Its page shows the check it comes from.
    assert paper_page.find(id=f"check-{check.key}") is not None
    listing = get_page(client, "/studies/").find(**{"data-study": pilot.key}).text()
    assert "editors' check of the paper" in listing


def test_claims_about_ldn_in_general_show_once_on_their_own_page_not_on_condition_pages(
    client, condition
):
    general = cited_claim(statement="LDN is taken at 1.5 to 4.5 mg a day.", kind="dosing")
    own = cited_claim(condition, statement="Itch eased in the itchy-skin series.")
    other = make_condition(status=APPROVED)
    for page in (condition, other):
        text = get_page(client, page.get_absolute_url()).text()
        assert general.statement not in text
        patient = get_page(client, f"{page.get_absolute_url()}patient/")
        assert "/ldn/" in patient.hrefs()
    clinician = get_page(client, condition.get_absolute_url())
    assert own.statement in clinician.text()
    link = clinician.section("LDN in general")
    assert "/ldn/" in link.hrefs()
    assert "data-site-text" in link.find("p").attrs

    ldn = get_page(client, "/ldn/")
    assert ldn.text().count(general.statement) == 1
    assert own.statement not in ldn.text()
    assert ldn.find(id=general.anchor) is not None
    # The claim's own page sends readers to where it is shown.
    shown_on = get_page(client, general.get_absolute_url()).section("Shown on")
    assert f"/ldn/#{general.anchor}" in shown_on.hrefs()


def test_the_bottom_line_flags_its_best_study_with_the_editors_check(client, condition):
    cream = make_intervention(route="topical")
    study = make_study(status=APPROVED, label="Doe 2007", intervention=cream)
    condition.studies.add(study)
    check = make_check(study=study, verdict=CheckVerdict.DIFFERS, headline="An open pilot.")
    page = get_page(client, condition.get_absolute_url())
    line = page.find(**{"data-route": "topical"})
    assert line.find(**{"data-study": study.key}) is not None
    badge = badge_of(line, check)
    assert "An open pilot." in badge.text()
    assert badge.attrs["data-check-verdict"] == CheckVerdict.DIFFERS
