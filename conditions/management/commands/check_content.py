"""Check the content against the editorial rules and list every problem found.

Each check is a function in conditions.content_checks. Exits non-zero when any check finds a
problem, so CI fails on content that breaks a rule. Reads only; changes nothing.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from conditions.content_checks import all_checks

DEFAULT_SEEDS = settings.SEEDS_DIR


class Command(BaseCommand):
    help = (
        "Check the content: citations, citation keys, grade scales, override reasons, public "
        "conditions, patient reading grade, quotes, wording by certainty, sourced prose."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seeds",
            default=str(DEFAULT_SEEDS),
            help=f"Directory with the seed articles' text files (default {DEFAULT_SEEDS}).",
        )

    def handle(self, *args, **options):
        checks = all_checks(Path(options["seeds"]))
        failed = 0
        for check in checks:
            problems = check.run()
            if not problems:
                self.stdout.write(self.style.SUCCESS(f"✔ {check.title}"))
                continue
            failed += 1
            count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
            self.stdout.write(self.style.ERROR(f"✘ {check.title}: {count}"))
            for problem in problems:
                self.stdout.write(f"    - {problem}")
        if failed:
            raise CommandError(f"{failed} of {len(checks)} content checks failed.")
        self.stdout.write(self.style.SUCCESS(f"All {len(checks)} content checks passed."))
