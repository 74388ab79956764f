"""Write the whole site (content, changes, history, accounts) into one JSON backup file."""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from evidence.management.backup import backup


class Command(BaseCommand):
    help = (
        "Back up content, pending and approved changes, history, accounts and the admin log "
        "into one JSON file (default: backups/ldnref-<date>-<time>.json). It holds password "
        "hashes: keep it private."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="Where to write the backup.")

    def handle(self, *args, **options):
        path = options["file"] or (
            settings.BASE_DIR / "backups" / f"ldnref-{datetime.now():%Y%m%d-%H%M%S}.json"
        )
        rows = backup(path)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Backed up {rows} row(s) into {path}"))
