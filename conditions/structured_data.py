"""schema.org JSON-LD for the condition pages (clinician and patient), for search engines.

Built from the very objects the page's template prints (the selector's `ConditionPage` or
`PatientPage`), so it says nothing the page does not: the condition's name (and, on the
clinician page, its synonyms), the review date and reviewer of the `_review.html` line, and
the page's reference list in its order, each with a DOI or PMID only where the list shows one
(a Source holds them only where the editors confirmed them). No query of its own.

`script()` writes it as a data block, `<script type="application/ld+json">`, which browsers
never run, so the pages' `script-src` of 'none' still holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Literal

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from evidence import export
from evidence.choices import SourceKind
from evidence.models import Source
from evidence.rendering import Reference

from .models import Condition
from .selectors import ConditionPage, PatientPage

JsonObject = dict[str, Any]
Audience = Literal["Clinician", "Patient"]

# Peer-reviewed kinds; the seeds (a clinic blog post, an AI-drafted page) and the publisher's
# overview are plain creative works.
SCHOLARLY_KINDS = frozenset(
    {
        SourceKind.JOURNAL_ARTICLE,
        SourceKind.SYSTEMATIC_REVIEW,
        SourceKind.NARRATIVE_REVIEW,
        SourceKind.CASE_REPORT,
    }
)

# `<`, `>` and `&` as JSON escapes: no `</script>` or `<!--` can end or bend the data block,
# whatever a title holds. JSON parsers read them back as the characters.
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def author(name: export.Name) -> JsonObject:
    """A Vancouver name as the reference list prints it: a person, or a group kept whole."""
    if name.literal:
        return {"@type": "Organization", "name": name.literal}
    return {
        "@type": "Person",
        "name": f"{name.full_family} {name.initials}",
        "familyName": name.full_family,
        "givenName": name.given,
    }


def citation(source: Source) -> JsonObject:
    """One entry of the page's reference list; DOI and PMID only where the entry shows them."""
    work: JsonObject = {
        "@type": "ScholarlyArticle" if source.kind in SCHOLARLY_KINDS else "CreativeWork",
        "name": source.title,
        "author": [author(name) for name in export.authors(source)[0]],
    }
    if source.year:
        work["datePublished"] = str(source.year)
    identifiers = [
        ("DOI", source.doi, source.doi_url),
        ("PMID", source.pmid, source.pubmed_url),
    ]
    shown = [(kind, value, url) for kind, value, url in identifiers if value]
    if shown:
        work["identifier"] = [
            {"@type": "PropertyValue", "propertyID": kind, "value": value}
            for kind, value, _ in shown
        ]
        work["sameAs"] = [url for _, _, url in shown]
    return work


def reviewer(condition: Condition) -> JsonObject:
    """Who last approved the page, as the review line names them: a person by their full
    name, or else ldnref (the line then reads "an ldnref reviewer")."""
    user = condition.reviewed_by
    name = user.get_full_name() if user is not None else ""
    if name:
        return {"@type": "Person", "name": name}
    return {"@type": "Organization", "name": "ldnref"}


def medical_web_page(
    condition: Condition,
    references: Sequence[Reference],
    url: str,
    audience: Audience,
    synonyms: bool,
) -> JsonObject:
    """The page as a schema.org MedicalWebPage about a MedicalCondition, citing its references."""
    about: JsonObject = {"@type": "MedicalCondition", "name": condition.name}
    alternate = [name.strip() for name in condition.synonyms.split(",") if name.strip()]
    if synonyms and alternate:
        about["alternateName"] = alternate
    data: JsonObject = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": url,
        "inLanguage": "en",
        "medicalAudience": {"@type": "MedicalAudience", "audienceType": audience},
        "about": about,
    }
    if condition.last_reviewed:  # the page prints the date and reviewer only when reviewed
        data["lastReviewed"] = condition.last_reviewed.isoformat()
        data["reviewedBy"] = reviewer(condition)
    data["citation"] = [citation(reference.source) for reference in references]
    return data


def clinician(page: ConditionPage, absolute: Callable[[str], str]) -> JsonObject:
    """The clinician page's JSON-LD; `absolute` turns a path into the page's full URL."""
    condition = page.condition
    url = absolute(condition.get_absolute_url())
    return medical_web_page(condition, page.page.references, url, "Clinician", synonyms=True)


def patient(page: PatientPage, absolute: Callable[[str], str]) -> JsonObject:
    """The patient page's JSON-LD. That page does not print the synonyms, so neither does this."""
    condition = page.condition
    url = absolute(reverse("conditions:patient", args=[condition.slug]))
    return medical_web_page(condition, page.page.references, url, "Patient", synonyms=False)


def script(data: JsonObject) -> SafeString:
    """`data` as a JSON-LD data block, safe inside HTML whatever its strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_HTML_SAFE)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
