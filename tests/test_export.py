"""Citation export: a source page's RIS and BibTeX downloads open in a reference manager."""

import re
from http import HTTPStatus

import pytest

from evidence.models import Source
from tests.pages import get_page

BIGLIARDI_AUTHORS = [
    "Bigliardi PL",
    "Stammer H",
    "Jost G",
    "Rufli T",
    "Buchner S",
    "Bigliardi-Qi M",
]

pytestmark = pytest.mark.django_db


def download(client, path, content_type):
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].split(";")[0] == content_type
    filename = path.rsplit("/", 1)[1]
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    return response.content.decode()


def ris_fields(body):
    """The (tag, value) pairs of one RIS record; every line must be a tagged line."""
    lines = body.splitlines()
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines), lines
    return [(line[:2], line[6:]) for line in lines]


def bibtex_fields(body):
    """(entry type, key, {field: value}) of one BibTeX entry with one field per line."""
    header = re.match(r"@(\w+)\{([^,]+),\n", body)
    assert header, body
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", body, re.MULTILINE))
    assert body.rstrip().endswith("}")
    return header.group(1), header.group(2), fields


def values(fields, tag):
    return [value for name, value in fields if name == tag]


def test_a_journal_article_downloads_as_a_ris_record_with_every_author(content, client):
    fields = ris_fields(
        download(client, "/sources/bigliardi2007.ris", "application/x-research-info-systems")
    )
    assert fields[0] == ("TY", "JOUR")
    assert fields[-1] == ("ER", "")
    assert values(fields, "AU") == BIGLIARDI_AUTHORS
    assert values(fields, "TI") == [
        "Treatment of pruritus with topically applied opiate receptor antagonist"
    ]
    assert values(fields, "PY") == ["2007"]
    assert values(fields, "DO") == ["10.1016/j.jaad.2007.01.007"]
    assert values(fields, "T2") == ["J Am Acad Dermatol"]


def test_a_journal_article_downloads_as_a_bibtex_entry(content, client):
    entry, key, fields = bibtex_fields(
        download(client, "/sources/bigliardi2007.bib", "application/x-bibtex")
    )
    assert (entry, key) == ("article", "bigliardi2007")
    assert fields["author"] == " and ".join(BIGLIARDI_AUTHORS)
    assert fields["pages"] == "979--988"
    assert fields["doi"] == "10.1016/j.jaad.2007.01.007"
    assert fields["year"] == "2007"
    assert fields["journal"] == "J Am Acad Dermatol"


@pytest.mark.parametrize("path", ["/sources/unknown.ris", "/sources/unknown.bib"])
def test_an_unknown_source_has_no_download(content, client, path):
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND


def test_a_source_without_a_confirmed_doi_exports_none(content, client):
    source = Source.objects.get(key="weinstock2020")
    assert not source.doi and source.pmid
    ris = ris_fields(
        download(client, "/sources/weinstock2020.ris", "application/x-research-info-systems")
    )
    assert not values(ris, "DO")
    assert all("doi" not in value.lower() for _, value in ris)
    _, _, bib = bibtex_fields(
        download(client, "/sources/weinstock2020.bib", "application/x-bibtex")
    )
    assert "doi" not in bib


def test_et_al_is_not_exported_as_an_author(content, client):
    assert Source.objects.get(key="dodou2015").authors.endswith("et al.")
    ris = ris_fields(
        download(client, "/sources/dodou2015.ris", "application/x-research-info-systems")
    )
    assert values(ris, "AU") == ["Dodou K", "Armstrong A", "Kelly I"]
    _, _, bib = bibtex_fields(download(client, "/sources/dodou2015.bib", "application/x-bibtex"))
    assert bib["author"] == "Dodou K and Armstrong A and Kelly I"


def test_a_blog_post_is_not_exported_as_a_journal_article(content, client):
    ris = ris_fields(
        download(client, "/sources/kim-topical-ldn.ris", "application/x-research-info-systems")
    )
    assert values(ris, "TY") == ["BLOG"]
    entry, _, bib = bibtex_fields(
        download(client, "/sources/kim-topical-ldn.bib", "application/x-bibtex")
    )
    assert entry == "misc"
    assert "journal" not in bib


def test_a_bibtex_entry_escapes_characters_latex_treats_as_commands(content, client):
    body = download(client, "/sources/droracle2025.bib", "application/x-bibtex")
    assert "{Dr.Oracle Medical Advisory Board \\& Editors}" in body
    assert not re.search(r"(?<!\\)[&%#]", body)


def test_every_source_page_offers_both_downloads(content, client):
    links = get_page(client, "/sources/bigliardi2007/").hrefs()
    assert "/sources/bigliardi2007.ris" in links
    assert "/sources/bigliardi2007.bib" in links


def test_exports_write_out_the_abbreviated_last_page(content, client):
    ris = ris_fields(
        download(client, "/sources/bigliardi2007.ris", "application/x-research-info-systems")
    )
    assert (values(ris, "SP"), values(ris, "EP")) == (["979"], ["988"])
    bib = download(client, "/sources/weinstock2020.bib", "application/x-bibtex")
    assert "pages = {94--96}" in bib
