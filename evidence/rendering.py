"""The one Markdown pipeline: Markdown → citation keys resolved to numbered Sources → sanitizer.

Pages, admin preview, API and model validation all go through this module. `sanitize_html()`
is the only caller of bleach in the project (bleach is end-of-life; swapping it for nh3 should
touch nothing else).
"""

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import bleach
import markdown
from bleach.html5lib_shim import Filter
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

# ---------------------------------------------------------------- sanitizing

ALLOWED_TAGS = frozenset(
    "p br hr h2 h3 h4 strong em code pre blockquote ul ol li "
    "table thead tbody tr th td a sup span".split()
)
LINK_PREFIXES = ("http://", "https://", "mailto:", "#")
EXTERNAL_REL = "noopener noreferrer"
# What a browser ignores in a URL scheme, and more: controls, whitespace, invisible characters.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f-\xa0\s]+")


def _normalized_url(value):
    return _URL_IGNORED.sub("", html.unescape(value)).lower()


def _allow_link_attribute(tag, name, value):
    # Stricter than bleach, which lets scheme-less URLs ("/x", "//evil.example") through as
    # http and does not decode named entities such as &Tab; or &colon; before checking.
    if name == "href":
        return _normalized_url(value).startswith(LINK_PREFIXES)
    return name in ("title", "id", "class", "aria-label")


ALLOWED_ATTRIBUTES = {
    "a": _allow_link_attribute,
    "sup": ["id", "class"],
    "span": ["class"],
    "li": ["id"],
    "ol": ["start"],  # sane_lists keeps the number a list starts at
}


class _ExternalLinkRel(Filter):
    """Give every external http(s) link rel="noopener noreferrer" (runs after sanitizing)."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                href = token["data"].get((None, "href"), "")
                if _normalized_url(href).startswith(("http://", "https://")):
                    token["data"][(None, "rel")] = EXTERNAL_REL
            yield token


def sanitize_html(html_text):
    """Return `html_text` reduced to the allow-list; disallowed tags and comments are stripped."""
    # A Cleaner holds parser state and is not thread-safe, so each call makes its own.
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols={"http", "https", "mailto"},
        strip=True,
        strip_comments=True,
        filters=[_ExternalLinkRel],
    )
    return cleaner.clean(html_text)


# ---------------------------------------------------------------- citation numbering


@dataclass(frozen=True)
class Cite:
    """One place of use of a reference: its number and the back-link anchor id of that place."""

    number: int
    anchor: str

    @property
    def href(self):
        return f"#ref-{self.number}"


@dataclass
class Reference:
    """A Source in a page's references list, with the anchors of every place citing it."""

    number: int
    source: object
    backlinks: list = field(default_factory=list)

    @property
    def anchor(self):
        return f"ref-{self.number}"


class CitationNumbering:
    """Numbers Sources per page in order of first use; prose and structured claims share one."""

    def __init__(self):
        self._by_key = {}

    def cite(self, source):
        """Return the Cite for this use of `source`, numbering it if it is new to the page."""
        reference = self._by_key.get(source.key)
        if reference is None:
            reference = Reference(number=len(self._by_key) + 1, source=source)
            self._by_key[source.key] = reference
        anchor = f"cite-{reference.number}-{len(reference.backlinks) + 1}"
        reference.backlinks.append(anchor)
        return Cite(number=reference.number, anchor=anchor)

    @property
    def references(self):
        """Every cited Source as a Reference, in number order."""
        return list(self._by_key.values())


# ---------------------------------------------------------------- Markdown

# [@key] or [@a; @b]; keys are Source.key slugs.
CITATION_PATTERN = r"\[(@[A-Za-z0-9_-]+(?:\s*;\s*@[A-Za-z0-9_-]+)*)\]"
_PLACEHOLDER = "ldnref-citation"


class _CitationPattern(InlineProcessor):
    """Stand a placeholder in for each citation; numbering waits for document order."""

    def handleMatch(self, m, data):
        keys = [key.strip().lstrip("@") for key in m.group(1).split(";")]
        placeholder = etree.Element(_PLACEHOLDER, keys=" ".join(keys))
        return placeholder, m.start(0), m.end(0)


class _CitationResolver(Treeprocessor):
    """Replace placeholders, in document order, with what `resolve(keys)` builds."""

    def __init__(self, md, resolve):
        super().__init__(md)
        self.resolve = resolve

    def run(self, root):
        parents = {child: parent for parent in root.iter() for child in parent}
        # Inline processing does not visit elements in document order, so number only now.
        for placeholder in list(root.iter(_PLACEHOLDER)):
            parent = parents[placeholder]
            index = list(parent).index(placeholder)
            elements = self.resolve(placeholder.get("keys").split())
            # A footnote sits against the word it follows: "itch [@a]" renders "itch¹".
            if elements[0].tag == "sup":
                if index == 0:
                    parent.text = (parent.text or "").rstrip()
                else:
                    parent[index - 1].tail = (parent[index - 1].tail or "").rstrip()
            elements[-1].tail = placeholder.tail
            parent.remove(placeholder)
            for offset, element in enumerate(elements):
                parent.insert(index + offset, element)


class _Citations(Extension):
    def __init__(self, resolve):
        super().__init__()
        self.resolve = resolve

    def extendMarkdown(self, md):
        # After code spans (190) and escapes (180), so `[@key]` and \[@key] stay literal;
        # before reference links (170), which would otherwise read [@key] as a link.
        md.inlinePatterns.register(_CitationPattern(CITATION_PATTERN, md), "citation", 175)
        # After inline processing (20).
        md.treeprocessors.register(_CitationResolver(md, self.resolve), "citation", 15)


def _convert(text, resolve):
    md = markdown.Markdown(extensions=["tables", "sane_lists", _Citations(resolve)])
    return md.convert(text)


def _missing(key):
    span = etree.Element("span", {"class": "citation-missing"})
    span.text = f"[citation missing: {key}]"
    return span


def render_markdown(text, numbering, sources_by_key):
    """Return sanitized HTML for Markdown `text`, its [@key] citations numbered by `numbering`.

    `sources_by_key` maps Source.key to Source; nothing here queries the database. An unknown
    key renders as a visible "citation missing" marker.
    """

    def resolve(keys):
        elements, sup = [], None
        for key in keys:
            source = sources_by_key.get(key)
            if source is None:
                elements.append(_missing(key))
                sup = None
                continue
            if sup is None:
                sup = etree.Element("sup", {"class": "cite"})
                elements.append(sup)
            else:
                sup[-1].tail = ","
            cite = numbering.cite(source)
            link = etree.SubElement(
                sup,
                "a",
                {"href": cite.href, "id": cite.anchor, "aria-label": f"Reference {cite.number}"},
            )
            link.text = str(cite.number)
        return elements

    return mark_safe(sanitize_html(_convert(text, resolve)))


def citation_keys(text):
    """Return the citation keys `text` uses, in order of first use, each once."""
    keys = []

    def collect(group):
        keys.extend(group)
        return [_missing(key) for key in group]

    _convert(text, collect)
    return list(dict.fromkeys(keys))


def validate_citation_keys(text):
    """Raise ValidationError naming every key in `text` that is no Source's key (one query)."""
    from .models import Source  # models import this module

    keys = citation_keys(text)
    if not keys:
        return
    known = set(Source.objects.filter(key__in=keys).values_list("key", flat=True))
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ValidationError(
            "Unknown citation key(s): %(keys)s",
            code="unknown_citation_key",
            params={"keys": ", ".join(unknown)},
        )


def validate_citation_fields(instance, *field_names):
    """Raise one ValidationError, keyed by field, for the named Markdown fields of `instance`."""
    errors = {}
    for name in field_names:
        try:
            validate_citation_keys(getattr(instance, name))
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)


def render_preview(text):
    """Render `text` on its own, as an editor's preview: numbering starts at 1 (one query)."""
    from .models import Source  # models import this module

    keys = citation_keys(text)
    sources = {s.key: s for s in Source.objects.filter(key__in=keys)} if keys else {}
    return render_markdown(text, CitationNumbering(), sources)
