"""Citation export: RIS and BibTeX for one Source."""

import re

RIS_TYPE = {"clinic-blog": "BLOG", "ai-drafted-page": "ELEC", "publisher-overview": "GEN"}


def _authors(source):
    return [
        name.strip()
        for name in source.authors.split(",")
        if name.strip() and name.strip() != "et al."
    ]


def _is_person(name):
    """Vancouver personal names end in initials ("Bigliardi PL"); anything else is a group."""
    return bool(re.fullmatch(r".+ [A-Z]{1,3}", name))


def page_range(pages):
    """("979", "988") for "979-88": Vancouver abbreviates the last page, exports do not."""
    first, _, last = pages.partition("-")
    if last and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def to_ris(source):
    lines = [f"TY  - {RIS_TYPE.get(source.kind, 'JOUR')}"]
    lines += [f"AU  - {author}" for author in _authors(source)]
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


def _bibtex_author(name):
    # Extra braces keep a group author in one piece instead of split into first/last names.
    escaped = _bibtex_escape(name)
    return escaped if _is_person(name) else "{" + escaped + "}"


def to_bibtex(source):
    entry = "article" if source.kind not in RIS_TYPE else "misc"
    fields = [
        ("author", " and ".join(_bibtex_author(name) for name in _authors(source))),
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


FORMATS = {
    "ris": lambda source: (to_ris(source), "application/x-research-info-systems", "ris"),
    "bib": lambda source: (to_bibtex(source), "application/x-bibtex", "bib"),
}
