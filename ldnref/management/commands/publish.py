from django.core.management.base import BaseCommand

from ldnref import publish


class Command(BaseCommand):
    help = (
        "Build every public page and API answer for the current content version, store them "
        "in the page cache and publish the version (as an approval does): after a deploy or a "
        "cache flush."
    )

    def handle(self, *args: object, **options: object) -> None:
        result = publish.publish()
        self.stdout.write(
            f"Published content version {result.version.number}: {result.stored} answers "
            f"stored, {result.skipped} not 200, in {result.seconds:.1f} s."
        )
