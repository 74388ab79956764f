"""Reading a page's main content by the kinds of text it holds (issue 7, item 4).

Every piece of text inside <main> must sit in an element that says what it is:

- `data-claim="<key>"`: a cited claim, or a plain statement tied to one;
- `data-check="<key>"`: an editors' primary-source check (a badge or the full check);
- `data-conflict="<key>"`: the editors' note on two cited claims that disagree;
- `data-derived`: a fact read off the records (design, n, level, grade labels, names,
  verdicts graded by the rule, "none on record");
- `data-site-text`: fixed site text that states no medical fact (navigation, headings, how
  to read the page);
- `data-prose`: editors' Markdown, in which every sentence carries a citation footnote.

Whitespace, punctuation and footnote numbers are not text for this purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tests.pages import BLOCK_ELEMENTS, Element

KINDS = ("data-claim", "data-check", "data-conflict", "data-derived", "data-site-text")
PROSE = "data-prose"
NOT_TEXT = re.compile(r"^[\W\d_]*$")  # whitespace, punctuation, footnote numbers
FOOTNOTE = "\u2020"  # stands in for a citation footnote while reading prose
# A sentence ends at . ! or ? followed by a space and a capital (so "e.g. the" and "4.5 mg"
# do not end one).
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u201c\"(])")


def main_of(document: Element) -> Element:
    main = document.find("main")
    assert main is not None, "page has no <main>"
    return main


def unmarked_text(element: Element) -> Iterator[str]:
    """Text inside `element` that no marked element holds, and prose sentences with no footnote."""
    if any(kind in element.attrs for kind in KINDS):
        return
    if PROSE in element.attrs:
        yield from unfootnoted_sentences(element)
        return
    for child in element.children:
        if isinstance(child, str):
            if not NOT_TEXT.match(child):
                yield " ".join(child.split())
        elif child.tag not in ("script", "style", "template"):
            yield from unmarked_text(child)


def _with_footnotes(element: Element) -> str:
    """The element's text with each citation footnote read as FOOTNOTE."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        for child in node.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "sup" and "cite" in child.classes:
                parts.append(FOOTNOTE)
            else:
                block = child.tag in BLOCK_ELEMENTS
                parts.append(" " if block else "")
                walk(child)
                parts.append(" " if block else "")

    walk(element)
    return " ".join("".join(parts).split())


def sentences(text: str) -> list[str]:
    """`text` cut into sentences; a footnote after the full stop belongs to the sentence."""
    # "relief.† Next" reads as "relief† . Next": the footnote stays with its sentence.
    text = re.sub(
        rf"([.!?])((?:\s*{FOOTNOTE})+)", lambda m: m.group(2).replace(" ", "") + m.group(1), text
    )
    return [s for s in SENTENCE_END.split(text) if not NOT_TEXT.match(s)]


def _blocks(element: Element) -> Iterator[Element]:
    """The innermost paragraphs, list items, headings and cells of a prose element."""
    leaves = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote")
    inner = [child for child in element.children if isinstance(child, Element)]
    nested = [b for child in inner for b in _blocks(child)]
    if nested:
        yield from nested
    elif element.tag in leaves:
        yield element


def unfootnoted_sentences(prose: Element) -> Iterator[str]:
    """Sentences of a Markdown prose element that carry no citation footnote."""
    for block in _blocks(prose) or [prose]:
        for sentence in sentences(_with_footnotes(block)):
            if FOOTNOTE not in sentence:
                yield sentence


def element_texts(root: Element) -> dict[int, str]:
    """{id(element): its text} for every element under `root`, computed in one pass."""
    texts: dict[int, str] = {}

    def walk(node: Element) -> str:
        parts = []
        for child in node.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                block = child.tag in BLOCK_ELEMENTS
                inner = walk(child)
                parts.append(f" {inner} " if block else inner)
        text = " ".join("".join(parts).split())
        texts[id(node)] = text
        return text

    walk(root)
    return texts


def innermost_holding(root: Element, needle: str, texts: dict[int, str]) -> list[Element]:
    """The innermost elements under `root` whose text contains `needle`."""
    found = []

    def walk(node: Element) -> bool:
        if needle not in texts[id(node)]:
            return False
        inner = [walk(child) for child in node.children if isinstance(child, Element)]
        if not any(inner):
            found.append(node)
        return True

    walk(root)
    return found


def nearest_marked(element: Element, *attributes: str) -> Element | None:
    """`element` or its nearest ancestor with one of `attributes`."""
    node: Element | None = element
    while node is not None:
        if any(attribute in node.attrs for attribute in attributes):
            return node
        node = node.parent
    return None
