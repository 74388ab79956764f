"""Backup and restore: a round trip gives the same site, and a restore never overwrites
editors' work unless told, nor loads a file from another schema."""

import datetime
import json
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command

from evidence import versions, workflow
from evidence.choices import ReviewStatus
from evidence.management import backup as backups
from evidence.models import Claim, Study
from revisions import snapshots
from revisions.models import Revision, RevisionStatus
from tests.factories import load_content, make_citation, make_claim, make_seed, make_staff

pytestmark = pytest.mark.django_db

ANSWERS = [
    "/conditions/psoriasis/",
    "/studies/weinstock2020-case-series/",
    "/api/v1/conditions/psoriasis/",
    "/api/v1/claims/?page_size=200",
]


@pytest.fixture
def site():
    """The fixtures plus editors' work: an approval signed by a named reviewer, and an edit
    still waiting for review."""
    load_content()
    reviewer = make_staff("Reviewers", first_name="Rita", last_name="Okafor")
    editor = make_staff("Editors", first_name="Edith")
    claim = make_claim(statement="A statement approved before the backup.")
    make_citation(claim=claim, reported_by=make_seed())
    claim.conditions.add(*Study.objects.get(key="weinstock2020-case-series").conditions.all())
    workflow.approve([claim], by=reviewer)
    study = Study.objects.get(key="weinstock2020-case-series")
    data = snapshots.snapshot(study)
    data["fields"]["result"] = "An edit waiting for review."
    workflow.propose(study, data, by=editor, submit=True)
    return claim


def answers(client, *paths):
    found = {}
    for path in [*ANSWERS, *paths]:
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        found[path] = response.content
    return found


def test_a_restored_backup_answers_byte_for_byte_as_the_site_did(site, client, tmp_path):
    # A time whose microseconds a millisecond encoding would lose.
    stamp = datetime.datetime(2026, 11, 30, 9, 15, 0, 123, tzinfo=datetime.UTC)
    Revision.objects.filter(status=RevisionStatus.IN_REVIEW).update(created=stamp)
    claim_page = site.get_absolute_url()
    before = answers(client, claim_page)
    assert b"Rita Okafor" in before[claim_page]  # the reviewer's account is restored too
    path = tmp_path / "site.json"
    call_command("backup", path, verbosity=0)

    backups.clear()
    assert backups.occupied() == []
    assert client.get("/conditions/psoriasis/").status_code == HTTPStatus.NOT_FOUND
    call_command("restore", path, verbosity=0)

    assert answers(client, claim_page) == before
    waiting = Revision.objects.get(status=RevisionStatus.IN_REVIEW)
    assert waiting.author.first_name == "Edith"
    assert waiting.data["fields"]["result"] == "An edit waiting for review."
    assert waiting.created == stamp
    # Everything, history and accounts included, comes back as it was.
    again = tmp_path / "again.json"
    call_command("backup", again, verbosity=0)
    first, second = (json.loads(p.read_text())["objects"] for p in (path, again))
    assert second == first


def test_it_refuses_a_database_with_content_and_changes_nothing(site, tmp_path):
    path = tmp_path / "site.json"
    call_command("backup", path, verbosity=0)
    site.statement = "Changed after the backup."
    site.save()

    with pytest.raises(CommandError, match="already holds .* content row"):
        call_command("restore", path, verbosity=0)
    site.refresh_from_db()
    assert site.statement == "Changed after the backup."
    assert list(tmp_path.iterdir()) == [path]  # no safety copy was needed


def test_replacing_backs_up_what_it_replaces_first(
    site, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "site.json"
    call_command("backup", path, verbosity=0)
    later = make_claim(key="made-after-the-backup", status=ReviewStatus.DRAFT)
    version = versions.current().number

    with django_capture_on_commit_callbacks(execute=True):
        call_command("restore", path, "--replace", "--safety-dir", tmp_path / "safe", verbosity=0)
    assert versions.current().number > version  # no cached page of the old content is served
    assert not Claim.objects.filter(key=later.key).exists()
    [safety] = (tmp_path / "safe").iterdir()
    kept = json.loads(safety.read_text())["objects"]
    assert any(row["fields"].get("key") == later.key for row in kept)


def newer(migrations):
    migrations["conditions"].append("0099_from_the_future")


def older(migrations):
    migrations["conditions"].pop()


@pytest.mark.parametrize(
    "change, message",
    [
        (newer, "newer ldnref.*conditions.0099_from_the_future"),
        (older, "older ldnref.*conditions.0"),
    ],
)
def test_it_refuses_a_backup_from_another_schema(site, tmp_path, change, message):
    path = tmp_path / "site.json"
    call_command("backup", path, verbosity=0)
    document = json.loads(path.read_text())
    change(document["migrations"])
    path.write_text(json.dumps(document))
    backups.clear()

    with pytest.raises(CommandError, match=message):
        call_command("restore", path, verbosity=0)
    assert backups.occupied() == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json at all", "not valid JSON"),
        ('[{"model": "evidence.claim", "fields": {}}]', "not an ldnref backup"),
        ('{"format": "ldnref-backup", "format_version": 99}', "format 99"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused_by_name(db, tmp_path, text, message):
    path = tmp_path / "other.json"
    path.write_text(text)
    with pytest.raises(CommandError, match=message):
        call_command("restore", path, verbosity=0)
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", tmp_path / "missing.json", verbosity=0)


def test_a_dry_run_checks_everything_and_saves_nothing(site, tmp_path, capsys):
    path = tmp_path / "site.json"
    call_command("backup", path, verbosity=0)
    backups.clear()

    call_command("restore", path, "--dry-run")
    assert "nothing was saved" in capsys.readouterr().out
    assert backups.occupied() == []
