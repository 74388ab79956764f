"""An editor can change nothing a reader or an API client sees without a second person's
approval: every content model, edited in the admin, stays off the site until approved."""

import html
import json
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import models, transaction
from django.test import Client

from conditions.models import Condition
from evidence import workflow
from evidence.management.content import content_models
from evidence.models import GradingScale, Intervention, Mechanism
from revisions.models import Revision
from tests.factories import load_content, make_staff
from tests.pages import assert_test_database, crawl, every_public_path
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

API_LISTS = [
    "conditions",
    "studies",
    "claims",
    "sources",
    "mechanisms",
    "interventions",
    "grading-scales",
]


def api_paths():
    paths = [f"/api/v1/{name}/?page_size=200" for name in API_LISTS]
    for condition in Condition.objects.published():
        paths += [
            f"/api/v1/conditions/{condition.slug}/",
            f"/api/v1/conditions/{condition.slug}/fhir/",
        ]
    paths += [f"/api/v1/mechanisms/{m.slug}/" for m in Mechanism.objects.published()]
    paths += [f"/api/v1/interventions/{i.key}/" for i in Intervention.objects.published()]
    paths += [f"/api/v1/grading-scales/{s.slug}/" for s in GradingScale.objects.published()]
    return paths


def everything_public() -> dict[str, str]:
    """Every public page and API answer, as a reader or client reads it: {path: text}."""
    client = Client()
    texts = {}
    for path, response in crawl(client, every_public_path()).items():
        if response.status_code == HTTPStatus.OK and "text/html" in response["Content-Type"]:
            texts[path] = html.unescape(response.content.decode())
    for path in api_paths():
        texts[path] = read(client, path)
    return texts


def read(client, path) -> str:
    response = client.get(path)
    if response.status_code != HTTPStatus.OK:
        return ""
    if "json" in response["Content-Type"]:
        return json.dumps(response.json(), ensure_ascii=False)
    return html.unescape(response.content.decode())


def text_fields(model):
    """Text fields an edit can append a marker to and still be saved: not keys, addresses or
    choices, and not verbatim quotes (a quote with a marker is no longer the seed's words)."""
    quotes = set(getattr(model, "quote_fields", {}))
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in quotes
        and isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField | models.URLField)
        and field.editable
        and not field.choices
        and not field.unique
    ]


@dataclass
class Edit:
    obj: models.Model
    field: models.Field
    paths: list[str]  # where readers saw the old value
    marker: str


def shown_fields(public: dict[str, str]) -> tuple[list[Edit], list[str]]:
    """For each content model, a row and one of its text fields whose stored value readers
    see, with the pages that show it; and the labels of models with no such row."""
    edits, unseen = [], []
    for model in content_models():
        found = None
        for obj in model._base_manager.order_by("pk"):
            for field in text_fields(model):
                value = getattr(obj, field.attname)
                paths = [path for path, text in public.items() if len(value) >= 8 and value in text]
                if paths:
                    found = Edit(obj, field, paths, f"UNREVIEWED {model._meta.model_name}")
                    break
            if found:
                break
        if found:
            edits.append(found)
        else:
            unseen.append(model._meta.label)
    return edits, unseen


@pytest.fixture(scope="module")
def baseline(django_db_setup, django_db_blocker):
    """The site built from the fixtures, read once for the module (rolled back after)."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert_test_database()
        load_content()
        public = everything_public()
        transaction.set_rollback(True)
    cache.clear()
    return public


def edit_everything(client, public):
    """An Editor (not a reviewer) edits one shown text field of every content model."""
    load_content()
    edits, unseen = shown_fields(public)
    # Every model readers see is tried, but link rows that show no text of their own, and
    # rows whose only text is a verbatim quote (kept verbatim by the check at save; they are
    # parts of a seed and a claim, changed only on that item's page while it is approved).
    assert set(unseen) <= {
        "conditions.IndirectEvidence",
        "conditions.CertaintyRating",
        "evidence.SeedReference",
        "evidence.Citation",
    }, unseen
    editor = make_staff("Editors")
    client.force_login(editor)
    for edit in edits:
        obj, field = edit.obj, edit.field
        value = getattr(obj, field.attname)
        keep = (field.max_length or 10_000) - len(edit.marker) - 1
        meta = obj._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"
        page = client.get(url)
        if page.status_code == HTTPStatus.OK and page.context and "adminform" in page.context:
            data = form_data(page) | {
                field.name: f"{value[:keep]} {edit.marker}",
                "review_reason": "A test edit.",
            }
            client.post(url, data | {"review_action": "submit"})
    client.logout()
    return editor, edits


def test_no_edit_of_any_public_model_reaches_readers_before_a_second_person_approves(
    client, baseline
):
    _, edits = edit_everything(client, baseline)

    # Every page and API answer that showed an edited value before (where an edit would show).
    client.logout()
    after = {path: read(client, path) for path in {p for edit in edits for p in edit.paths}}
    leaked = [
        type(edit.obj)._meta.label
        for edit in edits
        if any(edit.marker in after[path] for path in edit.paths)
    ]
    assert leaked == [], f"edits of {leaked} reached readers before approval"


def test_once_a_reviewer_approves_them_readers_see_the_edits_of_every_reviewed_model(
    client, baseline
):
    editor, edits = edit_everything(client, baseline)
    waiting = [revision.item for revision in Revision.objects.pending()]
    reviewed = {type(item)._meta.label for item in waiting}
    assert {"evidence.Intervention", "evidence.Conflict", "evidence.GradingScale"} <= reviewed

    result = workflow.approve(waiting, by=make_staff("Reviewers"))

    assert result.refused == []
    for edit in edits:
        if type(edit.obj)._meta.label in reviewed:
            shown = [path for path in edit.paths if edit.marker in read(client, path)]
            assert shown, f"{edit.obj!r}: the approved edit is on none of {edit.paths}"
