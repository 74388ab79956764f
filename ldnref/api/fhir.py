"""A condition's graded evidence as a FHIR R5 Bundle, after the HL7 EBM-on-FHIR guide.

Built from the same ConditionPage the clinician page prints: one `Evidence` per certainty
row (outcome and route) with its overall GRADE rating and one subcomponent per rating step,
and one `Citation` per reference of the page. No database access here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fhir.resources.bundle import Bundle

from conditions.selectors import ConditionPage
from conditions.summary import SofRow, SummaryOfFindings
from evidence import export
from evidence.pages import Section
from evidence.rendering import Reference

CERTAINTY_TYPE = "http://terminology.hl7.org/CodeSystem/certainty-type"
CERTAINTY_RATING = "http://terminology.hl7.org/CodeSystem/certainty-rating"
VARIABLE_ROLE = "http://terminology.hl7.org/CodeSystem/variable-role"
DOI_SYSTEM = "https://doi.org"
PMID_SYSTEM = "https://pubmed.ncbi.nlm.nih.gov"

# Our GRADE domains and level codes in the certainty-type and certainty-rating code systems.
DOMAIN_TYPE = {
    "risk-of-bias": ("RiskOfBias", "Risk of bias"),
    "inconsistency": ("Inconsistency", "Inconsistency"),
    "indirectness": ("Indirectness", "Indirectness"),
    "imprecision": ("Imprecision", "Imprecision"),
    "publication-bias": ("PublicationBias", "Publication bias"),
    "large-effect": ("LargeEffect", "Large effect"),
    "dose-response": ("DoseResponseGradient", "Dose response gradient"),
    "confounding": ("PlausibleConfounding", "Plausible confounding"),
}
STEP_RATING = {
    -1: ("downcode1", "reduce rating: -1"),
    -2: ("downcode2", "reduce rating: -2"),
    1: ("upcode1", "increase rating: +1"),
    2: ("upcode2", "increase rating: +2"),
}
LEVEL_RATING = {
    "high": "High quality",
    "moderate": "Moderate quality",
    "low": "Low quality",
    "very-low": "Very low quality",
}


def concept(system: str, code: str, display: str, text: str = "") -> dict[str, Any]:
    value: dict[str, Any] = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        value["text"] = text
    return value


def certainty_rows(sections: Sequence[Section]) -> Iterator[SofRow]:
    """The rows of the page's Summary of findings: one per graded outcome and route."""
    for section in sections:
        for item in section.items:
            if isinstance(item, SummaryOfFindings):
                yield from item.rows
        yield from certainty_rows(section.subsections)


def evidence(row: SofRow, condition: Any, page_url: str) -> dict[str, Any]:
    certainty = row.certainty
    studies = [effect.study for effect in row.effects]
    # The editors' rating steps, then those the rule itself takes (e.g. for indirectness).
    steps: list[Any] = [*certainty.ratings.all(), *row.ruling.rule_steps]
    route, outcome = certainty.get_route_display(), certainty.get_outcome_display()
    overall: dict[str, Any] = {
        "type": concept(CERTAINTY_TYPE, "Overall", "Overall certainty"),
        "rater": row.ruling.rule,
        "description": row.ruling.override_reason or certainty.rationale,
        "subcomponent": [
            {
                "type": concept(CERTAINTY_TYPE, *DOMAIN_TYPE[rating.domain]),
                "rating": concept(CERTAINTY_RATING, *STEP_RATING[rating.level_change]),
                "description": rating.reason,
            }
            for rating in steps
        ],
    }
    if row.grade is not None:
        overall["rating"] = concept(
            CERTAINTY_RATING, row.grade.code, LEVEL_RATING[row.grade.code], row.grade.label
        )
    else:
        overall["description"] = "No certainty: no approved clinical study measured this outcome."
    sizes = [
        f"{study.label}: " + (f"n={study.n}" if study.n is not None else "n not reported")
        for study in studies
    ]
    sample: dict[str, Any] = {"numberOfStudies": len(studies)}
    if studies and all(study.n is not None for study in studies):
        sample["numberOfParticipants"] = sum(study.n for study in studies)
    if sizes:
        sample["description"] = "; ".join(sizes)
    return {
        "resourceType": "Evidence",
        "id": f"{condition.slug}-{certainty.outcome}-{certainty.route}",
        "status": "active",
        "title": f"{outcome} with {route.lower()} low-dose naltrexone in {condition.name}",
        "description": certainty.rationale,
        "variableDefinition": [
            {
                "variableRole": concept(VARIABLE_ROLE, "population", "population"),
                "description": condition.name,
            },
            {
                "variableRole": concept(VARIABLE_ROLE, "exposure", "exposure"),
                "description": f"Low-dose naltrexone, {route.lower()}",
            },
            {
                "variableRole": concept(VARIABLE_ROLE, "measuredVariable", "measured variable"),
                "description": outcome,
            },
        ],
        "statistic": [
            {"description": "The studies on record for this outcome", "sampleSize": sample}
        ],
        "certainty": [overall],
        "relatedArtifact": [
            {
                "type": "documentation",
                "label": "ldnref clinician page",
                "document": {"url": f"{page_url}#{row.anchor}", "title": condition.name},
            },
            *(
                {
                    "type": "citation",
                    "label": study.label,
                    "resourceReference": {"reference": f"Citation/{study.source.key}"},
                }
                for study in studies
            ),
        ],
    }


def citation(reference: Reference, request: Any) -> dict[str, Any]:
    source = reference.source
    identifiers = []
    if source.doi:
        identifiers.append({"system": DOI_SYSTEM, "value": source.doi})
    if source.pmid:
        identifiers.append({"system": PMID_SYSTEM, "value": source.pmid})
    form: dict[str, Any] = {
        "volume": source.volume or None,
        "issue": source.issue or None,
        "pageString": source.pages or None,
        "publicationDateText": str(source.year) if source.year else None,
    }
    if source.container:
        form["publishedIn"] = {"title": source.container}
    artifact: dict[str, Any] = {
        "title": [{"text": source.title}],
        "publicationForm": [{key: value for key, value in form.items() if value}],
        "contributorship": {
            "entry": [
                {"contributor": {"display": name.inverted}} for name in export.authors(source)[0]
            ]
        },
        "webLocation": [{"url": request.build_absolute_uri(source.get_absolute_url())}],
    }
    if identifiers:
        artifact["identifier"] = identifiers
    if source.url:
        artifact["webLocation"].append({"url": source.url})
    return {
        "resourceType": "Citation",
        "id": source.key,
        "status": "active",
        "title": source.title,
        "citedArtifact": artifact,
    }


def condition_bundle(page: ConditionPage, request: Any) -> Bundle:
    """The page's certainty rows as Evidence and its references as Citation, in one Bundle."""
    condition = page.condition
    page_url = request.build_absolute_uri(condition.get_absolute_url())
    base = request.build_absolute_uri(request.path).rstrip("/")
    resources = [evidence(row, condition, page_url) for row in certainty_rows(page.page.sections)]
    resources += [citation(reference, request) for reference in page.page.references]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": f"{condition.slug}-evidence",
            "type": "collection",
            "link": [{"relation": "self", "url": request.build_absolute_uri(request.path)}],
            "entry": [
                {
                    "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
                    "resource": resource,
                }
                for resource in resources
            ],
        }
    )
