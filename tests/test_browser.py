"""What a reader does in a real browser: follow footnotes, use the keyboard, read on a phone, print.

Drives Debian's Chromium through Playwright's sync API against pytest-django's live server,
with the content fixtures loaded. One browser per module, a fresh context per test.
"""

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.factories import load_content

CHROMIUM = "/usr/bin/chromium"
# From /work/shared/RECIPES.md: without the networking flags Chromium keeps calling out.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE_WIDTH = 375

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def allow_orm_beside_playwright():
    """Let the ORM run while Playwright's event loop is alive in this thread.

    Playwright's sync API keeps an asyncio loop running in the test thread, so Django's
    async-safety check refuses load_content and the flush after each live_server test. Nothing
    here is concurrent, so switching the check off for this module only is safe.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(allow_orm_beside_playwright):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, allow_orm_beside_playwright):
    """The live server's URL, with every fixture loaded (live_server implies transactional_db)."""
    load_content()
    return live_server.url


def open_page(browser, width=1280, height=800):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(5_000)
    return context.new_page()


@pytest.fixture
def page(browser):
    page = open_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser):
    page = open_page(browser, width=PHONE_WIDTH, height=740)
    yield page
    page.context.close()


def test_a_reader_follows_a_footnote_to_its_reference_and_back(page, site):
    page.goto(f"{site}/")
    page.get_by_role("link", name="Psoriasis", exact=True).click()
    expect(page).to_have_url(f"{site}/conditions/psoriasis/")

    footnote = page.locator("sup.cite a").filter(visible=True).first
    cite_id = footnote.get_attribute("id")
    ref_id = footnote.get_attribute("href").removeprefix("#")
    assert re.fullmatch(r"ref-\d+", ref_id), ref_id
    assert re.fullmatch(rf"cite-{ref_id.removeprefix('ref-')}-\d+", cite_id), cite_id

    footnote.click()
    reference = page.locator(f"li#{ref_id}")
    expect(page).to_have_url(re.compile(rf"#{ref_id}$"))
    expect(reference).to_be_in_viewport()
    expect(reference).to_be_focused()  # tabindex="-1": the next Tab continues from here
    expect(footnote).not_to_be_in_viewport()

    back = reference.locator(f'.backlinks a[href="#{cite_id}"]')
    expect(back).to_have_text(f"↩{cite_id.rsplit('-', 1)[1]}")
    back.click()
    expect(page).to_have_url(re.compile(rf"#{cite_id}$"))
    expect(footnote).to_be_in_viewport()
    expect(footnote).to_be_focused()

    page.get_by_role("navigation", name="Choose a view").get_by_role(
        "link", name="For patients"
    ).click()
    expect(page).to_have_url(f"{site}/conditions/psoriasis/patient/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Psoriasis")
    expect(heading).to_contain_text("plain language")


def test_the_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_main(page, site):
    page.goto(f"{site}/conditions/psoriasis/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # off-screen until focused, then shown

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#main$"))


def test_footnotes_are_reachable_and_followable_with_the_keyboard(page, site):
    page.goto(f"{site}/conditions/psoriasis/")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('sup.cite a')"):
            break
    else:
        pytest.fail("200 presses of Tab never focused a footnote link")

    ref_id = page.evaluate("document.activeElement.getAttribute('href')").removeprefix("#")
    page.keyboard.press("Enter")
    reference = page.locator(f"li#{ref_id}")
    expect(reference).to_be_focused()
    expect(reference).to_be_in_viewport()


@pytest.mark.parametrize("path", ["/", "/conditions/psoriasis/", "/conditions/psoriasis/patient/"])
def test_pages_do_not_scroll_sideways_on_a_375_px_phone(phone, site, path):
    phone.goto(f"{site}{path}")
    # Wide tables may scroll inside their .table-wrap; the page itself must not.
    scroll_width = phone.evaluate("document.scrollingElement.scrollWidth")
    overflowing = phone.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter((el) => !el.closest('.table-wrap, .skip-link'))
            .filter((el) => el.getBoundingClientRect().right > width + 1)
            .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
            .slice(0, 5)""",
        PHONE_WIDTH,
    )
    assert scroll_width <= PHONE_WIDTH + 1, f"{scroll_width}px wide; too wide: {overflowing}"


def test_printing_hides_the_navigation_and_keeps_the_references(page, site):
    page.goto(f"{site}/conditions/psoriasis/")
    main_nav = page.locator("nav[aria-label='Main']")
    references = page.locator("section.references")
    expect(main_nav).to_be_visible()  # so that to_be_hidden below cannot pass vacuously

    page.emulate_media(media="print")
    expect(main_nav).to_be_hidden()
    expect(page.locator("nav.view-switch")).to_be_hidden()
    expect(references).to_be_visible()
    expect(references.locator("li[id^='ref-']").first).to_be_visible()
    # Folded sections print open.
    expect(page.locator("section.section-evidence table").first).to_be_visible()


MAX_CLINICIAN_HEIGHT = 5_000  # px at 1280 px wide (issue 15, item 7; about 9,300 before)


def test_the_psoriasis_clinician_page_fits_in_five_thousand_pixels_at_1280(page, site):
    page.goto(f"{site}/conditions/psoriasis/")
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"/conditions/psoriasis/ is {height} px tall at 1280 px")
    assert height <= MAX_CLINICIAN_HEIGHT
    # Nothing removed: every folded section is still on the page, under its heading.
    for title in ("Summary of findings", "Evidence table", "Where sources disagree"):
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


FIRST_SCREENS = [(1366, 768), (390, 844)]


@pytest.mark.parametrize(("width", "height"), FIRST_SCREENS)
@pytest.mark.parametrize(
    ("slug", "route", "dose"),
    [
        ("psoriasis", "oral", "4.5 mg"),
        ("atopic-dermatitis", "topical", "Not reported"),
    ],
)
def test_the_first_screen_answers_with_the_best_evidence_route_first(
    browser, site, width, height, slug, route, dose
):
    page = open_page(browser, width=width, height=height)
    try:
        page.goto(f"{site}/conditions/{slug}/")
        answer = page.locator("section.answer")
        for part in ("verdict", "grade", "best-evidence", "certainty", "regimen"):
            expect(answer.locator(f'[data-derived="{part}"]').first).to_be_in_viewport(ratio=1)
        expect(answer.locator("dt").first).to_contain_text(f"({route})")
        expect(answer.locator('[data-derived="regimen"]')).to_contain_text(dose)
    finally:
        page.context.close()


def test_a_footnote_into_a_folded_section_opens_it(page, site):
    page.goto(f"{site}/conditions/psoriasis/")
    evidence = page.locator("section.section-evidence details.fold")
    expect(evidence).not_to_have_attribute("open", "")
    link = evidence.locator("a[id^='claim-'], [id^='claim-']").first
    target = link.get_attribute("id")
    page.goto(f"{site}/conditions/psoriasis/#{target}")
    expect(evidence).to_have_attribute("open", "")
    expect(page.locator(f"#{target}")).to_be_in_viewport()


def test_each_check_badge_is_shown_in_full_once_per_page(page, site):
    page.goto(f"{site}/conditions/psoriasis/")
    full = page.locator(".check-badge:not(.check-badge-repeat)")
    keys = [full.nth(i).get_attribute("data-check") for i in range(full.count())]
    assert keys and len(keys) == len(set(keys)), keys


def test_the_api_docs_render_offline_under_their_csp(browser, site):
    page = open_page(browser)
    blocked = []
    page.on("console", lambda message: blocked.append(message.text))
    external = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(site) else external.append(request.url),
    )
    page.set_default_timeout(30_000)  # Swagger UI's bundle is 1.5 MB from the test server
    page.goto(f"{site}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ldnref API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert "/api/v1/conditions/{slug}/fhir/" in page.content()
    assert not [text for text in blocked if "Content Security Policy" in text], blocked
    assert external == []
