"""Loading and dumping content: admin edits survive `make run`, bad records load nothing."""

import json
import shutil
from http import HTTPStatus
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from evidence import workflow
from evidence.management.commands.dump_content import FILES
from evidence.management.content import NOT_CONTENT, content_models
from evidence.models import Study
from tests.factories import load_content, make_editor, make_source

FIXTURES = settings.BASE_DIR / "fixtures"
CONTENT_APPS = ("evidence", "conditions")

pytestmark = pytest.mark.django_db


def content_counts():
    """Rows per content model, for every model of both content apps."""
    return {model._meta.label_lower: model._base_manager.count() for model in content_models()}


def fixture_copy(tmp_path, name=None, change=None):
    """fixtures/ copied into tmp_path; `change(records)` edits file `name` and returns a record."""
    directory = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, directory)
    if name is None:
        return directory, None
    path = directory / name
    records = json.loads(path.read_text(encoding="utf-8"))
    changed = change(records)
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")
    return directory, records.index(changed) + 1


def first(records, model, **fields):
    return next(
        record
        for record in records
        if record["model"] == model
        and all(record["fields"].get(name) == value for name, value in fields.items())
    )


# ---------------------------------------------------------------- make run keeps edits


def shown_form(response):
    """POST data that submits an admin change form with the values it shows."""
    form = response.context["adminform"].form
    values = {name: form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:  # each inline's rows, as shown
        formset = inline.formset
        values |= {f.html_name: f.value() for f in formset.management_form}
        values |= {f.html_name: f.value() for row in formset.forms for f in row}
    return {name: value for name, value in values.items() if value is not None}


def test_an_admin_edit_to_a_study_survives_the_next_make_run(content, admin_client, client):
    study = Study.objects.get(key="weinstock2020-case-series")
    original = study.result
    corrected = "Corrected by an editor: 8 of 15 improved markedly."
    url = reverse("admin:evidence_study_change", args=[study.pk])

    response = admin_client.post(url, shown_form(admin_client.get(url)) | {"result": corrected})
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    workflow.approve([study], by=make_editor())  # a second person approves the change

    call_command("load_content", if_empty=True, verbosity=0)  # what `make run` does each time

    page = client.get(study.get_absolute_url()).content.decode()
    assert corrected in page
    assert original not in page


# ---------------------------------------------------------------- dump and load back


def pages(client):
    """Pages as HTML; every address in them is by key or slug, so a reload changes none."""
    urls = [
        "/",
        reverse("conditions:detail", args=["psoriasis"]),
        reverse("conditions:patient", args=["psoriasis"]),
        reverse("conditions:detail", args=["chronic-pruritus"]),
        reverse("conditions:study-list"),
        "/studies/bigliardi2007-crossover-trial/",
        "/claims/psoriasis-case-series-response/",
        "/sources/weinstock2020/",
        "/mechanisms/tlr4-modulation/",
    ]
    return {url: client.get(url).content.decode() for url in urls}


def test_a_dump_loads_back_into_the_same_pages(content, client, tmp_path):
    before = pages(client)
    ids_before = set(Study.objects.values_list("pk", flat=True))

    call_command("dump_content", tmp_path, verbosity=0)
    call_command("load_content", dir=tmp_path, replace=True, verbosity=0)

    assert ids_before.isdisjoint(Study.objects.values_list("pk", flat=True))  # really reloaded
    assert pages(client) == before


def test_every_content_model_is_in_one_dump_file_as_fixtures_has_them():
    models = {
        model._meta.label_lower
        for app in CONTENT_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label_lower not in NOT_CONTENT
    }
    filed = {label.split("/")[0] for labels in FILES.values() for label in labels}
    assert filed == models
    # A model split into parts ("evidence.study/paper") is still held by one file only.
    for model in models:
        holders = [
            name for name, labels in FILES.items() if model in {x.split("/")[0] for x in labels}
        ]
        assert len(holders) == 1, model

    in_fixtures = {
        path.name: {record["model"] for record in json.loads(path.read_text(encoding="utf-8"))}
        for path in FIXTURES.glob("*.json")
    }
    assert in_fixtures.keys() == FILES.keys()
    for name, labels in in_fixtures.items():
        assert labels <= {label.split("/")[0] for label in FILES[name]}, name


# ---------------------------------------------------------------- bad records load nothing


def no_outcome(records):
    claim = first(records, "evidence.claim", kind="efficacy")
    claim["fields"]["outcome"] = ""
    return claim


def quality_grade_as_strength(records):
    recommendation = first(
        records, "conditions.treatmentrecommendation", strength=["strength-a-e", "B"]
    )
    recommendation["fields"]["strength"] = ["quality-i-iv", "II-i"]
    return recommendation


@pytest.mark.django_db(transaction=True)  # the load's own transaction really rolls back
@pytest.mark.parametrize(
    ("name", "change", "what", "problem"),
    [
        (
            "03_evidence.json",
            no_outcome,
            lambda record: f'evidence.claim "{record["fields"]["key"]}"',
            "outcome: An efficacy claim names the outcome it is about.",
        ),
        (
            "04_conditions.json",
            quality_grade_as_strength,
            lambda record: (
                f'conditions.treatmentrecommendation "{record["fields"]["condition"][0]}", '
                f'"{record["fields"]["treatment"]}"'
            ),
            "strength: Choose a grade on the strength of recommendation (A–E) scale.",
        ),
    ],
    ids=["efficacy-claim-without-outcome", "grade-on-the-wrong-scale"],
)
def test_an_invalid_record_is_named_and_nothing_of_the_load_is_saved(
    tmp_path, name, change, what, problem
):
    directory, number = fixture_copy(tmp_path, name, change)
    record = json.loads((directory / name).read_text(encoding="utf-8"))[number - 1]

    with pytest.raises(CommandError) as error:
        call_command("load_content", dir=directory, verbosity=0)

    assert str(error.value) == f"{directory / name}, record {number} ({what(record)}): {problem}"
    assert set(content_counts().values()) == {0}  # not even the scales of 01_grading_scales.json


@pytest.mark.django_db(transaction=True)
def test_a_failed_reset_keeps_the_content_and_its_edits(tmp_path):
    load_content()
    Study.objects.filter(key="weinstock2020-case-series").update(result="An editor's words.")
    before = content_counts()
    directory, _ = fixture_copy(tmp_path, "03_evidence.json", no_outcome)

    with pytest.raises(CommandError, match="outcome: An efficacy claim names the outcome"):
        call_command("load_content", dir=directory, replace=True, verbosity=0)

    assert content_counts() == before
    assert Study.objects.get(key="weinstock2020-case-series").result == "An editor's words."


SCALE = {
    "model": "evidence.gradingscale",
    "fields": {
        "slug": "sort",
        "name": "SORT",
        "purpose": "Grades recommendations.",
        "source": "AAFP",
        "source_url": "https://example.org/sort",
    },
}


@pytest.mark.parametrize(
    ("records", "problem"),
    [
        (
            [SCALE, {"model": "evidence.nothing", "fields": {}}],
            "record 2 (evidence.nothing): Invalid model identifier: evidence.nothing",
        ),
        (
            [SCALE, {"model": "evidence.source", "fields": {"key": "a", "colour": "red"}}],
            "record 2 (evidence.source): colour: evidence.source has no such field.",
        ),
        (
            [SCALE, {"model": "evidence.study", "fields": {"key": "a", "n": "about twenty"}}],
            "record 2 (evidence.study): n: “about twenty” value must be an integer.",
        ),
        (
            [SCALE, {"model": "evidence.citation", "fields": {"claim": ["no-such-claim"]}}],
            "record 2 (evidence.citation): claim: no evidence.claim has the natural key "
            '["no-such-claim"].',
        ),
        (
            [SCALE, SCALE],
            'record 2 (evidence.gradingscale "sort"): {path}, record 1 has the same natural key.',
        ),
    ],
    ids=["unknown-model", "unknown-field", "bad-value", "unknown-natural-key", "duplicate"],
)
def test_a_record_that_cannot_be_loaded_is_named_with_the_reason(tmp_path, records, problem):
    path = tmp_path / "01_content.json"
    path.write_text(json.dumps(records), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("load_content", dir=tmp_path, verbosity=0)

    assert str(error.value) == f"{path}, {problem.format(path=path)}"


def test_a_file_that_is_not_json_is_named_with_the_parser_message(tmp_path):
    path = tmp_path / "01_broken.json"
    path.write_text('[{"model": "evidence.source", "fields": {', encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("load_content", dir=tmp_path, verbosity=0)

    assert str(error.value) == (
        f"{path}: not valid JSON: "
        "Expecting property name enclosed in double quotes: line 1 column 42 (char 41)"
    )


# ---------------------------------------------------------------- --if-empty


def test_if_empty_loads_nothing_into_a_database_with_content_and_says_so():
    make_source(key="an-editors-source")
    before = content_counts()
    out = StringIO()

    call_command("load_content", if_empty=True, stdout=out)

    assert content_counts() == before
    assert out.getvalue() == (
        "The database already holds content; nothing loaded. "
        "`make reset-content` replaces it with fixtures/.\n"
    )


def test_the_fixtures_pass_every_check_on_a_first_load():
    out = StringIO()

    call_command("load_content", if_empty=True, stdout=out)

    records = sum(len(json.loads(path.read_text())) for path in FIXTURES.glob("*.json"))
    assert sum(content_counts().values()) == records == 249
    assert out.getvalue().endswith(f"Loaded {records} object(s) from 4 file(s).\n")
