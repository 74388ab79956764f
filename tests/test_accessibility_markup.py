"""Markup every page shares: landmarks, one h1, a skip link, captioned tables, no inline code,
no third-party resources, and text colours that meet WCAG AA contrast."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client, override_settings

from tests.pages import parse_html, render_site

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "site.css"
# Elements that make the browser fetch something, and the attribute naming what.
RESOURCE_ATTRIBUTES = {
    "link": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "embed": "src",
    "object": "data",
}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    """{path: document} for every page of the site, plus the page-not-found page."""
    documents = {
        path: parse_html(response.content)
        for path, response in render_site(django_db_blocker).items()
        if "text/html" in response["Content-Type"]
    }
    with django_db_blocker.unblock(), override_settings(DEBUG=False):
        documents["(page not found)"] = parse_html(Client().get("/no-such-page/").content)
    return documents


def offenders(pages, problem):
    """{path: what is wrong} for the pages where `problem(document)` finds something."""
    found = {path: problem(document) for path, document in pages.items()}
    return {path: wrong for path, wrong in found.items() if wrong}


def test_every_page_type_is_checked(pages):
    patterns = [
        r"/",
        r"/conditions/[\w-]+/",
        r"/conditions/[\w-]+/patient/",
        r"/studies/",
        r"/studies/[a-z][\w-]+/",
        r"/claims/[\w-]+/",
        r"/sources/[\w-]+/",
        r"/mechanisms/",
        r"/mechanisms/[\w-]+/",
        r"/methods/",
        r"\(page not found\)",
    ]
    for pattern in patterns:
        assert any(re.fullmatch(pattern, path) for path in pages), pattern


def test_every_page_has_exactly_one_h1(pages):
    def problem(document):
        count = len(list(document.iter("h1")))
        return count != 1 and f"{count} h1 elements"

    assert not offenders(pages, problem)


def test_every_page_has_the_landmarks(pages):
    def problem(document):
        missing = [tag for tag in ("header", "nav", "main", "footer") if not document.find(tag)]
        mains = len(list(document.iter("main")))
        return missing or (mains != 1 and f"{mains} main elements")

    assert not offenders(pages, problem)


def test_several_navigation_landmarks_are_told_apart_by_their_labels(pages):
    def problem(document):
        labels = [nav.attrs.get("aria-label") for nav in document.iter("nav")]
        return len(labels) > 1 and (None in labels or len(set(labels)) != len(labels)) and labels

    assert not offenders(pages, problem)


def test_the_first_link_on_every_page_skips_to_the_main_content(pages):
    def problem(document):
        first = document.find("a")
        main = document.find("main")
        if first is None or first.attrs.get("href") != "#main":
            return f"first link is {first}"
        return main.attrs.get("id") != "main" and "main has no id 'main'"

    assert not offenders(pages, problem)


def test_every_page_is_marked_as_english(pages):
    assert not offenders(pages, lambda document: document.find("html").attrs.get("lang") != "en")


def test_no_page_has_inline_scripts_or_styles(pages):
    def problem(document):
        # A JSON-LD data block (structured data) is not a script: browsers never run it.
        inline = [
            element.tag
            for element in document.iter("script")
            if "src" not in element.attrs and element.attrs.get("type") != "application/ld+json"
        ]
        inline += ["<style>" for _ in document.iter("style")]
        inline += [f"style= on <{e.tag}>" for e in document.iter() if "style" in e.attrs]
        inline += [
            f"{name}= on <{element.tag}>"
            for element in document.iter()
            for name in element.attrs
            if name.startswith("on")
        ]
        return inline

    assert not offenders(pages, problem)


def test_no_page_loads_anything_from_another_site(pages):
    def problem(document):
        external = []
        for tag, attribute in RESOURCE_ATTRIBUTES.items():
            for element in document.iter(tag):
                url = element.attrs.get(attribute) or ""
                if re.match(r"([a-z][a-z0-9+.-]*:|//)", url, re.IGNORECASE):
                    external.append(url)
        return external

    assert not offenders(pages, problem)


def test_every_table_has_a_caption_and_scoped_header_cells(pages):
    def problem(document):
        wrong = []
        for table in document.iter("table"):
            caption = table.find("caption")
            if caption is None or not caption.text():
                wrong.append("table without a caption")
            headers = list(table.iter("th"))
            if not headers:
                wrong.append("table without header cells")
            scopes = {th.attrs.get("scope") for th in headers}
            if not scopes <= {"col", "row", "colgroup", "rowgroup"}:
                wrong.append(f"th scopes {scopes}")
        return wrong

    checked = [table for document in pages.values() for table in document.iter("table")]
    assert len(checked) >= 5  # the condition, study list and methods tables
    assert not offenders(pages, problem)


def _static_path(href):
    assert href.startswith(settings.STATIC_URL) or href.startswith("/" + settings.STATIC_URL), href
    return href.split(settings.STATIC_URL, 1)[1]


def test_every_page_links_the_print_stylesheet_for_print_only(pages):
    def problem(document):
        sheets = [e for e in document.iter("link") if e.attrs.get("rel") == "stylesheet"]
        screen = [e for e in sheets if e.attrs.get("media") in (None, "all", "screen")]
        printed = [e for e in sheets if e.attrs.get("media") == "print"]
        if len(printed) != 1 or not screen:
            return f"{len(screen)} screen and {len(printed)} print stylesheets"
        missing = [
            e.attrs["href"] for e in sheets if not finders.find(_static_path(e.attrs["href"]))
        ]
        return missing and f"stylesheets not found: {missing}"

    assert not offenders(pages, problem)


def test_headings_never_skip_a_level(pages):
    def problem(document):
        levels = [int(e.tag[1]) for e in document.iter() if re.fullmatch(r"h[1-6]", e.tag)]
        return [
            f"h{before} then h{after}"
            for before, after in zip(levels, levels[1:], strict=False)
            if after > before + 1
        ]

    assert not offenders(pages, problem)


def test_the_server_error_page_stands_alone_and_follows_the_same_rules():
    document = parse_html(render_to_string("500.html"))
    assert document.find("html").attrs.get("lang") == "en"
    assert len(list(document.iter("h1"))) == 1
    assert document.find("main") is not None
    assert document.find("script") is None and document.find("style") is None
    assert not [e for e in document.iter() if "style" in e.attrs]
    for link in document.iter("link"):
        assert finders.find(_static_path(link.attrs["href"])), link
    assert "/" in document.hrefs()


# ---------------------------------------------------------------- colour contrast


def _hex(value):
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(digit * 2 for digit in value)
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def relative_luminance(colour):
    """WCAG 2.x relative luminance of a "#rrggbb" or "#rgb" sRGB colour."""

    def linear(channel):
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in _hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b):
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_gives_the_known_ratios():
    assert contrast_ratio("#000", "#fff") == pytest.approx(21)
    assert contrast_ratio("#fff", "#fff") == pytest.approx(1)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # fails AA


@pytest.fixture
def css():
    return CSS.read_text()


@pytest.fixture
def palette(css):
    root = re.search(r":root\s*\{([^}]*)\}", css).group(1)
    return dict(re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\b", root))


TEXT_COLOURS = ["ink", "muted", "link", "warn"]


@pytest.mark.parametrize("text", TEXT_COLOURS)
def test_text_colours_meet_wcag_aa_on_white_and_on_panels(palette, text):
    for background in ("#ffffff", palette["panel"]):
        ratio = contrast_ratio(palette[text], background)
        assert ratio >= 4.5, f"--{text} {palette[text]} on {background}: {ratio:.2f}"


def test_text_stays_readable_on_the_highlight_of_a_followed_link(css, palette):
    highlights = set(re.findall(r":target\s*\{[^}]*background:\s*(#[0-9a-fA-F]{3,6})", css))
    assert highlights
    for background in highlights:
        for text in TEXT_COLOURS:
            assert contrast_ratio(palette[text], background) >= 4.5, (text, background)


def test_the_current_view_button_is_readable(palette):
    # .view-switch a[aria-current="page"]: white text on the link colour.
    assert contrast_ratio("#ffffff", palette["link"]) >= 4.5


def test_the_focus_outline_stands_out_from_the_backgrounds(palette):
    # WCAG 2.x 1.4.11: 3:1 for the parts of a control needed to see its state.
    for background in ("#ffffff", palette["panel"]):
        assert contrast_ratio(palette["focus"], background) >= 3, background
