"""Reference import: RIS, BibTeX, CSL-JSON and MEDLINE files into draft Sources, previewed first.

The sample files in tests/data/references/ (see its README) hold the works
../shared/REFERENCES.md confirms and the awkward cases; Bigliardi 2007 is stored first, so
each file has one duplicate of an existing source.
"""

import base64
import html
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.choices import ReviewStatus, SourceKind
from evidence.models import Source
from evidence.reference_import import Format, ImportFileError, plan_import
from tests.factories import make_source, make_staff
from tests.test_admin import admin_url, shown

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "references"
FILES = ["references.ris", "references.bib", "references.json", "references.nbib"]


@pytest.fixture
def bigliardi():
    """The source already on record, with the DOI and PMID REFERENCES.md confirms."""
    return make_source(
        key="bigliardi2007", doi="10.1016/j.jaad.2007.01.007", pmid="17320241", year=2007
    )


def plan_of(name):
    return plan_import((DATA / name).read_bytes(), name)


def new_by_title(plan):
    return {source.title: source for source in plan.new}


# ---------------------------------------------------------------- reading the files


@pytest.mark.parametrize("name", FILES)
def test_each_sample_file_gives_new_drafts_one_duplicate_and_one_error(bigliardi, name):
    plan = plan_of(name)

    assert len(plan.new) == (6 if name == "references.bib" else 5)
    [duplicate] = plan.duplicates
    assert duplicate.existing == "bigliardi2007"
    assert len(plan.errors) == 1
    assert all(source.status == ReviewStatus.DRAFT for source in plan.new)
    assert Source.objects.count() == 1  # reading a file writes nothing


@pytest.mark.parametrize("name", FILES)
def test_awkward_authors_come_out_in_vancouver_style(bigliardi, name):
    authors = {source.authors for source in plan_of(name).new}

    assert "Dr.Oracle Medical Advisory Board & Editors" in authors  # a group author, whole
    assert "Müller-Lüdenscheidt Å, Núñez J, Øvregård S" in authors  # non-ASCII names
    assert "Weinstock LB, Cottel J, Aldridge L, Egeberg A" in authors
    if name != "references.nbib":  # the MEDLINE sample has no Dodou record
        assert "Dodou K, Armstrong A, Kelly I, et al." in authors


@pytest.mark.parametrize("name", ["references.ris", "references.bib", "references.json"])
def test_a_record_with_no_doi_or_pmid_is_imported_with_both_empty(bigliardi, name):
    dodou = next(s for s in plan_of(name).new if s.authors.startswith("Dodou"))

    assert (dodou.doi, dodou.pmid) == ("", "")
    assert "6β-naltrexol" in dodou.title
    assert (dodou.container, dodou.year, dodou.volume, dodou.issue, dodou.pages) == (
        "Pharm Dev Technol",
        2015,
        "20",
        "6",
        "694-701",
    )


@pytest.mark.parametrize(
    ("name", "pages"), [("references.ris", "229-36"), ("references.nbib", "229-236")]
)
def test_every_bibliographic_field_is_read(bigliardi, name, pages):
    title = (
        "Utility of naltrexone treatment for chronic inflammatory dermatologic conditions: "
        "a systematic review"
    )

    ekelem = new_by_title(plan_of(name))[title]

    assert ekelem.authors == "Ekelem C, Juhasz M, Khera P, Mesinkovska NA"
    assert (ekelem.container, ekelem.year, ekelem.volume, ekelem.issue) == (
        "JAMA Dermatol",
        2019,
        "155",
        "2",
    )
    assert (ekelem.pages, ekelem.doi, ekelem.pmid) == (
        pages,
        "10.1001/jamadermatol.2018.4093",
        "30484835",
    )
    assert ekelem.key == "ekelem2019"


def test_medline_publication_types_set_the_kind(bigliardi):
    kinds = {source.key: source.kind for source in plan_of("references.nbib").new}

    assert kinds["ekelem2019"] == SourceKind.SYSTEMATIC_REVIEW
    assert kinds["sikora2019"] == SourceKind.NARRATIVE_REVIEW
    assert kinds["weinstock2020"] == SourceKind.JOURNAL_ARTICLE


def test_a_record_that_is_not_a_journal_article_says_so_in_its_note(bigliardi):
    oracle = next(s for s in plan_of("references.json").new if s.key == "droracle2025")

    assert "The file calls it “webpage”: check its kind." in oracle.bibliographic_note
    assert oracle.import_note == "The file calls it “webpage”: check its kind."


@pytest.mark.parametrize(
    ("name", "error"),
    [
        (
            "references.ris",
            "Record at line 78: line 81 is not a RIS tag line: 'this line has lost its tag'",
        ),
        (
            "references.bib",
            "Entry at line 60: BibTeX could not read it: Unexpected block start: `@article`",
        ),
        ("references.json", "Item 7: it is not a CSL-JSON object"),
        ("references.nbib", "Record at line 75: line 78 is not a MEDLINE tag line"),
    ],
)
def test_each_malformed_record_gets_its_own_error_with_the_line(bigliardi, name, error):
    [found] = plan_of(name).errors

    assert str(found).startswith(error)


def test_the_duplicate_is_found_by_doi_whatever_its_case_or_prefix(bigliardi):
    [duplicate] = plan_of("references.ris").duplicates

    assert duplicate.by == "DOI 10.1016/J.JAAD.2007.01.007"  # written as https://doi.org/…


def test_the_duplicate_is_found_by_pmid_when_the_record_has_no_doi(bigliardi):
    [duplicate] = plan_of("references.nbib").duplicates

    assert duplicate.by == "PMID 17320241"


def test_a_record_repeated_in_the_same_file_is_imported_once():
    record = (
        "TY  - JOUR\nAU  - Lee, B.\nTI  - The uses of naltrexone\nPY  - 2019\n"
        "AN  - 30582992\nER  - \n"
    )

    plan = plan_import((record + "\n" + record).encode(), "twice.ris")

    assert [source.pmid for source in plan.new] == ["30582992"]
    assert plan.duplicates[0].existing == "record at line 1 of this file"


def test_a_record_with_no_doi_or_pmid_but_a_stored_title_is_flagged_for_the_editor(bigliardi):
    make_source(key="droracle2025", title="Guideline Directed Topic Overview")

    plan = plan_of("references.ris")

    oracle = next(source for source in plan.new if source.authors.startswith("Dr.Oracle"))
    assert oracle.import_warning.startswith("Same title as droracle2025")
    assert oracle.key == "droracle2025a"
    others = [source.import_warning for source in plan.new if source is not oracle]
    assert others == [""] * 4


def test_keys_do_not_clash_with_stored_sources_or_each_other():
    make_source(key="lee2019")
    records = "".join(
        f"TY  - JOUR\nAU  - Lee, B.\nTI  - Paper {n}\nPY  - 2019\nER  - \n\n" for n in (1, 2)
    )

    plan = plan_import(records.encode(), "lee.ris")

    assert [source.key for source in plan.new] == ["lee2019a", "lee2019b"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xff\xfe not utf-8", "x.ris", "not UTF-8 text"),
        (b"Some notes, not references.", "notes.txt", "could not be told"),
        (b"[{]", "x.json", "This is not JSON"),
        (b"\n\n", "empty.ris", "No RIS record was found"),
    ],
)
def test_a_file_that_cannot_be_read_at_all_is_refused_with_words(content, name, message):
    with pytest.raises(ImportFileError, match=message):
        plan_import(content, name)


def test_a_csl_item_with_a_field_of_the_wrong_shape_is_its_own_error():
    items = (
        b'[{"title": "Issued as text", "author": [{"family": "Lee", "given": "B."}], '
        b'"issued": "2019"}, {"title": "Fine", "author": [{"family": "Lee", "given": "B."}]}]'
    )

    plan = plan_import(items, "shapes.json")

    [error] = plan.errors
    assert str(error).startswith("Item 1: a field does not have the CSL-JSON shape")
    assert [source.title for source in plan.new] == ["Fine"]


def test_a_record_without_a_title_or_authors_is_an_error_not_a_source():
    plan = plan_import(b"TY  - JOUR\nPY  - 2019\nER  - \n", "bare.ris")

    assert [str(error) for error in plan.errors] == ["Record at line 1: no title and no authors."]
    assert plan.new == []


def test_a_value_the_source_cannot_hold_is_the_records_error():
    title = "T" * 501
    plan = plan_import(f"TY  - JOUR\nAU  - Lee, B.\nTI  - {title}\nER  - \n".encode(), "x.ris")

    [error] = plan.errors
    assert "Title: Ensure this value has at most 500 characters" in str(error)


def test_the_format_can_be_named_when_the_extension_does_not_say(bigliardi):
    content = (DATA / "references.nbib").read_bytes()

    plan = plan_import(content, "pubmed-export.txt", Format.MEDLINE)

    assert len(plan.new) == 5


# ---------------------------------------------------------------- in the admin


def upload(client, name, **extra):
    content = (DATA / name).read_bytes() if (DATA / name).exists() else extra.pop("content")
    return client.post(
        admin_url(Source, "import"), {"file": SimpleUploadedFile(name, content), **extra}
    )


def confirm_data(response):
    """What the preview's Create button posts: the hidden fields and the ticked records."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', response.text))
    fields.pop("csrfmiddlewaretoken", None)
    ticked = re.findall(
        r'<input type="checkbox" name="record" value="([^"]*)"[^>]* checked>', response.text
    )
    return fields | {"confirm": "1", "record": [html.unescape(value) for value in ticked]}


def test_the_source_list_offers_the_import(admin_client):
    response = admin_client.get(admin_url(Source, "changelist"))

    assert f'href="{admin_url(Source, "import")}"' in response.text


def test_the_preview_lists_what_would_be_created_and_writes_nothing(admin_client, bigliardi):
    response = upload(admin_client, "references.ris")

    assert response.status_code == 200
    text = response.text
    assert (
        "7 record(s) in references.ris: 5 new draft source(s), 1 already on record, 1 with errors."
        in text
    )
    assert "Müller-Lüdenscheidt Å, Núñez J, Øvregård S" in text
    assert "has the DOI 10.1016/J.JAAD.2007.01.007 of bigliardi2007" in text
    assert "line 81 is not a RIS tag line" in text
    assert text.count('type="checkbox" name="record"') == 5
    assert "The file calls it “ELEC”: check its kind." in text  # the group author's record
    assert f'href="{admin_url(Source, "changelist")}"' in text  # Cancel
    assert Source.objects.count() == 1


def test_create_saves_drafts_that_readers_do_not_see(admin_client, bigliardi, client):
    preview = upload(admin_client, "references.bib")

    response = admin_client.post(admin_url(Source, "import"), confirm_data(preview), follow=True)

    drafts = Source.objects.exclude(pk=bigliardi.pk)
    assert drafts.count() == 6
    assert set(drafts.values_list("status", flat=True)) == {ReviewStatus.DRAFT}
    assert not Source.objects.published().filter(pk__in=drafts).exists()
    assert client.get(f"/sources/{drafts.first().key}/").status_code == 404
    [message] = shown(response, 25)  # SUCCESS
    assert message.startswith("Imported 6 draft source(s) from references.bib")
    assert "Skipped 1 already on record, 1 with errors and 0 you left out." in message
    record = drafts.get(key="ip2020").history.get()
    assert record.history_user.username == "admin"


def test_create_reads_the_file_again_and_skips_what_was_stored_meanwhile(admin_client, bigliardi):
    preview = upload(admin_client, "references.json")
    make_source(key="zhou-first", doi="10.1016/j.jaad.2025.09.028")

    admin_client.post(admin_url(Source, "import"), confirm_data(preview))

    assert Source.objects.filter(doi="10.1016/j.jaad.2025.09.028").count() == 1
    assert Source.objects.count() == 2 + 4


def test_a_tampered_confirmation_writes_nothing(admin_client, bigliardi):
    preview = upload(admin_client, "references.json")
    data = confirm_data(preview) | {"content": "not base64!"}

    response = admin_client.post(admin_url(Source, "import"), data, follow=True)

    assert Source.objects.count() == 1
    assert any("Nothing was imported" in text for text in shown(response, 40))


def test_an_unreadable_file_is_refused_in_the_form(admin_client):
    response = upload(admin_client, "latin1.ris", content="AU  - Núñez, J.".encode("latin-1"))

    assert response.status_code == 200
    assert "The file is not UTF-8 text (byte 7); export it as UTF-8." in response.text
    assert 'type="file"' in response.text  # the form again
    assert Source.objects.count() == 0


def test_an_editor_without_add_permission_cannot_import(client):
    user = make_staff()
    user.user_permissions.add(Permission.objects.get(codename="view_source"))
    client.force_login(user)

    assert client.get(admin_url(Source, "import")).status_code == 403
    content = base64.b64encode(b"TY  - JOUR\nER  - \n").decode()
    data = {"confirm": "1", "content": content, "file_name": "x.ris", "format": "ris"}
    assert client.post(admin_url(Source, "import"), data).status_code == 403
    assert Source.objects.count() == 0


def test_records_the_editor_unticks_are_not_created(admin_client, bigliardi):
    make_source(key="droracle2025", title="Guideline Directed Topic Overview")
    preview = upload(admin_client, "references.nbib")
    data = confirm_data(preview)
    assert len(data["record"]) == 4  # the one flagged "Same title as droracle2025" is unticked
    data["record"] = [where for where in data["record"] if where != "Record at line 49"]

    response = admin_client.post(admin_url(Source, "import"), data, follow=True)

    created = set(Source.objects.values_list("key", flat=True)) - {"bigliardi2007", "droracle2025"}
    assert created == {"ekelem2019", "sikora2019", "muller-ludenscheidt2024"}
    [message] = shown(response, 25)
    assert "2 you left out" in message
