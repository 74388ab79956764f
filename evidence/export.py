"""Citation export: RIS and BibTeX for one Source."""

RIS_TYPE = {"clinic-blog": "BLOG", "ai-drafted-page": "ELEC", "publisher-overview": "GEN"}


def _authors(source):
    return [
        name.strip()
        for name in source.authors.split(",")
        if name.strip() and name.strip() != "et al."
    ]


def to_ris(source):
    lines = [f"TY  - {RIS_TYPE.get(source.kind, 'JOUR')}"]
    lines += [f"AU  - {author}" for author in _authors(source)]
    fields = [
        ("TI", source.title),
        ("T2", source.container),
        ("PY", source.year),
        ("VL", source.volume),
        ("IS", source.issue),
        ("SP", source.pages),
        ("DO", source.doi),
        ("UR", source.url),
        ("AN", f"PMID:{source.pmid}" if source.pmid else ""),
    ]
    lines += [f"{tag}  - {value}" for tag, value in fields if value]
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def _bibtex_escape(value):
    return str(value).replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}")


def to_bibtex(source):
    entry = "article" if source.kind not in RIS_TYPE else "misc"
    fields = [
        ("author", " and ".join(_authors(source))),
        ("title", source.title),
        ("journal" if entry == "article" else "howpublished", source.container),
        ("year", source.year),
        ("volume", source.volume),
        ("number", source.issue),
        ("pages", source.pages.replace("-", "--")),
        ("doi", source.doi),
        ("url", source.url),
        ("pmid", source.pmid),
    ]
    body = ",\n".join(f"  {name} = {{{_bibtex_escape(value)}}}" for name, value in fields if value)
    return f"@{entry}{{{source.key},\n{body}\n}}\n"


FORMATS = {
    "ris": lambda source: (to_ris(source), "application/x-research-info-systems", "ris"),
    "bib": lambda source: (to_bibtex(source), "application/x-bibtex", "bib"),
}
