"""Two editors and a reviewer, each in their own browser context, work on the same items at
once: a stale form (another field, then the same field), a change two people wrote, a change
that needs an unapproved intervention, and a rejection. Each ends with what readers and API
clients see. One browser and one live server serve the whole module.

Runs on SQLite and on PostgreSQL (CI runs every browser test on both).
"""

import re
from html import unescape

import pytest
from django.test import Client
from playwright.sync_api import expect

from evidence.models import Study
from tests.factories import make_intervention, make_staff
from tests.test_browser import allow_orm_beside_playwright, browser, open_page  # noqa: F401

pytestmark = pytest.mark.browser

STUDY = "weinstock2020-case-series"
OLD = "8 of 15 (53%) reported marked improvement"
EDITH = "Edith's correction: 9 of 15 reported marked improvement."
ERIC = "Eric's correction: 7 of 15 reported marked improvement."
POPULATION = "People with psoriasis for 16 years on average"
PASSWORD = "a long test passphrase"
STEP_TIMEOUT = 20_000  # one form post and page load; a busy machine can take seconds


@pytest.fixture
def site(live_server, allow_orm_beside_playwright):  # noqa: F811
    from tests.factories import load_content

    load_content()
    make_staff("Editors", username="edith", password=PASSWORD, first_name="Edith")
    make_staff("Editors", username="eric", password=PASSWORD, first_name="Eric")
    make_staff("Reviewers", username="rita", password=PASSWORD, first_name="Rita")
    return live_server.url


def log_in(browser, site, username):  # noqa: F811
    page = open_page(browser)
    page.context.set_default_timeout(STEP_TIMEOUT)
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#review-desk")).to_be_visible()
    return page


def urls(site):
    pk = Study.objects.get(key=STUDY).pk
    return (
        f"{site}/admin/evidence/study/{pk}/change/",
        f"{site}/admin/evidence/study/{pk}/in-review/",
    )


def save(page, action="", reason=""):
    if action:
        page.locator("#id_review_action").select_option(action)
    if reason:
        page.locator("#id_review_reason").fill(reason)
    page.get_by_role("button", name="Save", exact=True).click()


def public(browser, site):  # noqa: F811
    """The study page's main text and the study's API answer, as a reader gets them now
    (from this process, which shares the live server's database: no browser copy stands in
    for the server's answer)."""
    reader = Client()
    page = reader.get(f"/studies/{STUDY}/").content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))
    return text, reader.get(f"/api/v1/studies/{STUDY}/").json()


def close(*pages):
    for page in pages:
        page.context.close()


def test_a_stale_save_of_another_field_is_refused_and_keeps_the_input(browser, site):  # noqa: F811
    change, _ = urls(site)
    edith, eric = log_in(browser, site, "edith"), log_in(browser, site, "eric")
    edith.goto(change)
    eric.goto(change)

    edith.locator("#id_result").fill(EDITH)
    save(edith, "submit", "The paper's table says nine.")
    expect(edith.locator(".messagelist")).to_contain_text("waiting for review")
    eric.locator("#id_population").fill(POPULATION)
    save(eric)

    errors = eric.locator("ul.errorlist.nonfield")
    expect(errors).to_contain_text("was changed by someone else after you opened this form")
    expect(errors).to_contain_text("Edith changed the result on")
    expect(errors).to_contain_text(f"now “{EDITH}”; in your form “{OLD}")
    expect(eric.locator("#id_population")).to_have_value(POPULATION)  # nothing typed is lost
    # Eric merges by hand: Edith's result, his population.
    eric.locator("#id_result").fill(EDITH)
    save(eric)
    expect(eric.locator(".messagelist")).to_contain_text("waiting for review")
    eric.goto(change)
    expect(eric.locator("#id_result")).to_have_value(EDITH)
    expect(eric.locator("#id_population")).to_have_value(POPULATION)

    text, api = public(browser, site)
    assert OLD in text and EDITH not in text and POPULATION not in text
    assert OLD in api["result"] and api["population"] != POPULATION
    close(edith, eric)


def test_a_stale_save_of_the_same_field_shows_both_values(browser, site):  # noqa: F811
    change, _ = urls(site)
    edith, eric = log_in(browser, site, "edith"), log_in(browser, site, "eric")
    edith.goto(change)
    eric.goto(change)

    edith.locator("#id_result").fill(EDITH)
    save(edith, "submit", "The paper's table says nine.")
    eric.locator("#id_result").fill(ERIC)
    save(eric)

    expect(eric.locator("ul.errorlist.nonfield")).to_contain_text(
        f"now “{EDITH}”; in your form “{ERIC}”"
    )
    expect(eric.locator("#id_result")).to_have_value(ERIC)
    edith.goto(change)
    expect(edith.locator("#id_result")).to_have_value(EDITH)  # Edith's change is intact

    text, api = public(browser, site)
    assert OLD in text and EDITH not in text and ERIC not in text
    assert OLD in api["result"]
    close(edith, eric)


def test_no_one_who_wrote_part_of_a_change_may_approve_it(browser, site):  # noqa: F811
    make_staff("Editors", "Reviewers", username="bo", password=PASSWORD, first_name="Bo")
    change, in_review = urls(site)
    bo, eric = log_in(browser, site, "bo"), log_in(browser, site, "eric")
    bo.goto(change)
    bo.locator("#id_result").fill(EDITH)
    save(bo, "submit", "The paper's table says nine.")
    eric.goto(change)
    eric.locator("#id_population").fill(POPULATION)
    save(eric)  # "Keep the review status": the change stays in review

    bo.goto(in_review)
    expect(bo.locator("table.revision-contributions")).to_contain_text("Eric")
    expect(bo.locator(".submit-row")).to_contain_text(
        "You contributed to this change, so another reviewer must approve it (two-person rule)."
    )
    expect(bo.get_by_role("button", name="Approve this change")).to_have_count(0)

    rita = log_in(browser, site, "rita")
    expect(rita.locator("#review-desk")).to_contain_text("Waiting for your review: 1")
    rita.goto(in_review)
    rita.get_by_role("button", name="Approve this change").click()
    expect(rita.locator(".messagelist")).to_contain_text("Approved")

    text, api = public(browser, site)
    assert EDITH in text and POPULATION in text
    assert api["result"] == EDITH and api["population"] == POPULATION
    close(bo, eric, rita)


def test_a_change_linking_an_unapproved_intervention_is_approved_with_it(browser, site):  # noqa: F811
    dose = make_intervention(
        key="oral-ldn-draft-dose", name="Naltrexone draft dose", status="draft", strength="9 mg"
    )
    change, in_review = urls(site)
    edith = log_in(browser, site, "edith")
    edith.goto(change)
    edith.locator(".field-intervention .select2-selection").click()
    edith.locator(".select2-search__field").fill("draft dose")
    edith.locator(".select2-results__option", has_text="Naltrexone draft dose").click()
    save(edith, "submit", "The seed names this dose.")

    rita = log_in(browser, site, "rita")
    rita.goto(in_review)
    rita.get_by_role("button", name="Approve this change").click()
    expect(rita.locator(".messagelist")).to_contain_text(
        "It cites or links 1 item readers cannot see yet: intervention “Naltrexone draft dose” "
        "(draft). Approve it first, or choose “Approve with its 1 dependency” to approve the "
        "set in one step."
    )
    assert "Naltrexone draft dose" not in public(browser, site)[0]
    rita.goto(in_review)
    rita.get_by_role("button", name="Approve with its 1 dependency").click()
    expect(rita.locator(".messagelist")).to_contain_text("Approved with its dependencies")

    text, api = public(browser, site)
    assert "Naltrexone draft dose" in text
    assert api["intervention"]["key"] == dose.key
    assert Client().get(f"/api/v1/interventions/{dose.key}/").status_code == 200
    close(edith, rita)


def test_a_reviewer_rejects_a_change_with_a_reason_and_the_editor_reads_it(browser, site):  # noqa: F811
    change, in_review = urls(site)
    eric = log_in(browser, site, "eric")
    eric.goto(change)
    eric.locator("#id_result").fill(ERIC)
    save(eric, "submit", "I read seven in the abstract.")

    rita = log_in(browser, site, "rita")
    rita.goto(in_review)
    rita.get_by_role("button", name="Reject").click()
    expect(rita.locator(".messagelist")).to_contain_text(
        "Give a reason: it is recorded with the decision and shown to the editors."
    )
    rita.goto(in_review)
    rita.locator("#id_reason").fill("The abstract says eight; keep the seed's figure.")
    rita.get_by_role("button", name="Reject").click()
    expect(rita.locator(".messagelist")).to_contain_text("Rejected")

    eric.goto(change.replace("/change/", "/history/"))
    expect(eric.locator("#content-main")).to_contain_text(
        "Rejected by Rita: “The abstract says eight; keep the seed's figure.”"
    )
    text, api = public(browser, site)
    assert OLD in text and ERIC not in text and OLD in api["result"]
    close(eric, rita)
