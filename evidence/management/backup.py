"""A whole-site backup as one JSON file, and its restore (`manage.py backup`, `restore`).

A backup holds everything editors made: the content (evidence and conditions), the pending
and approved changes and every history row (revisions), the accounts they are signed with
(auth users, password hashes included, so keep backups private) and the admin's log. Rows
keep their primary keys, because changes and history name their items by id; references to
content types, groups and permissions, whose ids differ between databases, are written as
natural keys. The file also records the migrations the database had, and a restore refuses
a file from another schema rather than guess.

Restoring happens in one transaction: the file is read whole, checked, loaded and checked
for dangling references, or nothing changes. It refuses a database that already holds
content or accounts unless told to replace them, and then first writes a backup of what it
replaces.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from evidence.management.content import content_models

FORMAT = "ldnref-backup"
FORMAT_VERSION = 1

# Rows made by migrations in every database, referred to by natural key.
BY_NATURAL_KEY: tuple[type[models.Model], ...] = (ContentType, Group, Permission)


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds; a backup keeps every microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A backup that cannot be restored here, or a database it must not overwrite."""


def backed_up_models() -> list[type[models.Model]]:
    """Accounts, content, changes and history, the admin log: in a loadable order."""
    user = apps.get_model("auth", "User")
    return [
        user,
        *content_models(),
        *apps.get_app_config("revisions").get_models(),
        apps.get_model("admin", "LogEntry"),
    ]


def applied_migrations() -> dict[str, list[str]]:
    """{app label: names of the migrations applied to this database}, sorted."""
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _natural_keys() -> dict[type[models.Model], dict[Any, list[Any]]]:
    """{model: {pk: natural key}} for the rows migrations make (3 queries)."""
    return {
        model: {row.pk: list(row.natural_key()) for row in model._base_manager.all()}  # type: ignore[attr-defined]
        for model in BY_NATURAL_KEY
    }


def _portable(record: dict[str, Any], model: type[models.Model], keys: dict) -> dict[str, Any]:
    """The record with its references to migration-made rows written as natural keys."""
    fields = record["fields"]
    for field in model._meta.get_fields():
        target = field.related_model
        if target not in keys or field.name not in fields or fields[field.name] is None:
            continue
        value = fields[field.name]
        lookup = keys[target]
        fields[field.name] = [lookup[pk] for pk in value] if field.many_to_many else lookup[value]
    return record


def records() -> Iterator[dict[str, Any]]:
    """Every backed-up row as a serialized record, in primary-key order per model."""
    keys = _natural_keys()
    for model in backed_up_models():
        for record in serializers.serialize("python", model._base_manager.order_by("pk")):
            yield _portable(record, model, keys)


def backup(path: Path) -> int:
    """Write the backup file at `path` in one read transaction; return how many rows."""
    with transaction.atomic():
        objects = list(records())
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": timezone.now().isoformat(),
            "migrations": applied_migrations(),
            "objects": objects,
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, cls=ExactJSONEncoder, ensure_ascii=False, indent=1)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    partial.replace(path)  # a backup file is whole or absent
    return len(objects)


@dataclass
class Restored:
    rows: int
    replaced_into: Path | None  # the backup of the replaced database, when there was one


def read(path: Path) -> dict[str, Any]:
    """The backup document at `path`, refusing anything that is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"No backup file at {path}.") from error
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
        raise BackupError(f"{path} is not a backup file: not valid JSON ({error}).") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path} is not an ldnref backup file (made by `make backup`).")
    if document.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is a backup in format {document.get('format_version')!r}; this ldnref "
            f"reads format {FORMAT_VERSION}."
        )
    return document


def check_schema(document: dict[str, Any]) -> None:
    """Refuse a backup whose database had other migrations than this one has."""
    theirs = {(app, name) for app, names in document["migrations"].items() for name in names}
    ours = {(app, name) for app, names in applied_migrations().items() for name in names}
    if theirs == ours:
        return
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(theirs - known)
    if unknown:
        raise BackupError(
            "This backup comes from a newer ldnref: its database had migrations this code "
            f"does not have ({', '.join(f'{a}.{n}' for a, n in unknown[:5])}). Update ldnref "
            "to the version that made it, run `manage.py migrate`, then restore."
        )
    if theirs - ours:
        missing = sorted(theirs - ours)
        raise BackupError(
            "This database is behind the backup's schema: run `manage.py migrate` first "
            f"(not applied here: {', '.join(f'{a}.{n}' for a, n in missing[:5])})."
        )
    older = sorted(ours - theirs)
    raise BackupError(
        "This backup comes from an older ldnref: its database lacked migrations applied "
        f"here ({', '.join(f'{a}.{n}' for a, n in older[:5])}). Restore it with the "
        "version that made it, then update ldnref and run `manage.py migrate`."
    )


def occupied() -> list[str]:
    """What in this database a restore would overwrite: "N content row(s)", "N account(s)"."""
    content = set(content_models())
    user = apps.get_model("auth", "User")
    counts = {"content row(s)": 0, "account(s)": 0, "change, history or log row(s)": 0}
    for model in backed_up_models():
        kind = (
            "content row(s)"
            if model in content
            else "account(s)"
            if model is user
            else "change, history or log row(s)"
        )
        counts[kind] += model._base_manager.count()
    return [f"{count} {kind}" for kind, count in counts.items() if count]


def clear() -> None:
    """Delete what a backup holds: content (referring rows first, for PROTECT), then the
    changes and history (deleting content writes history rows), then accounts."""
    user, *content_and_more = backed_up_models()
    content = content_models()
    for model in reversed(content):
        model._base_manager.all().delete()
    for model in content_and_more:
        if model not in content:
            model._base_manager.all().delete()
    user._base_manager.all().delete()


def _link(obj: models.Model, name: str, targets: Sequence[Any]) -> None:
    """Insert `obj`'s many-to-many links of field `name` in bulk. Adding them through the
    relation would fire m2m_changed, and django-simple-history would then write history
    rows that were never in the backup."""
    field = type(obj)._meta.get_field(name)
    assert isinstance(field, models.ManyToManyField)
    through = field.remote_field.through
    assert through is not None
    own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
    through._base_manager.bulk_create(
        [through(**{f"{own}_id": obj.pk, f"{other}_id": pk}) for pk in targets]
    )


def load(objects: list[dict[str, Any]]) -> int:
    """Save every record as it was (raw: no signals' side effects, timestamps as stored)."""
    try:
        deserialized = list(serializers.deserialize("python", objects))
    except Exception as error:  # DeserializationError wraps whatever a record got wrong
        raise BackupError(f"A record of the backup does not fit this database: {error}") from error
    for item in deserialized:
        links = item.m2m_data or {}  # save() empties it
        item.save(save_m2m=False, force_insert=True)  # the tables are empty: no UPDATE first
        for name, targets in links.items():
            _link(item.object, name, targets)
    loaded = {type(item.object) for item in deserialized}
    # Dangling references fail here (SQLite checks them now; PostgreSQL at commit).
    connection.check_constraints(table_names=[model._meta.db_table for model in loaded])
    # Rows came with their ids: move PostgreSQL's sequences past them, as loaddata does.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(loaded)):
            cursor.execute(statement)
    return len(deserialized)


def restore(
    path: Path, *, replace: bool = False, safety_dir: Path | None = None, dry_run: bool = False
) -> Restored:
    """Load the backup at `path` into this database in one transaction.

    Without `replace`, refuses a database holding content or accounts. With it, first backs
    the database up into `safety_dir`, then replaces everything a backup holds. `dry_run`
    does all of it but the safety copy, then rolls back.
    """
    document = read(path)
    check_schema(document)
    replaced_into = None
    try:
        with transaction.atomic():
            found = occupied()
            if found and not replace:
                raise BackupError(
                    f"This database already holds {' and '.join(found)}; nothing was restored. "
                    "Restore into an empty database (a new DATABASE_URL, migrated), or "
                    "replace it with REPLACE=1 (--replace), which backs it up first."
                )
            if found and not dry_run:
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
                replaced_into = (safety_dir or path.parent) / f"before-restore-{stamp}.json"
                backup(replaced_into)
            if found:
                clear()
            # Saving content rows moves the content version (its signals fire on raw saves
            # too), so cached pages of the replaced content are never served again.
            rows = load(document["objects"])
            transaction.set_rollback(dry_run)
    except (IntegrityError, DatabaseError) as error:
        raise BackupError(f"The backup does not load here; nothing changed: {error}") from error
    return Restored(rows, replaced_into)
