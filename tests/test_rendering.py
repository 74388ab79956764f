"""The Markdown pipeline: citations numbered per page, references with back-links, validation.

The expected HTML is written by hand from the spec (DESIGN.md, "Citations in prose").
Python-Markdown prints attributes in lexical order, so `aria-label` comes first.
"""

import pytest
from django.core.exceptions import ValidationError

from evidence.choices import ReviewStatus, SourceKind
from evidence.models import Source, validate_citation_fields
from evidence.rendering import (
    CitationNumbering,
    citation_keys,
    render_markdown,
    unknown_citation_keys,
)
from tests.factories import make_claim, make_condition, make_mechanism, make_source


def source(key, **overrides):
    fields = {
        "key": key,
        "kind": SourceKind.JOURNAL_ARTICLE,
        "reliability": "Peer reviewed.",
        "authors": "Bigliardi PL, Stammer H",
        "title": f"Paper {key}",
    }
    return Source(**(fields | overrides))


def sources(*keys):
    return {key: source(key) for key in keys}


def cite(number, use):
    """The superscript link for the `use`-th citation of reference `number`."""
    return (
        f'<a aria-label="Reference {number}" href="#ref-{number}" id="cite-{number}-{use}">'
        f"{number}</a>"
    )


def sup(*links):
    return f'<sup class="cite">{",".join(links)}</sup>'


def render(text, numbering=None, known=("bigliardi2007", "lee2018", "weinstock2020")):
    return render_markdown(text, numbering or CitationNumbering(), sources(*known))


# ---------------------------------------------------------------- numbering


def test_it_links_a_citation_to_its_reference():
    html = render("LDN reduced itch [@bigliardi2007].")

    assert html == f"<p>LDN reduced itch{sup(cite(1, 1))}.</p>"


def test_it_numbers_sources_in_order_of_first_use():
    html = render("Itch fell [@weinstock2020]; lesions did not [@bigliardi2007].")

    assert html == f"<p>Itch fell{sup(cite(1, 1))}; lesions did not{sup(cite(2, 1))}.</p>"


def test_it_gives_a_source_cited_twice_one_number_and_two_back_links():
    numbering = CitationNumbering()
    html = render("First [@lee2018], then [@weinstock2020], again [@lee2018].", numbering)

    assert html == (
        f"<p>First{sup(cite(1, 1))}, then{sup(cite(2, 1))}, again{sup(cite(1, 2))}.</p>"
    )
    references = [(ref.number, ref.source.key, ref.backlinks) for ref in numbering.references]
    assert references == [
        (1, "lee2018", ["cite-1-1", "cite-1-2"]),
        (2, "weinstock2020", ["cite-2-1"]),
    ]
    assert [ref.anchor for ref in numbering.references] == ["ref-1", "ref-2"]


def test_it_shares_the_numbering_across_render_calls_of_one_page():
    numbering = CitationNumbering()

    first = render("Summary [@lee2018].", numbering)
    second = render("Claim [@weinstock2020] and [@lee2018].", numbering)

    assert first == f"<p>Summary{sup(cite(1, 1))}.</p>"
    assert second == f"<p>Claim{sup(cite(2, 1))} and{sup(cite(1, 2))}.</p>"


def test_structured_claims_and_prose_share_the_numbering():
    numbering = CitationNumbering()
    claim_cite = numbering.cite(source("weinstock2020"))

    html = render("See [@lee2018] and [@weinstock2020].", numbering)

    assert (claim_cite.number, claim_cite.anchor, claim_cite.href) == (1, "cite-1-1", "#ref-1")
    assert html == f"<p>See{sup(cite(2, 1))} and{sup(cite(1, 2))}.</p>"


def test_it_numbers_in_document_order_through_nested_markup():
    # Python-Markdown's inline pass visits a paragraph before a preceding list's items.
    html = render("> * quoted [@lee2018]\n\nthen **bold *[@weinstock2020]*** [@bigliardi2007]")

    assert html == (
        "<blockquote>\n<ul>\n"
        f"<li>quoted{sup(cite(1, 1))}</li>\n"
        "</ul>\n</blockquote>\n"
        f"<p>then <strong>bold <em>{sup(cite(2, 1))}</em></strong>{sup(cite(3, 1))}</p>"
    )


def test_it_renders_several_keys_in_one_bracket_as_one_superscript():
    html = render("Two trials [@lee2018; @weinstock2020].")

    assert html == f"<p>Two trials{sup(cite(1, 1), cite(2, 1))}.</p>"


def test_adjacent_citations_each_get_a_superscript():
    html = render("Two trials [@lee2018][@weinstock2020].")

    assert html == f"<p>Two trials{sup(cite(1, 1))}{sup(cite(2, 1))}.</p>"


# ---------------------------------------------------------------- unknown keys


def test_it_shows_an_unknown_key_instead_of_hiding_it():
    numbering = CitationNumbering()
    html = render("Itch fell [@nobody2099].", numbering)

    assert html == (
        '<p>Itch fell <span class="citation-missing">[citation missing: nobody2099]</span>.</p>'
    )
    assert numbering.references == []


def test_an_unknown_key_among_known_ones_keeps_its_place():
    html = render("Trials [@lee2018; @nobody2099; @weinstock2020].")

    assert html == (
        f"<p>Trials{sup(cite(1, 1))}"
        '<span class="citation-missing">[citation missing: nobody2099]</span>'
        f"{sup(cite(2, 1))}.</p>"
    )


# ---------------------------------------------------------------- Markdown


def test_it_renders_a_table_without_style_attributes():
    html = render("| Dose | Route |\n|:-----|------:|\n| 4.5 mg [@lee2018] | oral |")

    assert html == (
        "<table>\n<thead>\n<tr>\n<th>Dose</th>\n<th>Route</th>\n</tr>\n</thead>\n"
        f"<tbody>\n<tr>\n<td>4.5 mg{sup(cite(1, 1))}</td>\n<td>oral</td>\n</tr>\n</tbody>\n"
        "</table>"
    )


def test_it_renders_lists_and_keeps_where_a_numbered_list_starts():
    html = render("* itch [@lee2018]\n* sleep\n\n3. third\n4. fourth")

    assert html == (
        f"<ul>\n<li>itch{sup(cite(1, 1))}</li>\n<li>sleep</li>\n</ul>\n"
        '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>'
    )


def test_it_leaves_citation_syntax_in_code_alone():
    numbering = CitationNumbering()
    html = render("Write `[@lee2018]` to cite.\n\n    [@weinstock2020]", numbering)

    assert html == (
        "<p>Write <code>[@lee2018]</code> to cite.</p>\n<pre><code>[@weinstock2020]\n</code></pre>"
    )
    assert numbering.references == []


def test_an_escaped_bracket_is_not_a_citation():
    assert render(r"Literal \[@lee2018].") == "<p>Literal [@lee2018].</p>"


def test_external_links_in_prose_get_rel_noopener():
    html = render("[PubMed](https://pubmed.ncbi.nlm.nih.gov/1/) and [below](#ref-1)")

    assert html == (
        '<p><a href="https://pubmed.ncbi.nlm.nih.gov/1/" rel="noopener noreferrer">PubMed</a>'
        ' and <a href="#ref-1">below</a></p>'
    )


def test_rendering_makes_no_database_query(db, django_assert_num_queries):
    for key in ("lee2018", "weinstock2020"):
        source(key).save()
    by_key = {s.key: s for s in Source.objects.all()}

    with django_assert_num_queries(0):
        html = render_markdown("A [@lee2018; @weinstock2020] [@x].", CitationNumbering(), by_key)

    assert "citation-missing" in html


# ---------------------------------------------------------------- validation


def test_it_lists_citation_keys_in_order_once_each_and_skips_code():
    text = "A [@b] `[@code]` [@a; @b]\n\n    [@block]\n\nZ [@c]"

    assert citation_keys(text) == ["b", "a", "c"]


def test_it_names_unknown_keys_in_order_once_each():
    text = "[@foo] [@lee2018; @bar] [@foo] `[@in-code]`"

    assert unknown_citation_keys(text, {"lee2018"}) == ["foo", "bar"]


@pytest.mark.django_db
def test_validating_both_summaries_of_a_condition_costs_one_query(django_assert_num_queries):
    make_source(key="lee2018")
    condition = make_condition(
        clinician_summary="Fine [@lee2018].", patient_summary="Also [@nobody2099]."
    )

    with django_assert_num_queries(1), pytest.raises(ValidationError) as raised:
        validate_citation_fields(condition, "clinician_summary", "patient_summary")

    assert raised.value.message_dict == {"patient_summary": ["Unknown citation key(s): nobody2099"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "field"),
    [
        (make_mechanism, "summary"),
        (make_condition, "clinician_summary"),
        (make_condition, "patient_summary"),
    ],
)
def test_full_clean_rejects_an_unknown_key_under_its_field(make, field):
    instance = make()
    setattr(instance, field, "Itch fell [@nobody2099].")

    with pytest.raises(ValidationError) as raised:
        instance.full_clean()

    assert raised.value.message_dict == {field: ["Unknown citation key(s): nobody2099"]}


@pytest.mark.django_db
def test_a_summary_with_known_keys_is_accepted_and_numbered_on_its_page(client):
    make_source(key="lee2018", title="Itch and opioids")
    mechanism = make_mechanism(status=ReviewStatus.APPROVED)
    mechanism.summary = "Itch fell [@lee2018]."
    mechanism.full_clean()
    mechanism.save()

    html = client.get(mechanism.get_absolute_url()).content.decode()

    assert 'Itch fell<sup class="cite"><a aria-label="Reference 1" href="#ref-1"' in html
    assert "Itch and opioids" in html


@pytest.mark.django_db
def test_a_claim_statement_cites_through_its_citations_not_inline():
    make_source(key="lee2018")
    claim = make_claim()
    claim.statement = "Itch fell [@lee2018]."

    with pytest.raises(ValidationError) as raised:
        claim.full_clean()

    assert "Cite through the citations" in raised.value.message_dict["statement"][0]
