"""The OpenAPI schema is valid, describes everything, and the API keeps to it under fuzzing."""

import json
from collections import Counter
from http import HTTPStatus

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from ldnref.api import items
from ldnref.wsgi import application
from tests.factories import load_content

CALLS: Counter[int] = Counter()  # requests per status, printed with -s
EXAMPLES = 4  # per operation, besides the coverage phase's boundary cases: bounded, quick


def get_schema(client):
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == HTTPStatus.OK
    return response.json()


@pytest.mark.django_db
def test_the_schema_is_valid_openapi(client):
    served = get_schema(client)
    validate(served)
    assert served == generated_schema()  # what the fuzzing below reads


@pytest.mark.django_db
def test_every_endpoint_parameter_and_field_is_described(client):
    schema = get_schema(client)
    paths = schema["paths"]
    for name in ("conditions", "studies", "claims", "sources", "mechanisms", "interventions"):
        assert f"/api/v1/{name}/" in paths
    assert "/api/v1/grading-scales/{slug}/" in paths
    assert "/api/v1/conditions/{slug}/fhir/" in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert method in ("get", "head", "options"), (path, method)  # read-only
            assert operation.get("summary") or operation.get("description"), path
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (path, parameter["name"])
    studies = {p["name"] for p in paths["/api/v1/studies/"]["get"]["parameters"]}
    assert studies >= {"condition", "design", "level", "route", "search", "ordering", "page"}
    claims = {p["name"] for p in paths["/api/v1/claims/"]["get"]["parameters"]}
    assert claims >= {"condition", "kind", "outcome", "route", "certainty"}
    sources = {p["name"] for p in paths["/api/v1/sources/"]["get"]["parameters"]}
    assert sources >= {"year", "kind", "has_doi"}
    # Every item type a page section can hold is one of the schema's PageItem variants.
    page_item = schema["components"]["schemas"]["PageItem"]
    assert set(page_item["discriminator"]["mapping"]) == {n for n, _ in items.REGISTRY.values()}


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html  # no CDN
    assert "<style" not in html and "<script>" not in html  # nothing inline, so the CSP holds
    script = client.get("/api/docs/?script=")
    assert script.status_code == HTTPStatus.OK
    assert "/api/schema/" in script.content.decode()
    for path in ("swagger-ui-bundle.js", "swagger-ui.css"):
        asset = client.get(f"/static/drf_spectacular_sidecar/swagger-ui-dist/{path}")
        assert asset.status_code == HTTPStatus.OK


# ---------------------------------------------------------------- fuzzing (schemathesis)


def generated_schema():
    """The schema /api/schema/ serves, generated without a request (no database at import)."""
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(generated_schema())
schema.app = application  # requests go through the WSGI application, in process


@pytest.fixture(scope="module")
def fuzzed_content(django_db_setup, django_db_blocker):
    """The fixtures, committed once for all fuzzed operations, flushed afterwards.

    Per-test transactions would reload the content for each of the operations.
    """
    with django_db_blocker.unblock():
        load_content()
        yield
        call_command("flush", verbosity=0, interactive=False)
    statuses = dict(sorted(CALLS.items()))
    print(f"\nschemathesis: {sum(CALLS.values())} requests, by status {statuses}")


@pytest.fixture
def keep_connection():
    """Keep the test's database connection across requests, as Django's test client does.

    The WSGI application closes old connections when a request ends; inside the test's
    transaction that closes it for good on PostgreSQL (SQLite in memory is never closed).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fair_use_off(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"},
    }


# The mark also tells pytest-django to set up the test database for this module alone.
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case, fuzzed_content, fair_use_off, keep_connection):
    # No 5xx, and every answer's status, content type, headers and body are as documented.
    # Left out: "schema-valid data is accepted". A condition slug is data, not a list the
    # schema could hold, and an unknown one is a 400 on purpose (see test_api.py).
    response = case.call_and_validate(
        excluded_checks=[schemathesis.checks.positive_data_acceptance]
    )
    CALLS[response.status_code] += 1
