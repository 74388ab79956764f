"""Write the database's content as fixture files, in the form and file split of fixtures/.

`diff -r fixtures DIR` then shows what editors changed in the admin since the fixtures were
loaded. Rows are written in primary-key order, so rows added in the admin come last.
"""

import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from evidence.management.content import content_models
from evidence.models import SYNTHETIC_PREFIX, Source

# Which models each fixture file holds, in load order (a model after those it refers to).
FILES = {
    "01_grading_scales.json": ["evidence.gradingscale", "evidence.grade"],
    "02_sources.json": ["evidence.source", "evidence.seedreference"],
    "03_evidence.json": [
        "evidence.intervention",
        "evidence.mechanism",
        "evidence.study",
        "evidence.claim",
        "evidence.citation",
        "evidence.conflict",
        "evidence.primarysourcecheck",
        # The paper's own study records refer to the check that read the paper: after it.
        "evidence.study/paper",
        # What each article said about a study with its own record: after the record.
        "evidence.studyaccount",
    ],
    "04_conditions.json": [
        "conditions.condition",
        "conditions.indirectevidence",
        "conditions.treatmentrecommendation",
        "conditions.outcomecertainty",
        "conditions.certaintyrating",
        "conditions.plainstatement",
    ],
}


# Who approved a row is a user account of this database, not content: another database has
# no such account, so the dump leaves it out (the status and review date stay).
LOCAL_FIELDS = {"reviewed_by"}


# A label with "/part" writes only some of the model's rows, where a file must split them.
PARTS = {
    "evidence.study": {"per_check__isnull": True},
    "evidence.study/paper": {"per_check__isnull": False},
}


def rows(label):
    model = apps.get_model(label.split("/")[0])
    return model._base_manager.filter(**PARTS.get(label, {})).order_by("pk")


def content_fields(model):
    return [
        field.name
        for field in model._meta.get_fields()
        if field.concrete and not field.primary_key and field.name not in LOCAL_FIELDS
    ]


def unfiled_models():
    """Labels of content models that no file of FILES holds; dumping would lose their rows."""
    filed = {label.split("/")[0] for labels in FILES.values() for label in labels}
    return sorted({model._meta.label_lower for model in content_models()} - filed)


class Command(BaseCommand):
    help = (
        "Write the content (evidence and conditions) as fixture JSON files into DIR, split "
        "into files as fixtures/ is, with natural keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", type=Path, help="Directory to write the files into.")
        parser.add_argument(
            "--include-synthetic",
            action="store_true",
            help="Dump a database holding `manage.py synthesize` rows (never into fixtures/).",
        )

    def handle(self, *args, **options):
        missing = unfiled_models()
        if missing:
            raise CommandError(
                f"No file in dump_content.FILES holds {', '.join(missing)}; add it there."
            )
        directory = Path(options["dir"])
        # Rows of `manage.py synthesize` (keys "synthetic-…") are not content: they must
        # never reach fixtures/.
        if Source.objects.filter(key__startswith=SYNTHETIC_PREFIX).exists():
            if not options["include_synthetic"]:
                raise CommandError(
                    "The database holds synthetic data (manage.py synthesize): remove it with "
                    "`manage.py synthesize --remove` first, or pass --include-synthetic to "
                    "dump it anywhere but fixtures/."
                )
            if directory.resolve() == (settings.BASE_DIR / "fixtures").resolve():
                raise CommandError("Synthetic data is never written into fixtures/.")
        directory.mkdir(parents=True, exist_ok=True)
        for name, labels in FILES.items():
            records = []
            for label in labels:
                queryset = rows(label)
                records += serializers.serialize(
                    "python",
                    queryset,
                    fields=content_fields(queryset.model),
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=True,
                )
            path = directory / name
            # The layout of the fixture files: a 2-space indented list, non-ASCII kept as is.
            text = json.dumps(records, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
            path.write_text(text + "\n", encoding="utf-8")
            if options["verbosity"] >= 1:
                self.stdout.write(f"{path}: {len(records)} object(s)")
