"""One record per trial (issue 15, item 3): a trial that an article describes and the editors
checked in its paper is one Study record, with the article's account shown on it as the
article's and the editors' check beside it; lists and "what rests on it" use that record."""

import pytest

from conditions.content_checks import duplicate_study_records
from evidence.choices import ReviewStatus, StudyDesign
from evidence.models import Study
from tests.factories import make_study
from tests.pages import get_page

pytestmark = pytest.mark.django_db


def test_the_study_list_shows_the_bigliardi_randomized_trial_once(client, content):
    text = get_page(client, "/studies/").find("main").text()
    assert text.count("randomized crossover trial") == 1
    assert "pruritus trial" not in text  # the article's account is no record of its own


def test_the_trial_page_shows_the_first_articles_account_with_the_editors_check_beside_it(
    client, content
):
    page = get_page(client, "/studies/bigliardi2007-crossover-trial/")
    account = page.find("div", class_="account")
    text = account.text()
    assert "As reported in Direct Integrative Care (clinic blog)" in text
    assert "more than 70% of participants" in text  # the article's words, verbatim
    assert "Editors' check: differs from the paper" in text
    assert "open pilot (n=18)" in text  # what the check found, beside the account


def test_the_trial_page_names_the_verdicts_and_certainties_resting_on_it(client, content):
    page = get_page(client, "/studies/bigliardi2007-crossover-trial/")
    resting = page.section("What rests on this study").text()
    assert "The verdict for Atopic dermatitis" in resting
    assert "The verdict for Chronic pruritus (as indirect evidence" in resting
    assert "The certainty of Atopic dermatitis: itch relief, topical" in resting
    assert "No published statement rests on this study" not in resting


def test_the_old_address_of_the_articles_record_leads_to_the_trial(client, content):
    response = client.get("/studies/bigliardi2007-pruritus-trial/")
    assert response.status_code == 301
    assert response["Location"].startswith("/studies/bigliardi2007-crossover-trial/")


def test_check_content_refuses_a_seed_record_beside_the_papers_own_records(content):
    assert duplicate_study_records() == []
    paper = Study.objects.get(key="bigliardi2007-open-pilot").source
    make_study(key="seed-copy", source=paper, design=StudyDesign.RCT, status=ReviewStatus.APPROVED)
    [problem] = duplicate_study_records()
    assert "seed-copy" in problem and "study account" in problem
