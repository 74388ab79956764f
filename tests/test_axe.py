"""Every page type passes axe-core with no violations, at 1280 px and on a 375 px phone.

axe-core is a test-only tool from node_modules/ (pinned in package.json, installed by
.ci/install-axe). Our CSP rightly refuses injected script, so the browser context bypasses it
for these tests only. One browser and one load of the fixtures per width; each page is
visited once per width.
"""

from http import HTTPStatus

import pytest
from django.urls import NoReverseMatch, reverse

from conditions.models import Condition
from evidence.models import Claim, Mechanism, Source, Study
from tests.conftest import AXE
from tests.factories import load_content
from tests.test_browser import allow_orm_beside_playwright, browser  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.axe]

WIDTHS = {"1280 px": (1280, 800), "375 px phone": (375, 740)}


def page_types():
    """{page type: path}: one page of every kind the site serves, from the loaded content."""
    condition = Condition.objects.published().get(slug="psoriasis")
    paths = {
        "home": "/",
        "condition (clinicians)": condition.get_absolute_url(),
        "condition (patients)": f"{condition.get_absolute_url()}patient/",
        "study list": "/studies/",
        "study": Study.objects.published().first().get_absolute_url(),
        "claim": Claim.objects.published().first().get_absolute_url(),
        "source": Source.objects.published().first().get_absolute_url(),
        "sources index": reverse("evidence:source-list"),
        "mechanism list": "/mechanisms/",
        "mechanism": Mechanism.objects.published().first().get_absolute_url(),
        "methods": "/methods/",
        "not found": "/conditions/no-such-condition/",
        "admin login": reverse("admin:login"),
    }
    try:  # the "LDN in general" page, where this branch has it
        paths["LDN in general"] = reverse("conditions:general")
    except NoReverseMatch:
        pass
    return paths


def violations(page):
    """axe-core's violations on the page as shown now, one readable line each."""
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['html'][:160]}" for v in found
    ]


# Two halves, so that neither test takes long; together they cover every page type.
READING_PAGES = {"home", "condition (clinicians)", "condition (patients)", "LDN in general"}


def test_the_halves_cover_every_page_type(content):
    assert READING_PAGES < set(page_types())


@pytest.mark.parametrize("half", ["reading pages", "reference pages"])
def test_every_page_type_has_no_axe_violations_at_1280_and_375_px(browser, live_server, half):  # noqa: F811
    """Each page is loaded once at 1280 px and checked, then narrowed to a phone's width (the
    phone layout's media queries apply) and checked again: one axe injection per page."""
    load_content()
    pages = {
        name: path
        for name, path in page_types().items()
        if (name in READING_PAGES) == (half == "reading pages")
    }
    wide, tall = WIDTHS["1280 px"]
    context = browser.new_context(viewport={"width": wide, "height": tall}, bypass_csp=True)
    context.set_default_timeout(10_000)
    found = {}
    try:
        page = context.new_page()
        for name, path in pages.items():
            response = page.goto(f"{live_server.url}{path}")
            status = HTTPStatus.NOT_FOUND if name == "not found" else HTTPStatus.OK
            assert response.status == status, path
            page.add_script_tag(path=str(AXE))
            for width, size in WIDTHS.items():
                page.set_viewport_size({"width": size[0], "height": size[1]})
                assert page.evaluate("window.innerWidth") == size[0]
                if problems := violations(page):
                    found[f"{name} {path} at {width}"] = problems
            page.set_viewport_size({"width": wide, "height": tall})
    finally:
        context.close()
    report = "\n".join(f"{page}:\n  " + "\n  ".join(v) for page, v in found.items())
    assert not found, f"axe-core violations:\n{report}"
