"""The migration that made grades derived keeps every editors' judgement it finds."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("conditions", "0003_readable_constraint_messages"),
    ("evidence", "0005_source_kind_journal_article"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_stored_grade_that_differs_from_the_rule_becomes_an_override_with_its_reason():
    old = migrate(BEFORE)
    scale = old.get_model("evidence", "GradingScale").objects.create(
        slug="sort", name="SORT", purpose="-", source="-", source_url="https://example.org"
    )
    grade = old.get_model("evidence", "Grade")
    sort_b = grade.objects.create(scale=scale, code="B", label="B", rank=2, definition="-")
    sort_c = grade.objects.create(scale=scale, code="C", label="C", rank=3, definition="-")
    seed = old.get_model("evidence", "Source").objects.create(
        key="seed", kind="clinic-blog", reliability="-", authors="A", title="T", seed_file="s.txt"
    )
    study = old.get_model("evidence", "Study").objects.create(
        key="series",
        label="Series",
        design="case-series",
        status="approved",
        source=seed,
        reported_by=seed,
        quote="q",
    )
    mechanism = old.get_model("evidence", "Mechanism").objects.create(
        slug="m", name="M", summary="-", reported_by=seed, quote="q"
    )
    condition = old.get_model("conditions", "Condition")
    fields = {"clinician_summary": "-", "patient_summary": "-", "verdict": "-"}
    # The rule gives C for a case series: a stored B is a judgement to keep, a stored C is not.
    departs = condition.objects.create(
        slug="departs",
        name="Departs",
        verdict_grade=sort_b,
        verdict_rationale="The editors weigh the series higher.",
        **fields,
    )
    follows = condition.objects.create(
        slug="follows", name="Follows", verdict_grade=sort_c, verdict_rationale="-", **fields
    )
    departs.studies.add(study)
    follows.studies.add(study)

    # Forward to the newest migrations, where the other tests expect the database to be.
    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    condition = new.get_model("conditions", "Condition")
    departs, follows = condition.objects.get(slug="departs"), condition.objects.get(slug="follows")
    assert departs.verdict_override_id == sort_b.pk
    assert departs.verdict_override_reason == "The editors weigh the series higher."
    assert follows.verdict_override_id is None and follows.verdict_override_reason == ""
    # Mechanisms were all public before they had a review status; they stay public.
    assert new.get_model("evidence", "Mechanism").objects.get(pk=mechanism.pk).status == "approved"
