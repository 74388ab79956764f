"""Load the content fixtures into the database, validating each record as the admin would.

Unlike loaddata, every record goes through its model's full_clean() before it is saved, and
all files load in one transaction: the first invalid record stops the load, the error names
its file, record number and field, and the database is left as it was.
"""

import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    ValidationError,
)
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import (
    DeserializationError,
    M2MDeserializationError,
    deserialize_fk_value,
    deserialize_m2m_values,
)
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

from evidence.management.content import content_models


class Command(BaseCommand):
    help = (
        "Load every *.json file of a fixture directory, in name order, in one transaction, "
        "validating each record with the model's full_clean() before saving it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=settings.BASE_DIR / "fixtures",
            type=Path,
            help="Directory of fixture files (default: fixtures/).",
        )
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--if-empty",
            action="store_true",
            help="Load nothing if the database already holds any content row.",
        )
        what.add_argument(
            "--replace",
            action="store_true",
            help="Delete all content first, in the same transaction as the load.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate everything, then roll back."
        )

    def handle(self, *args, **options):
        paths = fixture_files(Path(options["dir"]))
        verbose = options["verbosity"] >= 1
        with transaction.atomic():
            if options["if_empty"] and has_content():
                if verbose:
                    self.stdout.write(
                        "The database already holds content; nothing loaded. "
                        "`make reset-content` replaces it with fixtures/."
                    )
                return
            deleted = delete_content() if options["replace"] else 0
            loaded = load(paths)
            if options["dry_run"]:
                transaction.set_rollback(True)

        if not verbose:
            return
        if options["replace"]:
            verb = "Would delete" if options["dry_run"] else "Deleted"
            self.stdout.write(f"{verb} {deleted} object(s) first.")
        for path, count in loaded:
            self.stdout.write(f"{shown(path)}: {count} object(s)")
        total = sum(count for _, count in loaded)
        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"All {total} object(s) from {len(loaded)} file(s) are valid; "
                    "nothing was saved (--dry-run)."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {total} object(s) from {len(loaded)} file(s).")
            )


def fixture_files(directory):
    """The *.json files of `directory` sorted by name; refuses a missing or empty directory."""
    if not directory.is_dir():
        raise CommandError(f"Fixture directory not found: {directory}")
    paths = sorted(directory.glob("*.json"))
    if not paths:
        # Never a silent success, least of all with --replace, which would empty the site.
        raise CommandError(f"No *.json files in {directory}")
    return paths


def has_content():
    return any(model._base_manager.exists() for model in content_models())


def delete_content():
    """Delete every content object, referring models first (PROTECT); return how many."""
    deleted = 0
    for model in reversed(content_models()):
        rows = model._base_manager.all()
        deleted += rows.count()  # delete() would count many-to-many links too
        rows.delete()
    # Pending changes, the Changes lists and the history describe rows that are gone, and
    # new rows may take their ids: they go too.
    for model in apps.get_app_config("revisions").get_models():
        model._base_manager.all().delete()
    return deleted


def load(paths):
    """Validate and save every record of `paths`; return [(path, objects loaded)].

    Raises CommandError naming the first bad record. The caller's transaction rolls back.
    """
    loaded = []
    saved = {}  # (model, pk) -> (path, number): a second record with the same key overwrites
    for path in paths:
        records = read_records(path)
        for number, record in enumerate(records, start=1):
            deserialized = deserialize(path, number, record)
            instance = deserialized.object
            earlier = saved.get((type(instance), instance.pk))
            if earlier:
                raise CommandError(
                    f"{where(path, number, instance)}: {shown(earlier[0])}, record {earlier[1]} "
                    "has the same natural key."
                )
            # Files load in dependency order, so every row a rule reads is already saved.
            try:
                instance.full_clean()
            except ValidationError as error:
                raise CommandError(f"{where(path, number, instance)}: {describe(error)}") from error
            try:
                deserialized.save()
            except DatabaseError as error:
                raise CommandError(f"{where(path, number, instance)}: {error}") from error
            saved[type(instance), instance.pk] = (path, number)
        loaded.append((path, len(records)))
    return loaded


def read_records(path):
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
        raise CommandError(f"{shown(path)}: not valid JSON: {error}") from error
    if not isinstance(records, list):
        raise CommandError(f"{shown(path)}: a fixture file is a JSON list of records.")
    return records


def deserialize(path, number, record):
    """The DeserializedObject for one raw record; references resolve against saved rows."""
    if not (
        isinstance(record, dict)
        and isinstance(record.get("model"), str)
        and isinstance(record.get("fields"), dict)
    ):
        raise CommandError(
            f'{shown(path)}, record {number}: a record is an object with "model" and "fields".'
        )
    try:
        deserialized = next(serializers.deserialize("python", [record]))
    except (DeserializationError, FieldDoesNotExist, ObjectDoesNotExist) as error:
        reason = explain(record) or str(error)
        raise CommandError(
            f"{shown(path)}, record {number} ({record['model']}): {reason}"
        ) from error
    instance = deserialized.object
    # Django gives a record the pk of the row with its natural key, but still marks the
    # instance as new, and full_clean() would then find the row itself a duplicate.
    if instance.pk is not None:
        instance._state.adding = not type(instance)._base_manager.filter(pk=instance.pk).exists()
    return deserialized


def explain(record):
    """ "field: problem" for the first field of a raw record that does not deserialize."""
    try:
        model = apps.get_model(record["model"])
    except (LookupError, ValueError):
        return None
    for name, value in record["fields"].items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return f"{name}: {model._meta.label_lower} has no such field."
        try:
            if field.many_to_many:
                deserialize_m2m_values(field, value, DEFAULT_DB_ALIAS, False)
            elif field.is_relation:
                deserialize_fk_value(field, value, DEFAULT_DB_ALIAS, False)
            else:
                field.to_python(value)
        except M2MDeserializationError as error:
            return unresolved(name, field, error.pk)
        except ObjectDoesNotExist:
            return unresolved(name, field, value)
        except ValidationError as error:
            return f"{name}: {' '.join(error.messages)}"
    return None


def unresolved(name, field, value):
    model = field.related_model._meta.label_lower
    return f"{name}: no {model} has the natural key {json.dumps(value, ensure_ascii=False)}."


def where(path, number, instance):
    """'file, record N (app.model "natural", "key")' for error messages."""
    label = instance._meta.label_lower
    try:
        key = " " + ", ".join(
            json.dumps(part, ensure_ascii=False) for part in instance.natural_key()
        )
    except (AttributeError, ObjectDoesNotExist):  # no natural key, or a reference is missing
        key = ""
    return f"{shown(path)}, record {number} ({label}{key})"


def describe(error):
    """A ValidationError as "field: message; field: message" (model-wide messages bare)."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(
        message if field == NON_FIELD_ERRORS else f"{field}: {message}"
        for field, messages in error.message_dict.items()
        for message in messages
    )


def shown(path):
    """`path` relative to the working directory when it is below it (fixtures/01_….json)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
