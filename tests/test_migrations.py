"""The migration that made grades derived keeps every editors' judgement it finds."""

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from tests.databases import scratch_database

BEFORE = [
    ("conditions", "0003_readable_constraint_messages"),
    ("evidence", "0005_source_kind_journal_article"),
]


def migrate(alias, targets=None):
    """Migrate the database `alias` forward to `targets` (every app's newest if None)."""
    executor = MigrationExecutor(connections[alias])
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# A database of its own, migrated forward only: going back from the newest migrations in the
# test database cost twice as long, and every later test then waited for a flush.
@pytest.fixture
def scratch(django_db_setup, django_db_blocker, tmp_path):
    with django_db_blocker.unblock(), scratch_database(tmp_path) as alias:
        yield alias


def test_a_stored_grade_that_differs_from_the_rule_becomes_an_override_with_its_reason(scratch):
    old = migrate(scratch, BEFORE)
    scale = (
        old.get_model("evidence", "GradingScale")
        .objects.db_manager(scratch)
        .create(slug="sort", name="SORT", purpose="-", source="-", source_url="https://example.org")
    )
    grade = old.get_model("evidence", "Grade")
    sort_b = grade.objects.db_manager(scratch).create(
        scale=scale, code="B", label="B", rank=2, definition="-"
    )
    sort_c = grade.objects.db_manager(scratch).create(
        scale=scale, code="C", label="C", rank=3, definition="-"
    )
    seed = (
        old.get_model("evidence", "Source")
        .objects.db_manager(scratch)
        .create(
            key="seed",
            kind="clinic-blog",
            reliability="-",
            authors="A",
            title="T",
            seed_file="s.txt",
        )
    )
    study = (
        old.get_model("evidence", "Study")
        .objects.db_manager(scratch)
        .create(
            key="series",
            label="Series",
            design="case-series",
            status="approved",
            source=seed,
            reported_by=seed,
            quote="q",
        )
    )
    mechanism = (
        old.get_model("evidence", "Mechanism")
        .objects.db_manager(scratch)
        .create(slug="m", name="M", summary="-", reported_by=seed, quote="q")
    )
    condition = old.get_model("conditions", "Condition")
    fields = {"clinician_summary": "-", "patient_summary": "-", "verdict": "-"}
    # The rule gives C for a case series: a stored B is a judgement to keep, a stored C is not.
    departs = condition.objects.db_manager(scratch).create(
        slug="departs",
        name="Departs",
        verdict_grade=sort_b,
        verdict_rationale="The editors weigh the series higher.",
        **fields,
    )
    follows = condition.objects.db_manager(scratch).create(
        slug="follows", name="Follows", verdict_grade=sort_c, verdict_rationale="-", **fields
    )
    departs.studies.add(study)
    follows.studies.add(study)

    new = migrate(scratch)

    condition = new.get_model("conditions", "Condition")
    departs, follows = (
        condition.objects.db_manager(scratch).get(slug="departs"),
        condition.objects.db_manager(scratch).get(slug="follows"),
    )
    assert departs.verdict_override_id == sort_b.pk
    assert departs.verdict_override_reason == "The editors weigh the series higher."
    assert follows.verdict_override_id is None and follows.verdict_override_reason == ""
    # Mechanisms were all public before they had a review status; they stay public.
    assert (
        new.get_model("evidence", "Mechanism")
        .objects.db_manager(scratch)
        .get(pk=mechanism.pk)
        .status
        == "approved"
    )
