"""The one Markdown pipeline: Markdown → citation keys resolved to numbered Sources → sanitizer.

Pages, admin preview, API and model validation all go through this module. It is pure: text
in, safe HTML out; callers pass in the Sources it may cite, and nothing here touches the
database. `sanitize_html()` is the only caller of bleach in the project (bleach is end-of-life;
swapping it for nh3 should touch nothing else).
"""

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import bleach
import markdown
from bleach import html5lib_shim
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]  # missing from the stubs
from bleach.sanitizer import BleachSanitizerFilter
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

# ---------------------------------------------------------------- sanitizing

ALLOWED_TAGS = frozenset(
    "p br hr h2 h3 h4 strong em code pre blockquote ul ol li "
    "table thead tbody tr th td a sup span".split()
)
SAFE_URL_SCHEMES = ("http://", "https://", "mailto:")
LINK_PREFIXES = (*SAFE_URL_SCHEMES, "#")
EXTERNAL_REL = "noopener noreferrer"
# What a browser ignores in a URL scheme, and more: controls, whitespace, invisible characters.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f-\xa0\s]+")


def _normalized_url(value: str) -> str:
    return _URL_IGNORED.sub("", html.unescape(value)).lower()


def _allow_link_attribute(tag: str, name: str, value: str) -> bool:
    # Stricter than bleach, which lets scheme-less URLs ("/x", "//evil.example") through as
    # http and does not decode named entities such as &Tab; or &colon; before checking.
    if name == "href":
        return _normalized_url(value).startswith(LINK_PREFIXES)
    return name in ("title", "id", "class", "aria-label")


ALLOWED_ATTRIBUTES: dict[str, list[str] | Callable[[str, str, str], bool]] = {
    "a": _allow_link_attribute,
    "sup": ["id", "class"],
    "span": ["class"],
    "li": ["id"],
    "ol": ["start"],  # sane_lists keeps the number a list starts at
}


class _ExternalLinkRel(Filter):
    """Give every external http(s) link rel="noopener noreferrer" (runs after sanitizing)."""

    def __iter__(self) -> Any:
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                href = token["data"].get((None, "href"), "")
                if _normalized_url(href).startswith(("http://", "https://")):
                    token["data"][(None, "rel")] = EXTERNAL_REL
            yield token


def _cleaner() -> bleach.Cleaner:
    # A Cleaner holds parser state and is not thread-safe, so each call makes its own.
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols={"http", "https", "mailto"},
        strip=True,
        strip_comments=True,
        filters=[_ExternalLinkRel],
    )


def sanitize_html(html_text: str) -> str:
    """Return `html_text` reduced to the allow-list; disallowed tags and comments are stripped."""
    return _cleaner().clean(html_text)


@dataclass(frozen=True)
class Removal:
    """One thing `sanitize_html()` would take out of a text, and the words right after it."""

    kind: str  # "tag", "attribute", "link" (an href) or "comment"
    tag: str = ""  # the element: "script", or the element of an attribute or link
    value: str = ""  # 'onclick=“x()”' for an attribute, the target for a link
    near: str = ""  # the text that follows it (up to 40 characters), to find the place by

    @property
    def what(self) -> str:
        return {
            "tag": f"the tag <{self.tag}>",
            "attribute": f"the attribute {self.value} of <{self.tag}>",
            "link": f"the link target \u201c{self.value}\u201d of <{self.tag}>",
            "comment": "an HTML comment",
        }[self.kind]

    def __str__(self) -> str:
        return f"{self.what} (before \u201c{self.near}\u201d)" if self.near else self.what


def _sanitizer_filter(cleaner: bleach.Cleaner) -> BleachSanitizerFilter:
    """The filter `cleaner.clean()` builds, with the same settings, to ask about one token."""
    return BleachSanitizerFilter(
        source=cast(Any, iter(())),  # tokens are passed to sanitize_token() one by one
        allowed_tags=cleaner.tags,
        attributes=cleaner.attributes,
        strip_disallowed_tags=cleaner.strip,
        strip_html_comments=cleaner.strip_comments,
        css_sanitizer=cleaner.css_sanitizer,
        allowed_protocols=cleaner.protocols,
    )


def _token_removals(token: dict[str, Any], kept: Any, near: str) -> list[Removal]:
    """What the filter took from one tag or comment token (`kept`: what it let through)."""
    if token["type"] == "Comment":
        return [] if kept else [Removal("comment", near=near)]
    name = token["name"]
    if not kept:
        return [Removal("tag", name, near=near)]
    after = kept.get("data") or {}
    removals = []
    for attribute, value in (token.get("data") or {}).items():
        if attribute in after:
            continue
        attribute_name = attribute[1] if isinstance(attribute, tuple) else attribute
        if attribute_name == "href":
            removals.append(Removal("link", name, value, near))
        else:
            removals.append(
                Removal("attribute", name, f"{attribute_name}=\u201c{value}\u201d", near)
            )
    return removals


def removed_by_sanitizer(html_text: str) -> list[Removal]:
    """What `sanitize_html(html_text)` would remove: tags, attributes, link targets, comments.

    Reads the text with the Cleaner's parser class and asks the same sanitizer filter, with the
    same settings, about each tag and comment; reports each one it drops or changes (end tags
    are not repeated; the text inside a removed tag stays, as it does on the page).
    """
    if not html_text:
        return []
    cleaner = _cleaner()
    sanitizer = _sanitizer_filter(cleaner)
    # The Cleaner's own parser drops disallowed tags while it reads; this one keeps every tag,
    # so that the sanitizer filter decides on each.
    parser = html5lib_shim.BleachHTMLParser(
        tags=None, strip=cleaner.strip, consume_entities=False, namespaceHTMLElements=False
    )
    walker: Any = cleaner.walker  # a TreeWalker class (the stubs say an instance)
    tokens: list[dict[str, Any]] = list(walker(parser.parseFragment(html_text)))
    removals: list[Removal] = []
    for index, token in enumerate(tokens):
        if token["type"] not in ("StartTag", "EmptyTag", "Comment"):
            continue
        # A copy: the filter rewrites a token's attributes in place.
        copy = {
            **token,
            "data": dict(token["data"])
            if isinstance(token.get("data"), dict)
            else token.get("data"),
        }
        kept = sanitizer.sanitize_token(copy)
        removals += _token_removals(token, kept, _text_after(tokens, index))
    return removals


def _text_after(tokens: list[dict[str, Any]], index: int, limit: int = 40) -> str:
    text = ""
    for token in tokens[index + 1 :]:
        if token["type"] in ("Characters", "SpaceCharacters"):
            text += token["data"]
        elif text.strip():
            break
        if len(text.strip()) >= limit:
            break
    return " ".join(text.split())[:limit]


# ---------------------------------------------------------------- citation numbering


class Citable(Protocol):
    """What numbering needs of a Source: its citation key."""

    @property
    def key(self) -> str: ...


@dataclass(frozen=True)
class Cite:
    """One place of use of a reference: its number and the back-link anchor id of that place."""

    number: int
    anchor: str

    @property
    def href(self) -> str:
        return f"#ref-{self.number}"


def footnotes_html(cites: Iterable[Cite]) -> SafeString:
    """One superscript of footnote links, "¹,²", as the Markdown citations render them."""
    links = [
        format_html(
            '<a href="{}" id="{}" aria-label="Reference {}">{}</a>',
            cite.href,
            cite.anchor,
            cite.number,
            cite.number,
        )
        for cite in cites
    ]
    if not links:
        return SafeString("")
    return mark_safe(f'<sup class="cite">{",".join(links)}</sup>')  # links are escaped


@dataclass
class Reference:
    """A Source in a page's references list, with the anchors of every place citing it."""

    number: int
    source: Any  # a Source; Any so templates may read its fields
    backlinks: list[str] = field(default_factory=list)
    as_printed: list[Any] = field(default_factory=list)  # the seeds' own reference entries

    @property
    def anchor(self) -> str:
        return f"ref-{self.number}"


class CitationNumbering:
    """Numbers Sources per page in order of first use; prose and structured claims share one."""

    def __init__(self) -> None:
        self._by_key: dict[str, Reference] = {}

    def cite(self, source: Citable) -> Cite:
        """Return the Cite for this use of `source`, numbering it if it is new to the page."""
        reference = self._by_key.get(source.key)
        if reference is None:
            reference = Reference(number=len(self._by_key) + 1, source=source)
            self._by_key[source.key] = reference
        anchor = f"cite-{reference.number}-{len(reference.backlinks) + 1}"
        reference.backlinks.append(anchor)
        return Cite(number=reference.number, anchor=anchor)

    @property
    def references(self) -> list[Reference]:
        """Every cited Source as a Reference, in number order."""
        return list(self._by_key.values())


# ---------------------------------------------------------------- Markdown

# [@key] or [@a; @b]; keys are Source.key slugs.
CITATION_PATTERN = r"\[(@[A-Za-z0-9_-]+(?:\s*;\s*@[A-Za-z0-9_-]+)*)\]"
_PLACEHOLDER = "ldnref-citation"
# Builds the elements that stand for one [@a; @b] group, called in document order.
Resolver = Callable[[list[str]], list[etree.Element]]


class _CitationPattern(InlineProcessor):
    """Stand a placeholder in for each citation; numbering waits for document order."""

    def handleMatch(  # type: ignore[override]  # the stubs give InlineProcessor Pattern's
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        keys = [key.strip().lstrip("@") for key in m.group(1).split(";")]
        placeholder = etree.Element(_PLACEHOLDER, keys=" ".join(keys))
        return placeholder, m.start(0), m.end(0)


class _CitationResolver(Treeprocessor):
    """Replace placeholders, in document order, with what `resolve(keys)` builds."""

    def __init__(self, md: markdown.Markdown, resolve: Resolver) -> None:
        super().__init__(md)
        self.resolve = resolve

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        # Inline processing does not visit elements in document order, so number only now.
        for placeholder in list(root.iter(_PLACEHOLDER)):
            parent = parents[placeholder]
            index = list(parent).index(placeholder)
            elements = self.resolve((placeholder.get("keys") or "").split())
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
    def __init__(self, resolve: Resolver) -> None:
        super().__init__()
        self.resolve = resolve

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown API)
        # After code spans (190) and escapes (180), so `[@key]` and \[@key] stay literal;
        # before reference links (170), which would otherwise read [@key] as a link.
        md.inlinePatterns.register(_CitationPattern(CITATION_PATTERN, md), "citation", 175)
        # After inline processing (20).
        md.treeprocessors.register(_CitationResolver(md, self.resolve), "citation", 15)


def _convert(text: str, resolve: Resolver) -> str:
    md = markdown.Markdown(extensions=["tables", "sane_lists", _Citations(resolve)])
    return md.convert(text)


def _missing(key: str) -> etree.Element:
    span = etree.Element("span", {"class": "citation-missing"})
    span.text = f"[citation missing: {key}]"
    return span


def render_markdown(
    text: str, numbering: CitationNumbering, sources_by_key: Mapping[str, Citable]
) -> SafeString:
    """Return sanitized HTML for Markdown `text`, its [@key] citations numbered by `numbering`.

    `sources_by_key` maps Source.key to Source; nothing here queries the database. An unknown
    key renders as a visible "citation missing" marker.
    """

    def resolve(keys: list[str]) -> list[etree.Element]:
        elements: list[etree.Element] = []
        sup: etree.Element | None = None
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


def citation_keys(text: str) -> list[str]:
    """Return the citation keys `text` uses, in order of first use, each once."""
    keys: list[str] = []

    def collect(group: list[str]) -> list[etree.Element]:
        keys.extend(group)
        return [_missing(key) for key in group]

    _convert(text, collect)
    return list(dict.fromkeys(keys))


def unknown_citation_keys(text: str, known_keys: Collection[str]) -> list[str]:
    """The citation keys `text` uses that are not in `known_keys`, in order of first use."""
    return [key for key in citation_keys(text) if key not in known_keys]


def markdown_removals(text: str) -> list[Removal]:
    """What the sanitizer would remove from Markdown `text` once converted (as pages render it)."""
    return removed_by_sanitizer(_convert(text, lambda keys: [_missing(key) for key in keys]))


def render_preview(text: str, sources_by_key: Mapping[str, Citable]) -> SafeString:
    """Render `text` on its own, as an editor's preview: numbering starts at 1."""
    return render_markdown(text, CitationNumbering(), sources_by_key)


def safe_url(value: str) -> str:
    """`value` if it is an http, https or mailto URL, else "" (so no live link is rendered).

    Every URL a page or the admin renders from the database goes through here: a stored
    `javascript:` or `data:` URL must never become a link.
    """
    normalized = _normalized_url(value or "")
    return value if normalized.startswith(SAFE_URL_SCHEMES) else ""
