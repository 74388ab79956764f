"""schema.org JSON-LD on the condition pages: it says what the page says, and no title can
break out of it."""

import json
import re
from http import HTTPStatus

import pytest

from conditions.models import Condition
from conditions.structured_data import script
from evidence.models import Source
from tests.factories import make_staff
from tests.pages import parse_html, references

pytestmark = pytest.mark.django_db

PSORIASIS = "/conditions/psoriasis/"
PSORIASIS_PATIENT = "/conditions/psoriasis/patient/"
JSON_LD = "application/ld+json"


def read(client, path):
    """(the page's document, its one JSON-LD object, the raw text of the data block)."""
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    document = parse_html(response.content)
    blocks = [s for s in document.iter("script") if s.attrs.get("type") == JSON_LD]
    assert len(blocks) == 1, blocks
    raw = "".join(child for child in blocks[0].children if isinstance(child, str))
    return document, json.loads(raw), raw


def shown_references(document):
    """[(title, DOI or None, PMID or None)] of the page's reference list, in its order."""
    shown = []
    for _, item in sorted(references(document).items()):
        title = item.find("span", class_="ref-text").find("a").text()
        links = {
            a.text().split(" ", 1)[0]: a.text().split(" ", 1)[1]
            for a in item.iter("a")
            if re.fullmatch(r"(DOI|PubMed) .+", a.text())
        }
        shown.append((title, links.get("DOI"), links.get("PubMed")))
    return shown


def described_references(data):
    """The same list read from the JSON-LD's citations."""
    described = []
    for work in data["citation"]:
        ids = {entry["propertyID"]: entry["value"] for entry in work.get("identifier", [])}
        described.append((work["name"], ids.get("DOI"), ids.get("PMID")))
    return described


def review_line(document):
    return document.find("p", class_="review")


def test_the_clinician_page_describes_itself_as_it_reads(content, client):
    reviewer = make_staff("Reviewers", first_name="Rita", last_name="Okafor")
    Condition.objects.filter(slug="psoriasis").update(reviewed_by=reviewer)
    document, data, _ = read(client, PSORIASIS)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["url"] == f"http://testserver{PSORIASIS}"
    assert data["medicalAudience"]["audienceType"] == "Clinician"
    heading = document.find("h1")
    assert data["about"]["@type"] == "MedicalCondition"
    assert heading.text().startswith(data["about"]["name"] + " ")
    assert heading.children[0].strip() == data["about"]["name"] == "Psoriasis"
    also = document.find("p", class_="synonyms").text()
    assert also == f"Also called: {', '.join(data['about']['alternateName'])}."

    review = review_line(document)
    assert data["lastReviewed"] == review.find("time").attrs["datetime"]
    assert data["reviewedBy"] == {"@type": "Person", "name": "Rita Okafor"}
    assert "by Rita Okafor." in review.text()

    shown = shown_references(document)
    assert described_references(data) == shown
    # Both kinds are on this page, so a DOI invented or dropped would show here.
    assert any(doi for _, doi, _ in shown) and any(doi is None for _, doi, _ in shown)


def test_the_patient_page_names_no_synonym_it_does_not_print(content, client):
    document, data, _ = read(client, PSORIASIS_PATIENT)

    assert data["url"] == f"http://testserver{PSORIASIS_PATIENT}"
    assert data["medicalAudience"]["audienceType"] == "Patient"
    assert data["about"] == {"@type": "MedicalCondition", "name": "Psoriasis"}
    assert document.find("p", class_="synonyms") is None
    assert data["lastReviewed"] == review_line(document).find("time").attrs["datetime"]
    # No reviewer on record with a name: the page says "the ldnref editors".
    assert data["reviewedBy"] == {"@type": "Organization", "name": "ldnref"}
    assert "by the ldnref editors." in review_line(document).text()
    assert described_references(data) == shown_references(document)


def test_an_unreviewed_page_claims_no_review(content, client):
    Condition.objects.filter(slug="psoriasis").update(last_reviewed=None)
    document, data, _ = read(client, PSORIASIS)

    assert "last reviewed" not in review_line(document).text()
    assert "lastReviewed" not in data and "reviewedBy" not in data


HOSTILE = '</script><script>alert(1)</script><!-- & "quoted" </SCRIPT >'


def test_a_hostile_title_stays_data(content, client):
    cited = shown_references(read(client, PSORIASIS)[0])[0][0]
    Source.objects.filter(title=cited).update(title=f"Psoriasis {HOSTILE}")
    Condition.objects.filter(slug="psoriasis").update(name=f"Psoriasis {HOSTILE}")
    response = client.get(PSORIASIS)
    html = response.content.decode()
    document = parse_html(html)
    [block] = [s for s in document.iter("script") if s.attrs.get("type") == JSON_LD]
    raw = "".join(child for child in block.children if isinstance(child, str))
    data = json.loads(raw)

    scripts = list(document.iter("script"))
    assert [s.attrs for s in scripts] == [{"type": JSON_LD}]  # nothing broke out to run
    assert "<" not in raw and ">" not in raw  # nothing can end or bend the block
    assert data["about"]["name"] == f"Psoriasis {HOSTILE}"
    assert data["citation"][0]["name"] == f"Psoriasis {HOSTILE}"
    assert html.lower().count("</script") == 1


def test_the_block_is_data_the_strict_policy_lets_stand(content, client):
    response = client.get(PSORIASIS)
    policy = response["Content-Security-Policy"]
    # Nothing may run: no script-src, so default-src 'none' governs scripts.
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "unsafe-inline" not in policy
    document = parse_html(response.content)
    # The one script element is a data block (not a JavaScript type), which browsers
    # never execute and so never check against script-src.
    assert [s.attrs for s in document.iter("script")] == [{"type": JSON_LD}]


@pytest.mark.parametrize("text", [HOSTILE, "a\u2028b", "&lt;/script&gt;", "<!--<script>"])
def test_any_string_round_trips_through_the_data_block(text):
    block = str(script({"name": text}))
    opening, closing = '<script type="application/ld+json">', "</script>"
    assert block.startswith(opening) and block.endswith(closing)
    payload = block[len(opening) : -len(closing)]
    assert "<" not in payload and ">" not in payload
    assert json.loads(payload) == {"name": text}
