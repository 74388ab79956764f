"""Citation export: RIS, BibTeX and CSL-JSON for one Source.

`Source.authors` holds Vancouver names ("Bigliardi PL, Bigliardi-Qi M, et al."). Reference
managers read "family, given" instead, so each export writes personal names as
"Bigliardi, P. L." (CSL-JSON as {"family", "given"}) and keeps group authors whole.
"""

import json
from dataclasses import dataclass

from .choices import SourceKind

RIS_TYPE = {"clinic-blog": "BLOG", "ai-drafted-page": "ELEC", "publisher-overview": "GEN"}

CSL_TYPE = {
    SourceKind.JOURNAL_ARTICLE: "article-journal",
    SourceKind.SYSTEMATIC_REVIEW: "article-journal",
    SourceKind.NARRATIVE_REVIEW: "article-journal",
    SourceKind.CASE_REPORT: "article-journal",
    SourceKind.CLINIC_BLOG: "post-weblog",
    SourceKind.AI_DRAFTED_PAGE: "webpage",
    SourceKind.PUBLISHER_OVERVIEW: "report",
}

ET_AL = ("et al.", "et al")


@dataclass(frozen=True)
class Name:
    """One author: a person (family name and initials) or a group (`literal`, kept whole)."""

    family: str = ""
    initials: str = ""
    particle: str = ""  # lower-case words before the family name: "van der" in "van der Berg J"
    literal: str = ""

    @property
    def given(self) -> str:
        """ "P. L." for the Vancouver initials "PL"."""
        return " ".join(f"{initial}." for initial in self.initials)

    @property
    def full_family(self) -> str:
        return f"{self.particle} {self.family}".strip()

    @property
    def inverted(self) -> str:
        """ "Bigliardi, P. L.": family name, comma, initials (a group: its name as is)."""
        return self.literal or f"{self.full_family}, {self.given}"


def _is_initials(word: str) -> bool:
    return word.isalpha() and word.isupper() and len(word) <= 3


def parse_name(name: str) -> Name:
    """A Vancouver name: "Bigliardi PL" is a person; a name not ending in initials is a group."""
    words = name.split()
    if len(words) < 2 or not _is_initials(words[-1]):
        return Name(literal=name)
    family = words[:-1]
    particle = []
    while len(family) > 1 and family[0][0].islower():
        particle.append(family.pop(0))
    return Name(family=" ".join(family), initials=words[-1], particle=" ".join(particle))


def authors(source) -> tuple[list[Name], bool]:
    """The source's authors, and whether the list ends in "et al." (more authors not named)."""
    names, et_al = [], False
    for part in source.authors.split(","):
        part = part.strip()
        for marker in ET_AL:
            if part == marker or part.endswith(" " + marker):
                part, et_al = part.removesuffix(marker).strip(), True
                break
        if part:
            names.append(parse_name(part))
    return names, et_al


def page_range(pages):
    """("979", "988") for "979-88": Vancouver abbreviates the last page, exports do not."""
    first, _, last = pages.partition("-")
    if last and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def to_ris(source):
    """One RIS record. RIS has no "et al." marker: the named authors only."""
    lines = [f"TY  - {RIS_TYPE.get(source.kind, 'JOUR')}"]
    lines += [f"AU  - {name.inverted}" for name in authors(source)[0]]
    fields = [
        ("TI", source.title),
        ("T2", source.container),
        ("PY", source.year),
        ("VL", source.volume),
        ("IS", source.issue),
        ("SP", page_range(source.pages)[0]),
        ("EP", page_range(source.pages)[1]),
        ("DO", source.doi),
        ("UR", source.url),
        ("AN", f"PMID:{source.pmid}" if source.pmid else ""),
    ]
    lines += [f"{tag}  - {value}" for tag, value in fields if value]
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


BIBTEX_SPECIALS = {c: "\\" + c for c in "{}&%$#_"} | {"\\": "\\textbackslash{}"}


def _bibtex_escape(value):
    return "".join(BIBTEX_SPECIALS.get(c, c) for c in str(value))


def _bibtex_author(name: Name) -> str:
    # Extra braces keep a group author in one piece instead of split into first/last names.
    escaped = _bibtex_escape(name.inverted)
    return "{" + escaped + "}" if name.literal else escaped


def _bibtex_authors(source) -> str:
    """ "Bigliardi, P. L. and Stammer, H."; "and others" is BibTeX's own "et al."."""
    names, et_al = authors(source)
    written = [_bibtex_author(name) for name in names]
    if et_al and written:
        written.append("others")
    return " and ".join(written)


def to_bibtex(source):
    entry = "article" if source.kind not in RIS_TYPE else "misc"
    fields = [
        ("author", _bibtex_authors(source)),
        ("title", _bibtex_escape(source.title)),
        ("journal" if entry == "article" else "howpublished", _bibtex_escape(source.container)),
        ("year", source.year),
        ("volume", _bibtex_escape(source.volume)),
        ("number", _bibtex_escape(source.issue)),
        ("pages", "--".join(part for part in page_range(source.pages) if part)),
        ("doi", _bibtex_escape(source.doi)),
        ("url", source.url),
        ("pmid", source.pmid),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{entry}{{{source.key},\n{body}\n}}\n"


def _csl_name(name: Name) -> dict[str, str]:
    if name.literal:
        return {"literal": name.literal}
    fields = {"family": name.family, "given": name.given}
    if name.particle:
        fields["non-dropping-particle"] = name.particle
    return fields


def csl_item(source) -> dict:
    """One CSL-JSON item. CSL-JSON has no "et al." marker: named authors only."""
    item = {
        "id": source.key,
        "type": CSL_TYPE[source.kind],
        "title": source.title,
        "author": [_csl_name(name) for name in authors(source)[0]],
        "container-title": source.container,
        "issued": {"date-parts": [[source.year]]} if source.year else None,
        "volume": source.volume,
        "issue": source.issue,
        "page": "-".join(part for part in page_range(source.pages) if part),
        "DOI": source.doi,
        "PMID": source.pmid,
        "URL": source.url,
    }
    return {name: value for name, value in item.items() if value}


def to_csl_json(sources) -> str:
    """A CSL-JSON array of `sources` (a Source or a list of them)."""
    items = [csl_item(source) for source in (sources if isinstance(sources, list) else [sources])]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


FORMATS = {
    "ris": lambda source: (to_ris(source), "application/x-research-info-systems", "ris"),
    "bib": lambda source: (to_bibtex(source), "application/x-bibtex", "bib"),
    "json": lambda source: (to_csl_json(source), "application/vnd.citationstyles.csl+json", "json"),
}
