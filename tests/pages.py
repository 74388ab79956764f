"""Reading the site's pages in tests: a small standard-library HTML reader and a crawler.

Shared by the page, patient-view, export and accessibility tests.
"""

import re
from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from conditions.models import Condition
from evidence.models import Claim, Mechanism, Source, Study
from tests.factories import load_content

# ---------------------------------------------------------------- reading HTML

VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())
# Elements a reader sees as separate blocks: their text never runs into the next one's.
BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote br caption dd details div dl dt figcaption footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th "
    "thead tr ul".split()
)


class Element:
    """One element of a parsed page. `children` holds Elements and text strings."""

    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self, tag=None, class_=None):
        """This element and every element inside it in document order, optionally filtered."""
        if (tag is None or self.tag == tag) and (class_ is None or class_ in self.classes):
            yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter(tag, class_)

    def find(self, tag=None, class_=None, **attrs):
        """The first element matching tag, class and exact attribute values, or None."""
        for element in self.iter(tag, class_):
            if all(element.attrs.get(name) == value for name, value in attrs.items()):
                return element
        return None

    def text(self, skip=()):
        """The text as read, whitespace collapsed, leaving out elements whose tag or class is in
        `skip`."""
        parts = []

        def walk(element):
            for child in element.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in skip and not set(child.classes) & set(skip):
                    block = child.tag in BLOCK_ELEMENTS
                    parts.append(" " if block else "")
                    walk(child)
                    parts.append(" " if block else "")

        walk(self)
        return " ".join("".join(parts).split())

    def section(self, heading):
        """The <section> whose own heading is `heading`, or else the first whose heading
        starts with it ("Summary" finds "Summary", not "Summary of findings")."""
        found = []
        for section in self.iter("section"):
            title = next((e for e in section.iter() if e.tag in ("h2", "h3")), None)
            if title is not None and title.text().startswith(heading):
                if title.text() == heading:
                    return section
                found.append(section)
        if found:
            return found[0]
        raise AssertionError(f"no section headed {heading!r}")

    def ids(self):
        return [element.attrs["id"] for element in self.iter() if element.attrs.get("id")]

    def hrefs(self):
        return [element.attrs["href"] for element in self.iter("a") if "href" in element.attrs]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [])
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.open[-1])
        self.open[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(Element(tag, attrs, self.open[-1]))

    def handle_endtag(self, tag):
        # Close the nearest open element of this kind; a stray end tag changes nothing.
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse_html(html):
    """The document tree of `html` (a str or bytes in UTF-8)."""
    if isinstance(html, bytes):
        html = html.decode()
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def footnotes(document):
    """The citation links of a page in document order, as (reference number, anchor id)."""
    found = []
    for link in document.iter("a"):
        match = re.fullmatch(r"#ref-(\d+)", link.attrs.get("href", ""))
        if match:
            found.append((int(match.group(1)), link.attrs.get("id", "")))
    return found


def references(document):
    """The reference list items of a page by number."""
    items = {}
    for item in document.iter("li"):
        match = re.fullmatch(r"ref-(\d+)", item.attrs.get("id", ""))
        if match:
            items[int(match.group(1))] = item
    return items


def listed_sources(document):
    """{source key: its entry} for every entry of a page's reference list."""
    listed = {}
    for item in references(document).values():
        for href in item.hrefs():
            match = re.fullmatch(r"/sources/([\w-]+)/", href)
            if match:
                listed[match.group(1)] = item
    return listed


def get_page(client, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, path
    return parse_html(response.content)


# ---------------------------------------------------------------- data


def is_local(href):
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and parts.path.startswith("/")


def crawl(client, start):
    """Every site page reachable from the `start` paths: {path: response}."""
    pages, queue = {}, list(start)
    while queue:
        path = queue.pop(0)
        if path in pages:
            continue
        response = pages[path] = client.get(path)
        if response.status_code != HTTPStatus.OK or "text/html" not in response["Content-Type"]:
            continue
        for href in parse_html(response.content).hrefs():
            target = urlsplit(href).path
            if is_local(href) and not target.startswith(("/static/", "/admin/")):
                queue.append(target)
    return pages


def every_public_path():
    paths = ["/", "/ldn/", "/studies/", "/mechanisms/", "/methods/"]
    for condition in Condition.objects.published():
        paths += [f"/conditions/{condition.slug}/", f"/conditions/{condition.slug}/patient/"]
    paths += [study.get_absolute_url() for study in Study.objects.published()]
    paths += [source.get_absolute_url() for source in Source.objects.published()]
    paths += [mechanism.get_absolute_url() for mechanism in Mechanism.objects.published()]
    paths += [claim.get_absolute_url() for claim in Claim.objects.published()]
    return paths


def assert_test_database():
    name = str(connection.settings_dict["NAME"])
    if "memory" not in name and "test" not in name:
        pytest.fail(f"refusing to load fixtures into {name}: not a test database")


_rendered_site = {}


def render_site(django_db_blocker):
    """Every page of the site built from the fixtures: {path: response}, to be read only.

    The fixtures are loaded in a transaction that is rolled back once the pages are rendered.
    The pages depend only on the fixtures and the code, so they are rendered once per test
    process and shared by every module that reads the whole site (a crawl costs seconds).
    """
    if not _rendered_site:
        with django_db_blocker.unblock(), transaction.atomic():
            assert_test_database()
            load_content()
            _rendered_site.update(crawl(Client(), every_public_path()))
            transaction.set_rollback(True)
        cache.clear()
    return _rendered_site
