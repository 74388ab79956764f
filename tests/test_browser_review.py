"""The review workflow in a real browser: an edit waits for review, the two-person rule holds,
an approval publishes it and lists it under Changes, and a revert is reviewed too.

Runs on SQLite and on PostgreSQL (CI runs every browser test on both).
"""

import re

import pytest
from playwright.sync_api import expect

from evidence import workflow
from evidence.models import Study
from revisions import snapshots
from tests.factories import make_staff
from tests.test_browser import allow_orm_beside_playwright, browser, open_page  # noqa: F401

pytestmark = pytest.mark.browser

STUDY = "weinstock2020-case-series"
OLD = "8 of 15 (53%) reported marked improvement"
NEW = "Corrected in review: 9 of 15 reported marked improvement."
PASSWORD = "a long test passphrase"
# Each step is a form post and a page load; on a busy machine one can take several seconds.
STEP_TIMEOUT = 20_000


@pytest.fixture
def site(live_server, allow_orm_beside_playwright):  # noqa: F811
    from tests.factories import load_content

    load_content()
    return live_server.url


def new_page(browser):  # noqa: F811
    page = open_page(browser)
    page.context.set_default_timeout(STEP_TIMEOUT)
    return page


def log_in(browser, site, username):  # noqa: F811
    page = new_page(browser)
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Evidence and conditions")).to_be_visible()
    return page


def reader_sees(browser, site, text):  # noqa: F811
    """What a reader arriving now sees: a new browser, so no copy the browser cached earlier
    (anonymous pages may be cached for max-age) stands in for the server's answer."""
    page = new_page(browser)
    try:
        page.goto(f"{site}/studies/{STUDY}/")
        return text in page.locator("main").inner_text()
    finally:
        page.context.close()


def make_team():
    edith = make_staff(
        "Editors", "Reviewers", username="edith", password=PASSWORD, first_name="Edith"
    )
    rita = make_staff(
        "Reviewers", username="rita", password=PASSWORD, first_name="Rita", last_name="Roe"
    )
    return edith, rita


def test_an_edit_waits_for_a_second_person_then_shows_under_changes(browser, site):  # noqa: F811
    make_team()
    study = Study.objects.get(key=STUDY)
    change_url = f"{site}/admin/evidence/study/{study.pk}/change/"
    in_review_url = f"{site}/admin/evidence/study/{study.pk}/in-review/"

    # 1. The editor changes the reported result and submits it; readers still see the old text.
    editor = log_in(browser, site, "edith")
    editor.goto(change_url)
    editor.locator("#id_result").fill(NEW)
    editor.locator("#id_review_action").select_option("submit")
    editor.locator("#id_review_reason").fill("The paper reports nine.")
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".messagelist")).to_contain_text("waiting for review")
    assert reader_sees(browser, site, OLD) and not reader_sees(browser, site, NEW)

    # 2. The same person cannot approve it, even holding the reviewer role.
    editor.goto(in_review_url)
    expect(editor.locator("table.revision-diff")).to_contain_text(NEW)
    # The page offers them no approval and says why.
    expect(editor.get_by_role("button", name="Approve this change")).to_have_count(0)
    expect(editor.locator(".submit-row")).to_contain_text("two-person rule")
    assert not reader_sees(browser, site, NEW)

    # 3. A reviewer approves: the page shows the new text and the Changes list says so.
    reviewer = log_in(browser, site, "rita")
    reviewer.goto(in_review_url)
    reviewer.get_by_role("button", name="Approve this change").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("Approved")
    assert reader_sees(browser, site, NEW) and not reader_sees(browser, site, OLD)
    reader = new_page(browser)
    reader.goto(f"{site}/studies/{STUDY}/")
    expect(reader.locator(".review")).to_contain_text("by Rita Roe")
    reader.goto(f"{site}/conditions/psoriasis/")
    changes = reader.locator("section.section-changes")
    expect(changes).to_contain_text("Weinstock 2020")
    expect(changes).to_contain_text(
        "Changed the result. Why: The paper reports nine. Approved by Rita Roe."
    )
    for page in (editor, reviewer, reader):
        page.context.close()


def test_a_revert_to_an_earlier_version_waits_for_review_too(browser, site):  # noqa: F811
    # The approved correction of the test above, made here through the workflow itself.
    edith, rita = make_team()
    study = Study.objects.get(key=STUDY)
    data = snapshots.snapshot(study)
    data["fields"]["result"] = NEW
    workflow.propose(study, data, by=edith, submit=True)
    workflow.approve([study], by=rita)
    assert reader_sees(browser, site, NEW)

    # The editor reverts to the earlier version; it waits for review, then restores the text.
    editor = log_in(browser, site, "edith")
    editor.goto(f"{site}/admin/evidence/study/{study.pk}/history/")
    editor.get_by_role("link", name=re.compile("Compare with now")).last.click()
    expect(editor.locator("table.revision-diff")).to_contain_text(OLD)
    editor.get_by_role("button", name="Revert to this version").click()
    expect(editor.locator(".messagelist")).to_contain_text("waiting for review")
    assert reader_sees(browser, site, NEW)
    reviewer = log_in(browser, site, "rita")
    reviewer.goto(f"{site}/admin/evidence/study/{study.pk}/in-review/")
    reviewer.get_by_role("button", name="Approve this change").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("Approved")
    assert reader_sees(browser, site, OLD) and not reader_sees(browser, site, NEW)
    for page in (editor, reviewer):
        page.context.close()
