"""Check that every stored quote occurs verbatim in the seed article it is attributed to.

Quotes live on every Reported row (Intervention, Mechanism, Study, Citation) and on every
SeedReference (its `as_printed` entry). Exits non-zero when any quote is not found. The
check itself is evidence.quotes.check_quotes(), which check_content runs too.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evidence.quotes import check_quotes


class Command(BaseCommand):
    help = (
        "Check every stored quote (studies, interventions, mechanisms, citations and seed "
        "reference lists) against the seed article text files in DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "dir",
            nargs="?",
            default=str(settings.SEEDS_DIR),
            help=f"Directory holding the seed articles' text files (default {settings.SEEDS_DIR}).",
        )

    def handle(self, *args, **options):
        directory = Path(options["dir"])
        if not directory.is_dir():
            raise CommandError(f"Seed directory not found: {directory}")

        report = check_quotes(directory)
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(problem))
        if report.failed or report.unchecked:
            raise CommandError(report.summary)
        if not report.checked:
            self.stdout.write(self.style.WARNING("No quotes stored: nothing to check."))
        else:
            self.stdout.write(self.style.SUCCESS(report.summary))
