"""Reference files into draft Sources: RIS, BibTeX, CSL-JSON and PubMed/MEDLINE (.nbib).

`plan_import()` reads a file into an `ImportPlan` and writes nothing: the Sources it would
create (unsaved, checked with full_clean()), the records that are already on record (same DOI
or PMID, in the database or earlier in the file), and one error per malformed record.
`create_drafts()` saves the plan's new Sources as drafts, in one transaction; they reach
readers only through the editorial workflow (evidence.workflow), like any draft.

Parsers: rispy (RIS) and bibtexparser 2 (BibTeX), both maintained; CSL-JSON is JSON (the
standard library). For MEDLINE there is no maintained light library (the `nbib` package was
last released in 2021; Biopython's parser brings numpy), so `read_medline()` reads the tag
format itself: a tag of up to four letters padded to four, "- ", the value, and continuation
lines indented by six spaces; records are separated by blank lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import bibtexparser
import rispy
from bibtexparser import middlewares
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify

from .choices import ReviewStatus, SourceKind
from .models import Source
from .validation import normalize_newlines

MAX_AUTHORS = 6  # Vancouver (ICMJE): the first six, then "et al."
ET_AL = "et al."
RELIABILITY = "Not yet assessed: imported from a reference file; the editors have not read it."


class Format(StrEnum):
    RIS = "ris"
    BIBTEX = "bibtex"
    CSL_JSON = "csl-json"
    MEDLINE = "medline"

    @property
    def label(self) -> str:
        return FORMAT_LABELS[self]


FORMAT_LABELS = {
    Format.RIS: "RIS",
    Format.BIBTEX: "BibTeX",
    Format.CSL_JSON: "CSL-JSON",
    Format.MEDLINE: "PubMed/MEDLINE (.nbib)",
}


EXTENSIONS = {
    ".ris": Format.RIS,
    ".bib": Format.BIBTEX,
    ".json": Format.CSL_JSON,
    ".nbib": Format.MEDLINE,
    ".medline": Format.MEDLINE,
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not the format named, not UTF-8 text)."""


# ---------------------------------------------------------------- one reference, read


@dataclass(frozen=True)
class Person:
    """An author: a person (family name and given names) or a group author (`group`)."""

    family: str = ""
    given: str = ""
    group: str = ""

    @property
    def vancouver(self) -> str:
        """ "Bigliardi PL"; a group author whole."""
        if self.group:
            return self.group
        initials = "".join(part[0] for part in re.split(r"[\s.\-]+", self.given) if part)
        return f"{self.family} {initials}".strip()


def vancouver_authors(people: Iterable[Person], et_al: bool = False) -> str:
    """Up to six authors in Vancouver style, then "et al." when there are more."""
    names = [person.vancouver for person in people if person.vancouver]
    if len(names) > MAX_AUTHORS:
        names, et_al = names[:MAX_AUTHORS], True
    return ", ".join([*names, ET_AL] if et_al and names else names)


@dataclass
class Reference:
    """One record as read from a file, before it becomes a Source."""

    where: str  # "Record at line 12", "Item 3": how messages name it
    people: list[Person] = field(default_factory=list)
    et_al: bool = False
    title: str = ""
    container: str = ""
    year: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    kind: str = SourceKind.JOURNAL_ARTICLE
    given_type: str = ""  # the file's own type when it is not a journal article


@dataclass(frozen=True)
class RecordError:
    """A record that cannot be imported, and why, in words an editor can act on."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# ---------------------------------------------------------------- small normalizers


DOI = re.compile(r"10\.\d{4,9}/\S+")


def clean_doi(value: str) -> str:
    """The bare DOI in `value` ("https://doi.org/10.1/x" → "10.1/x"), or ""."""
    match = DOI.search(value or "")
    return match.group(0).rstrip(".") if match else ""


def clean_pages(first: str, last: str = "") -> str:
    """ "979-88" from "979–88", "979--88" or ("979", "88")."""
    pages = f"{first}-{last}" if first and last else first or last
    return re.sub(r"\s*(?:--|[\u2013\u2014-])\s*", "-", pages.strip())


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(part) for part in value)
    return " ".join(str(value or "").split())


def _strip_braces(value: str) -> str:
    return value.replace("{", "").replace("}", "")


def person_from_name(name: str) -> Person:
    """ "Family, Given" or "Family Initials" (MEDLINE AU) as a Person."""
    name = _text(name)
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return Person(family=family, given=given)
    family, _, initials = name.rpartition(" ")
    if family and initials.isupper() and len(initials) <= 4:
        return Person(family=family, given=" ".join(initials))
    return Person(group=name)


ARTICLE_TYPES = {"jour", "ejour", "jfull", "article", "article-journal"}


def _other_type(given: Any) -> str:
    """The file's record type when it is not a journal article ("" when it is)."""
    given = _text(given)
    return "" if given.lower() in ARTICLE_TYPES else given


def _is_et_al(name: str) -> bool:
    return _text(name).lower().rstrip(".") in ("et al", "others", "and others")


# ---------------------------------------------------------------- RIS (rispy)

RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
RIS_CONTAINERS = ("journal_name", "secondary_title", "alternate_title3", "alternate_title1")


def read_ris(text: str) -> Iterator[Reference | RecordError]:
    """Each TY … ER record through rispy; a record rispy would skip silently is an error."""
    record: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        tag = RIS_TAG.match(line.rstrip())
        if tag and tag.group(1) == "TY":
            if record:
                yield RecordError(f"Record at line {start}", "it has no end tag (ER  -).")
            record, start = [line], number
        elif not record:
            yield RecordError(f"Line {number}", f"{line[:60]!r} is outside any record (TY  - …).")
        elif tag and tag.group(1) == "ER":
            record.append(line)
            yield _ris_record(record, start)
            record = []
        else:
            record.append(line)
    if record:
        yield RecordError(f"Record at line {start}", "it has no end tag (ER  -).")


def _ris_record(lines: list[str], start: int) -> Reference | RecordError:
    where = f"Record at line {start}"
    for offset, line in enumerate(lines):
        if not RIS_TAG.match(line.rstrip()) and not line.startswith("      "):
            return RecordError(where, f"line {start + offset} is not a RIS tag line: {line[:60]!r}")
    try:
        [entry] = rispy.loads("\n".join(lines) + "\n")
    except Exception as error:  # rispy raises plain exceptions on a bad tag
        return RecordError(where, f"RIS could not read it ({error}).")
    names = [*entry.get("authors", []), *entry.get("first_authors", [])]
    reference = Reference(where, given_type=_other_type(entry.get("type_of_reference")))
    reference.people = [person_from_name(name) for name in names if not _is_et_al(name)]
    reference.et_al = any(_is_et_al(name) for name in names)
    reference.title = _text(entry.get("title") or entry.get("primary_title"))
    reference.container = next((_text(entry[k]) for k in RIS_CONTAINERS if entry.get(k)), "")
    year = _text(entry.get("year") or entry.get("publication_year") or entry.get("date"))
    reference.year = year.split("/")[0]
    reference.volume = _text(entry.get("volume"))
    reference.issue = _text(entry.get("number"))
    reference.pages = clean_pages(_text(entry.get("start_page")), _text(entry.get("end_page")))
    reference.doi = clean_doi(_text(entry.get("doi")))
    accession = _text(entry.get("accession_number"))
    reference.pmid = accession if accession.isdigit() else ""
    return reference


# ---------------------------------------------------------------- BibTeX (bibtexparser 2)


def read_bibtex(text: str) -> Iterator[Reference | RecordError]:
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            # Decoded first ({\"u} → ü) keeping braces, which keep a group author whole.
            middlewares.LatexDecodingMiddleware(keep_braced_groups=True),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    blocks: list[Any] = [*library.entries, *library.failed_blocks]
    for block in sorted(blocks, key=lambda block: block.start_line or 0):
        line = (block.start_line or 0) + 1
        if block in library.failed_blocks:
            reason = getattr(getattr(block, "error", None), "abort_reason", "")
            error = " ".join(str(reason or "").split()).rstrip(" .")
            where = f"Entry at line {line}"
            yield RecordError(where, f"BibTeX could not read it: {error or 'syntax error'}.")
            continue
        yield _bibtex_entry(block, f"Entry {block.key!r} at line {line}")


def _bibtex_entry(entry: Any, where: str) -> Reference:
    fields = {f.key.lower(): f.value for f in entry.fields}
    reference = Reference(where, given_type=_other_type(entry.entry_type))
    for name in fields.get("author") or []:
        if isinstance(name, str):
            name = middlewares.NameParts(last=[name])
        last = " ".join(name.last)
        if last.lower() == "others":
            reference.et_al = True
        elif not name.first and not name.von:
            reference.people.append(Person(group=_strip_braces(last)))
        else:
            family = " ".join([*name.von, last, *name.jr])
            reference.people.append(
                Person(family=_strip_braces(family), given=_strip_braces(" ".join(name.first)))
            )
    reference.title = _strip_braces(_text(fields.get("title")))
    reference.container = _strip_braces(_text(fields.get("journal") or fields.get("booktitle")))
    reference.year = _text(fields.get("year"))
    reference.volume = _text(fields.get("volume"))
    reference.issue = _text(fields.get("number"))
    reference.pages = clean_pages(_text(fields.get("pages")))
    reference.doi = clean_doi(_text(fields.get("doi")))
    reference.pmid = _text(fields.get("pmid"))
    return reference


# ---------------------------------------------------------------- CSL-JSON (json)


def read_csl_json(text: str) -> Iterator[Reference | RecordError]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"This is not JSON: {error.msg} at line {error.lineno}.") from error
    items = data if isinstance(data, list) else [data]
    for number, item in enumerate(items, start=1):
        where = f"Item {number}"
        if not isinstance(item, dict):
            yield RecordError(where, "it is not a CSL-JSON object ({…}).")
            continue
        try:
            yield _csl_item(item, where)
        except (AttributeError, TypeError, IndexError, KeyError) as error:
            yield RecordError(where, f"a field does not have the CSL-JSON shape ({error}).")


def _csl_person(author: dict[str, Any]) -> Person:
    if author.get("literal"):
        return Person(group=_text(author["literal"]))
    particle_and_family = [author.get("non-dropping-particle"), author.get("family")]
    return Person(
        family=_text([p for p in particle_and_family if p]), given=_text(author.get("given"))
    )


def _csl_item(item: dict[str, Any], where: str) -> Reference:
    reference = Reference(where, given_type=_other_type(item.get("type")))
    for author in item.get("author") or []:
        person = _csl_person(author)
        if _is_et_al(person.group):
            reference.et_al = True
        else:
            reference.people.append(person)
    reference.title = _text(item.get("title"))
    reference.container = _text(item.get("container-title-short") or item.get("container-title"))
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    reference.year = str(parts[0][0]) if parts[0] else ""
    reference.volume = _text(item.get("volume"))
    reference.issue = _text(item.get("issue"))
    reference.pages = clean_pages(_text(item.get("page")))
    reference.doi = clean_doi(_text(item.get("DOI")))
    reference.pmid = _text(item.get("PMID"))
    return reference


# ---------------------------------------------------------------- PubMed/MEDLINE (our reader)

MEDLINE_LINE = re.compile(r"^([A-Z0-9]{1,4}) *- (.*)$")
PUBLICATION_KINDS = {
    "Systematic Review": SourceKind.SYSTEMATIC_REVIEW,
    "Case Reports": SourceKind.CASE_REPORT,
    "Review": SourceKind.NARRATIVE_REVIEW,
}


def read_medline(text: str) -> Iterator[Reference | RecordError]:
    """MEDLINE records ({tag: [values]}) as References; a bad line is its record's error."""
    record: list[tuple[str, str]] = []
    start, bad = 0, ""
    for number, line in enumerate([*text.split("\n"), ""], start=1):
        if not line.strip():
            if record or bad:
                yield (
                    RecordError(f"Record at line {start}", bad) if bad else _medline(record, start)
                )
            record, bad = [], ""
            continue
        start = start if record or bad else number
        tagged = MEDLINE_LINE.match(line)
        if tagged:
            record.append((tagged.group(1), tagged.group(2).strip()))
        elif line.startswith("      ") and record:
            tag, value = record[-1]
            record[-1] = (tag, f"{value} {line.strip()}")
        elif not bad:
            bad = f"line {number} is not a MEDLINE tag line (e.g. 'TI  - …'): {line[:60]!r}"


def _medline(record: list[tuple[str, str]], start: int) -> Reference | RecordError:
    tags: dict[str, list[str]] = {}
    for tag, value in record:
        tags.setdefault(tag, []).append(value)
    if "PMID" not in tags and "TI" not in tags:
        return RecordError(f"Record at line {start}", "it has neither a PMID nor a title (TI).")
    first = {tag: values[0] for tag, values in tags.items()}
    reference = Reference(f"Record at line {start}")
    full = tags.get("FAU", [])
    short = tags.get("AU", [])
    names = full if len(full) == len(short) else short
    reference.people = [person_from_name(name) for name in names]
    reference.people += [Person(group=group) for group in tags.get("CN", [])]
    reference.title = first.get("TI", "").rstrip(".")
    reference.container = first.get("TA") or first.get("JT", "")
    year = re.match(r"\d{4}", first.get("DP", ""))  # "2019 Feb 1" → 2019
    reference.year = year.group(0) if year else ""
    reference.volume = first.get("VI", "")
    reference.issue = first.get("IP", "")
    reference.pages = clean_pages(first.get("PG", ""))
    ids = [*tags.get("LID", []), *tags.get("AID", [])]
    reference.doi = next((clean_doi(v) for v in ids if v.endswith("[doi]")), "")
    reference.pmid = first.get("PMID", "")
    kinds = tags.get("PT", [])
    reference.kind = next(
        (kind for name, kind in PUBLICATION_KINDS.items() if name in kinds),
        SourceKind.JOURNAL_ARTICLE,
    )
    return reference


READERS = {
    Format.RIS: read_ris,
    Format.BIBTEX: read_bibtex,
    Format.CSL_JSON: read_csl_json,
    Format.MEDLINE: read_medline,
}


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Duplicate:
    """A record already on record: the Source (or the earlier record) with its DOI or PMID."""

    where: str
    title: str
    by: str  # "DOI 10.1/x" or "PMID 123"
    existing: str  # the existing Source's key, or "record N of this file"


@dataclass
class ImportPlan:
    """What importing a file would do; nothing is written until create_drafts()."""

    file_name: str
    format: Format
    new: list[Source] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.new) + len(self.duplicates) + len(self.errors)

    @property
    def summary(self) -> str:
        return (
            f"{self.records} record(s) in {self.file_name}: {len(self.new)} new draft source(s), "
            f"{len(self.duplicates)} already on record, {len(self.errors)} with errors."
        )


def detect_format(file_name: str, text: str) -> Format:
    """The format named by the file's extension, else the one its first line shows."""
    for extension, found in EXTENSIONS.items():
        if file_name.lower().endswith(extension):
            return found
    start = text.lstrip()
    if start.startswith("TY  -"):
        return Format.RIS
    if start.startswith("@"):
        return Format.BIBTEX
    if start.startswith(("[", "{")):
        return Format.CSL_JSON
    if start.startswith("PMID-"):
        return Format.MEDLINE
    raise ImportFileError(
        "The format could not be told from the file name or its first line; choose it."
    )


def decode(content: bytes) -> str:
    """The file as text with "\\n" line endings; UTF-8 (with or without a byte-order mark)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not UTF-8 text (byte {error.start}); export it as UTF-8."
        ) from error
    return normalize_newlines(text)


def _key(reference: Reference, taken: set[str]) -> str:
    first = reference.people[0] if reference.people else Person(group=reference.title)
    name = first.family or (first.group.split() or ["source"])[0]
    base = (slugify(name) or "source")[:40] + reference.year
    key, suffix = base, ord("a")
    while key in taken:
        key, suffix = f"{base}{chr(suffix)}", suffix + 1
    taken.add(key)
    return key


def _problems(error: ValidationError) -> str:
    labels = {f.name: str(f.verbose_name) for f in Source._meta.fields}
    return " ".join(
        f"{labels.get(name, name).capitalize()}: {' '.join(messages)}"
        for name, messages in error.message_dict.items()
    )


def kind_note(reference: Reference) -> str:
    """What the editor should check about the kind, when the file's type is not an article."""
    if not reference.given_type:
        return ""
    return f"The file calls it “{reference.given_type}”: check its kind."


def to_source(reference: Reference, file_name: str, key: str) -> Source:
    return Source(
        key=key,
        kind=reference.kind,
        reliability=RELIABILITY,
        authors=vancouver_authors(reference.people, reference.et_al),
        title=reference.title,
        container=reference.container,
        year=int(reference.year) if reference.year.isdigit() else None,
        volume=reference.volume,
        issue=reference.issue,
        pages=reference.pages,
        doi=reference.doi,
        pmid=reference.pmid,
        bibliographic_note=" ".join(
            filter(
                None,
                [
                    f"Imported from {file_name}; not yet confirmed against the paper.",
                    kind_note(reference),
                ],
            )
        ),
        status=ReviewStatus.DRAFT,
    )


def _check(reference: Reference) -> str:
    """Why a record cannot become a Source before the model's own checks, or ""."""
    missing = [name for name, value in (("title", reference.title),) if not value]
    if not reference.people:
        missing.append("authors")
    if missing:
        return f"no {' and no '.join(missing)}."
    if reference.year and not reference.year.isdigit():
        return f"the year {reference.year!r} is not a year."
    if reference.pmid and not reference.pmid.isdigit():
        return f"the PMID {reference.pmid!r} is not digits only."
    return ""


def _existing(references: list[Reference]) -> tuple[dict[str, str], dict[str, str]]:
    """{doi (lower case): key} and {pmid: key} of stored Sources these records share (one query)."""
    dois = {r.doi.lower() for r in references if r.doi}
    pmids = {r.pmid for r in references if r.pmid}
    by_doi: dict[str, str] = {}
    by_pmid: dict[str, str] = {}
    if not dois and not pmids:
        return by_doi, by_pmid
    query = Q(pmid__in=pmids)
    for doi in dois:  # DOIs are case-insensitive
        query |= Q(doi__iexact=doi)
    for key, doi, pmid in Source.objects.filter(query).values_list("key", "doi", "pmid"):
        if doi:
            by_doi[doi.lower()] = key
        if pmid:
            by_pmid[pmid] = key
    return by_doi, by_pmid


def _same_titles(references: list[Reference]) -> dict[str, str]:
    """{title (lower case): key} of stored Sources with a record's title (one query)."""
    titles = {r.title.lower() for r in references if r.title}
    if not titles:
        return {}
    stored = Source.objects.annotate(lowered=Lower("title")).filter(lowered__in=titles)
    return dict(stored.values_list("lowered", "key"))


def plan_import(content: bytes, file_name: str, format: Format | None = None) -> ImportPlan:
    """Read `content` and say what importing it would do; raises ImportFileError."""
    text = decode(content)
    format = format or detect_format(file_name, text)
    plan = ImportPlan(file_name=file_name, format=format)
    references: list[Reference] = []
    for item in READERS[format](text):
        if isinstance(item, RecordError):
            plan.errors.append(item)
        else:
            references.append(item)
    if not references and not plan.errors:
        raise ImportFileError(f"No {format.label} record was found in {file_name}.")
    by_doi, by_pmid = _existing(references)
    same_title = _same_titles(references)
    taken = set(Source.objects.values_list("key", flat=True))
    for reference in references:
        where = reference.where
        problem = _check(reference)
        if problem:
            plan.errors.append(RecordError(where, problem))
            continue
        duplicate = _duplicate(reference, by_doi, by_pmid)
        if duplicate:
            plan.duplicates.append(Duplicate(where, reference.title, *duplicate))
            continue
        source = to_source(reference, file_name, _key(reference, taken))
        try:
            source.full_clean(validate_unique=False)
        except ValidationError as error:
            plan.errors.append(RecordError(where, _problems(error)))
            continue
        here = f"{where[0].lower()}{where[1:]} of this file"
        if reference.doi:
            by_doi[reference.doi.lower()] = here
        if reference.pmid:
            by_pmid[reference.pmid] = here
        source.import_where = where  # type: ignore[attr-defined]
        source.import_note = kind_note(reference)  # type: ignore[attr-defined]
        source.import_warning = (  # type: ignore[attr-defined]
            f"Same title as {same_title[source.title.lower()]}, which has no matching DOI or "
            "PMID: check that it is not the same work."
            if source.title.lower() in same_title
            else ""
        )
        plan.new.append(source)
    plan.errors.sort(key=lambda error: _position(error.where))
    return plan


def _position(where: str) -> int:
    """The line (or item number) a record's name gives, to list errors in file order."""
    numbers = re.findall(r"\d+", where)
    return int(numbers[-1]) if numbers else 0


def _duplicate(
    reference: Reference, by_doi: dict[str, str], by_pmid: dict[str, str]
) -> tuple[str, str] | None:
    if reference.doi and reference.doi.lower() in by_doi:
        return f"DOI {reference.doi}", by_doi[reference.doi.lower()]
    if reference.pmid and reference.pmid in by_pmid:
        return f"PMID {reference.pmid}", by_pmid[reference.pmid]
    return None


@transaction.atomic
def create_drafts(
    plan: ImportPlan, *, by: Any = None, only: Iterable[str] | None = None
) -> list[Source]:
    """Save the plan's new Sources as drafts, recorded in their history as by `by`.

    `only`: the records (their `import_where`, e.g. "Record at line 12") the editor kept.
    """
    kept = None if only is None else set(only)
    created = []
    for source in plan.new:
        if kept is not None and source.import_where not in kept:  # type: ignore[attr-defined]
            continue
        source.status = ReviewStatus.DRAFT  # never published by an import
        source._history_user = by if getattr(by, "is_authenticated", False) else None  # type: ignore[attr-defined]
        source._change_reason = f"Imported from {plan.file_name}"  # type: ignore[attr-defined]
        source.save()
        created.append(source)
    return created
