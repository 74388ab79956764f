"""The FHIR R5 evidence Bundle of a condition, read back with fhir.resources."""

from http import HTTPStatus

import pytest
from fhir.resources.bundle import Bundle
from fhir.resources.citation import Citation
from fhir.resources.evidence import Evidence

from conditions.models import Condition
from evidence.models import Source
from tests.factories import make_certainty, make_condition, make_rating, make_seed, make_study

pytestmark = pytest.mark.django_db

CERTAINTY_TYPE = "http://terminology.hl7.org/CodeSystem/certainty-type"
CERTAINTY_RATING = "http://terminology.hl7.org/CodeSystem/certainty-rating"


def bundle(client, slug):
    response = client.get(f"/api/v1/conditions/{slug}/fhir/")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    # fhir.resources validates the structure against FHIR R5 as it parses.
    return Bundle.model_validate_json(response.content)


def resources(parsed, kind):
    return [entry.resource for entry in parsed.entry if isinstance(entry.resource, kind)]


def coding(concept):
    [code] = concept.coding
    return code.system, code.code


@pytest.mark.parametrize("slug", ["psoriasis", "vitiligo", "atopic-dermatitis"])
def test_every_bundle_parses_as_fhir_r5(content, client, slug):
    parsed = bundle(client, slug)
    assert parsed.type == "collection"
    assert resources(parsed, Citation)


def test_one_evidence_per_outcome_and_route_with_its_grade_certainty(content, client):
    parsed = bundle(client, "psoriasis")
    page = client.get("/api/v1/conditions/psoriasis/").json()
    [section] = [s for s in page["sections"] if s["id"] == "findings-summary"]
    [table] = section["items"]
    rows = {(row["outcome"], row["route"]): row for row in table["rows"]}

    evidences = resources(parsed, Evidence)
    assert len(evidences) == len(rows)
    for evidence in evidences:
        row = next(r for (o, rt), r in rows.items() if evidence.id == f"psoriasis-{o}-{rt}")
        [overall] = evidence.certainty
        assert coding(overall.type) == (CERTAINTY_TYPE, "Overall")
        assert overall.rater == row["rule"] == table["rule"]  # the rule in force, named
        assert coding(overall.rating) == (CERTAINTY_RATING, row["grade"]["code"])
        steps = [
            (coding(s.type)[1], coding(s.rating)[1], s.description) for s in overall.subcomponent
        ]
        assert len(steps) == len(row["ratings"])
        for rating, (_, change, reason) in zip(row["ratings"], steps, strict=True):
            assert (
                change
                == {-1: "downcode1", -2: "downcode2", 1: "upcode1", 2: "upcode2"}[
                    rating["level_change"]
                ]
            )
            assert reason == rating["reason"]
        # Links back to the page, and the studies' sample sizes.
        assert any(
            artifact.document
            and artifact.document.url.startswith("http://testserver/conditions/psoriasis/")
            for artifact in evidence.relatedArtifact
        )
        [statistic] = evidence.statistic
        assert statistic.sampleSize.numberOfStudies == len(row["effects"]) == row["k"]


def test_the_weinstock_case_series_gives_its_15_patients_and_a_very_low_imprecision_step(
    content, client
):
    parsed = bundle(client, "psoriasis")
    evidence = next(
        e for e in resources(parsed, Evidence) if e.id == "psoriasis-adverse-effects-oral"
    )
    [overall] = evidence.certainty
    assert coding(overall.rating) == (CERTAINTY_RATING, "very-low")
    [step] = overall.subcomponent
    assert coding(step.type) == (CERTAINTY_TYPE, "Imprecision")
    assert coding(step.rating) == (CERTAINTY_RATING, "downcode1")
    assert evidence.statistic[0].sampleSize.numberOfParticipants == 15


def test_citations_carry_doi_and_pmid_only_where_confirmed(content, client):
    parsed = bundle(client, "psoriasis")
    citations = {citation.id: citation for citation in resources(parsed, Citation)}
    for key, citation in citations.items():
        source = Source.objects.get(key=key)
        found = {(i.system, i.value) for i in citation.citedArtifact.identifier or []}
        expected = set()
        if source.doi:
            expected.add(("https://doi.org", source.doi))
        if source.pmid:
            expected.add(("https://pubmed.ncbi.nlm.nih.gov", source.pmid))
        assert found == expected, key
        assert citation.citedArtifact.title[0].text == source.title
    # Weinstock 2020 has a confirmed PMID and no DOI (REFERENCES.md).
    weinstock = citations["weinstock2020"]
    assert {(i.system, i.value) for i in weinstock.citedArtifact.identifier} == {
        ("https://pubmed.ncbi.nlm.nih.gov", "32196470")
    }


def test_an_outcome_without_clinical_studies_has_no_rating(db, client):
    condition = make_condition(status="approved")
    lab = make_study(design="in-vitro", status="approved", reported_by=make_seed())
    make_rating(certainty=make_certainty(condition=condition, studies=[lab]))
    parsed = bundle(client, condition.slug)
    [evidence] = resources(parsed, Evidence)
    [overall] = evidence.certainty
    assert overall.rating is None
    assert "No certainty" in overall.description


def test_an_unknown_condition_has_no_bundle(client):
    response = client.get("/api/v1/conditions/nothing/fhir/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["detail"]
    assert not Condition.objects.exists()
