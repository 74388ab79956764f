"""The page walker of tests/walker.py reads what a reader reads (no database)."""

from tests.pages import parse_html
from tests.walker import main_of, sentences, unmarked_text

FOOTNOTE = '<sup class="cite"><a href="#ref-1" id="cite-1-1">1</a></sup>'


def found(body):
    return list(unmarked_text(main_of(parse_html(f"<main>{body}</main>"))))


def test_text_in_no_marked_element_is_reported():
    assert found("<p>LDN cures itch.</p>") == ["LDN cures itch."]


def test_marked_kinds_footnote_numbers_and_punctuation_pass():
    assert not found(
        '<p data-claim="k">LDN eased itch.' + FOOTNOTE + "</p>"
        '<h2 data-site-text>Safety</h2><p data-derived="grade">SORT B</p>'
        '<p data-check="c">Editors: differs.</p><p data-conflict="x">They disagree.</p>'
        "<p> · , ( ) 12 </p>"
    )


def test_a_prose_sentence_without_a_footnote_is_reported_and_a_cited_one_is_not():
    body = (
        "<div data-prose><p>Psoriasis is common. Weinstock found 8 of 15 improved."
        + FOOTNOTE
        + " A case report describes guttate psoriasis"
        + FOOTNOTE
        + ".</p></div>"
    )
    assert found(body) == ["Psoriasis is common."]


def test_sentences_keep_abbreviations_and_decimals_together():
    assert sentences("Take 4.5 mg daily, e.g. at night. Then stop.") == [
        "Take 4.5 mg daily, e.g. at night.",
        "Then stop.",
    ]


def test_a_marked_parent_covers_unmarked_children_but_not_its_siblings():
    assert found('<div data-claim="k"><span>Dry skin.</span></div><span>Headache.</span>') == [
        "Headache."
    ]
