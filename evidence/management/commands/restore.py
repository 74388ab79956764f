"""Restore a backup file written by `manage.py backup`, in one transaction."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence.management.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup (manage.py backup) into this database, migrated to the same schema, "
        "in one transaction. Refuses a database holding content or accounts unless --replace; "
        "--replace first backs that database up beside the file (or into --safety-dir)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the content, changes, history and accounts this database holds.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and load everything, then roll back."
        )
        parser.add_argument(
            "--safety-dir",
            type=Path,
            help="Where --replace writes the backup of what it replaces (default: beside FILE).",
        )

    def handle(self, *args, **options):
        try:
            result = restore(
                options["file"],
                replace=options["replace"],
                safety_dir=options["safety_dir"],
                dry_run=options["dry_run"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] < 1:
            return
        if result.replaced_into:
            self.stdout.write(f"Backed up the replaced database into {result.replaced_into}")
        verb = "Would restore" if options["dry_run"] else "Restored"
        note = " (--dry-run: nothing was saved)" if options["dry_run"] else ""
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {result.rows} row(s) from {options['file']}{note}")
        )
