"""XSS corpus against `sanitize_html()` alone, so replacing bleach is a one-file change.

Every output is also parsed back and checked against the allow-list a browser would see:
allowed tags only, no `on*` or `style` attributes, links only to http(s), mailto or `#`.
"""

import html
import re
from html.parser import HTMLParser

import pytest

from evidence.rendering import CitationNumbering, render_markdown, sanitize_html

ALLOWED_TAGS = {
    *("p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote"),
    *("ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a", "sup", "span"),
}
SAFE_LINK = ("http://", "https://", "mailto:", "#")


class Elements(HTMLParser):
    """Tags with their (unescaped) attributes, and comments, as a browser would read them."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.tags, self.comments = [], []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)


def assert_within_allow_list(output):
    elements = Elements(output)
    assert not elements.comments
    for tag, attrs in elements.tags:
        assert tag in ALLOWED_TAGS, output
        for name, value in attrs:
            assert not name.startswith("on"), output
            assert name != "style", output
            if name == "href":
                # Browsers drop tabs, newlines and leading controls from URLs.
                url = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert url.startswith(SAFE_LINK), output


# (input, text that must be gone after unescaping, text that must survive)
CORPUS = {
    "script": ("<p>hi</p><script>alert(1)</script>", "<script", "<p>hi</p>"),
    "script-src": ('<SCRIPT SRC="https://evil.example/x.js"></SCRIPT>ok', "evil.example", "ok"),
    "split-script": ("<scr<script>ipt>alert(1)</script>", "<script", "ipt&gt;"),
    "img-onerror": ("<img src=x onerror=alert(1)>text", "onerror", "text"),
    "a-javascript": ('<a href="javascript:alert(1)">x</a>', "javascript", "<a>x</a>"),
    "a-mixed-case": ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript", "<a>x</a>"),
    "a-decimal-entity": ('<a href="&#106;avascript:alert(1)">x</a>', "javascript", "<a>x</a>"),
    "a-hex-entity": ('<a href="&#x6A;avascript:alert(1)">x</a>', "javascript", "<a>x</a>"),
    "a-padded-entity": ('<a href="&#0000106avascript:alert(1)">x</a>', "javascript", "<a>x</a>"),
    "a-named-colon": ('<a href="javascript&colon;alert(1)">x</a>', "javascript", "<a>x</a>"),
    "a-named-tab": ('<a href="java&Tab;script:alert(1)">x</a>', "script:", "<a>x</a>"),
    "a-named-newline": ('<a href="java&NewLine;script:alert(1)">x</a>', "script:", "<a>x</a>"),
    "a-tab": ('<a href="java\tscript:alert(1)">x</a>', "script:", "<a>x</a>"),
    "a-entity-tab": ('<a href="java&#x09;script:alert(1)">x</a>', "script:", "<a>x</a>"),
    "a-newline": ('<a href="java\nscript:alert(1)">x</a>', "script:", "<a>x</a>"),
    "a-leading-control": ('<a href="\x01 javascript:alert(1)">x</a>', "javascript", "<a>x</a>"),
    "a-data": ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:", "<a>x</a>"),
    "a-vbscript": ('<a href="vbscript:msgbox(1)">x</a>', "vbscript", "<a>x</a>"),
    "a-relative": ('<a href="/relative">x</a>', "/relative", "<a>x</a>"),
    "a-protocol-relative": ('<a href="//evil.example/">x</a>', "evil.example", "<a>x</a>"),
    "a-bare-path": ('<a href="relative/page">x</a>', "relative/page", "<a>x</a>"),
    "a-onmouseover": ('<a href="#x" onmouseover="alert(1)">x</a>', "alert", '<a href="#x">x</a>'),
    "svg-onload": ("<svg onload=alert(1)><circle r=1 /></svg>ok", "onload", "ok"),
    "svg-link": (
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        "javascript",
        "x",
    ),
    "math": ('<math href="javascript:alert(1)"><mi>x</mi></math>', "<math", "x"),
    "math-mxss": (
        "<math><mtext><table><mglyph><style><!--</style>"
        '<img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">',
        "onerror",
        "",
    ),
    "iframe": (
        '<iframe src="https://evil.example" srcdoc="<script>alert(1)</script>"></iframe>ok',
        "<iframe",
        "ok",
    ),
    "style-element": ("<style>p{color:red}</style><p>x</p>", "<style", "<p>x</p>"),
    "style-attribute": (
        '<p style="background:url(javascript:alert(1))">x</p>',
        "background",
        "<p>x</p>",
    ),
    "noscript": (
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        "onerror",
        "",
    ),
    "object": ('<object data="javascript:alert(1)"></object>ok', "<object", "ok"),
    "embed": ('<embed src="javascript:alert(1)">ok', "<embed", "ok"),
    "form": (
        '<form action="https://evil.example"><input name=q>'
        "<button formaction=javascript:alert(1)>go</button></form>",
        "<form",
        "go",
    ),
    "meta-refresh": (
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">ok',
        "refresh",
        "ok",
    ),
    "base": ('<base href="https://evil.example/">ok', "<base", "ok"),
    "comment": ("<!-- editors only --><p>x</p>", "editors only", "<p>x</p>"),
    "conditional-comment": (
        "<!--[if IE]><script>alert(1)</script><![endif]--><p>x</p>",
        "alert",
        "<p>x</p>",
    ),
    "unknown-attributes": (
        '<sup id="cite-1-1" class="cite" data-x="1" title="t">1</sup>',
        "data-x",
        '<sup id="cite-1-1" class="cite">1</sup>',  # bleach keeps the input's order
    ),
}


@pytest.mark.parametrize(("dirty", "gone", "kept"), CORPUS.values(), ids=CORPUS.keys())
def test_it_removes_the_dangerous_part_and_keeps_the_rest(dirty, gone, kept):
    output = sanitize_html(dirty)

    assert gone.lower() not in html.unescape(output).lower(), output
    assert kept in output
    assert_within_allow_list(output)


@pytest.mark.parametrize("dirty", [dirty for dirty, _, _ in CORPUS.values()], ids=CORPUS.keys())
def test_sanitizing_twice_changes_nothing_more(dirty):
    once = sanitize_html(dirty)

    assert sanitize_html(once) == once


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        (
            '<a href="https://example.org/a?b=1&amp;c=2">x</a>',
            '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">x</a>',
        ),
        (
            '<a href="HTTP://EXAMPLE.ORG" rel="opener" target="_blank">x</a>',
            '<a href="HTTP://EXAMPLE.ORG" rel="noopener noreferrer">x</a>',
        ),
        ('<a href="#ref-1" rel="nofollow">back</a>', '<a href="#ref-1">back</a>'),
        (
            '<a href="mailto:editors@example.org">mail</a>',
            '<a href="mailto:editors@example.org">mail</a>',
        ),
        (
            '<sup class="cite"><a aria-label="Reference 1" href="#ref-1" id="cite-1-1">1</a></sup>',
            '<sup class="cite"><a aria-label="Reference 1" href="#ref-1" id="cite-1-1">1</a></sup>',
        ),
        ('<th style="text-align: left;" align="left">A</th>', "A"),
        (
            '<table><tr><td style="text-align: left;">A</td></tr></table>',
            "<table><tbody><tr><td>A</td></tr></tbody></table>",
        ),
        ('<h1>Title</h1><h2 id="x">Part</h2>', "Title<h2>Part</h2>"),
    ],
    ids=[
        "external-gets-rel",
        "uppercase-scheme-external",
        "fragment-without-rel",
        "mailto",
        "citation-markup",
        "stray-th-is-stripped",
        "table-cell-style",
        "only-h2-to-h4",
    ],
)
def test_it_keeps_safe_markup(dirty, clean):
    assert sanitize_html(dirty) == clean


# ---------------------------------------------------------------- end to end, through Markdown


@pytest.mark.parametrize(
    "markdown_text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt&#58;alert(1))",
        "[x]( javascript:alert(1) )",
        "[x][evil]\n\n[evil]: javascript:alert(1)",
        "<javascript:alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "![x](javascript:alert(1))",
    ],
)
def test_markdown_links_cannot_carry_javascript(markdown_text):
    output = render_markdown(markdown_text, CitationNumbering(), {})

    assert "javascript" not in html.unescape(output).lower()
    assert_within_allow_list(output)


@pytest.mark.parametrize(
    "markdown_text",
    [
        "Before\n\n<script>alert(1)</script>\n\nAfter",
        "Inline <img src=x onerror=alert(1)> html",
        '<div style="position:fixed" onclick="alert(1)">\nblock\n</div>',
        "<iframe src=https://evil.example></iframe>",
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_raw_html_in_markdown_is_neutralised(markdown_text):
    output = render_markdown(markdown_text, CitationNumbering(), {})

    for dangerous in ("<script", "onerror", "onclick", "style=", "<iframe", "<svg", "<div"):
        assert dangerous not in output.lower()
    assert_within_allow_list(output)
