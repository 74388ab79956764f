"""The admin works in a real browser under its Content-Security-Policy.

An editor signs in through the login form (django-axes sees the request), uses an
autocomplete and previews a summary, and the browser reports no policy violation.
"""

import pytest
from playwright.sync_api import expect

from evidence.choices import ReviewStatus
from tests.factories import make_condition, make_editor, make_source, make_study
from tests.test_browser import allow_orm_beside_playwright, browser, open_page  # noqa: F401

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"


@pytest.fixture
def editor_page(browser, live_server, transactional_db):  # noqa: F811
    page = open_page(browser)
    page.context.set_default_timeout(30_000)  # the admin's scripts on a busy machine
    problems = []
    page.on("console", lambda message: problems.append(message.text))
    # A browser asks for /favicon.ico on its own; the site has none, and that is no error here.
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and problems.append(f"{r.status} {r.url}")
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    page.context.close()


def sign_in(page, site, username):
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("ldnref editors")


def test_an_editor_uses_autocomplete_and_preview_with_no_policy_violation(editor_page, live_server):
    page = editor_page
    editor = make_editor(password=PASSWORD)
    make_source(key="weinstock2020")
    make_study(label="Weinstock 2020", status=ReviewStatus.APPROVED)
    condition = make_condition(name="Psoriasis")
    sign_in(page, live_server.url, editor.username)

    page.goto(f"{live_server.url}/admin/conditions/condition/{condition.pk}/change/")
    # Django's autocomplete (jQuery and Select2 from our static files) fetches and lists.
    page.click(".field-studies .select2-selection")
    page.keyboard.type("Weinst")
    expect(page.locator(".select2-results__option").first).to_contain_text("Weinstock 2020")
    page.keyboard.press("Escape")

    page.fill("#id_clinician_summary", "Itch *fell* [@weinstock2020].")
    with page.context.expect_page() as opened:
        page.click("input[name=_preview]")
    preview = opened.value
    preview.on("console", lambda message: page.problems.append(message.text))
    expect(preview.locator(".ldnref-preview em").first).to_have_text("fell")
    expect(preview.locator(".ldnref-preview sup.cite a").first).to_have_text("1")

    assert page.locator("#id_clinician_summary").input_value() == "Itch *fell* [@weinstock2020]."
    assert [text for text in page.problems if "Content Security Policy" in text] == []
    assert [text for text in page.problems if not text.startswith("Failed to load")] == []
