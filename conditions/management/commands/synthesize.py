"""Add N marked copies of the site's content to the current database, for scale tests."""

import time

from django.core.management.base import BaseCommand, CommandError

from conditions import synthetic


class Command(BaseCommand):
    help = (
        "Add N copies of the content (conditions, sources, studies, claims, citations, "
        "mechanisms, …) to the database as synthetic data: keys start with 'synthetic-', titles "
        "with 'Synthetic data'. Replaces earlier synthetic data; never touches fixtures/."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help=f"How many copies of the content to add (1 to {synthetic.MAX_SCALE}).",
        )
        what.add_argument(
            "--remove", action="store_true", help="Delete the synthetic data, nothing else."
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="Seed for the insertion order (default 0)."
        )

    def handle(self, *args, scale=None, remove=False, seed=0, **options):
        if remove:
            deleted = synthetic.remove()
            self.stdout.write(f"Removed {sum(deleted.values())} synthetic rows.")
            return
        if not 1 <= scale <= synthetic.MAX_SCALE:
            raise CommandError(f"--scale must be between 1 and {synthetic.MAX_SCALE}, got {scale}.")
        started = time.monotonic()
        try:
            counts = synthetic.synthesize(scale, seed)
        except synthetic.NothingToCopy as exc:
            raise CommandError(str(exc)) from None
        seconds = time.monotonic() - started
        made = ", ".join(f"{count} {name.lower()}" for name, count in counts.items())
        self.stdout.write(
            f"Added {scale} synthetic copies of the content (seed {seed}) in {seconds:.1f} s: "
            f"{made}."
        )
