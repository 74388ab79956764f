"""Give both roles their permissions on the models added since 0002 (indirect evidence)."""

from django.db import migrations

from revisions.roles import create_roles


def refresh(apps, schema_editor):
    # Sets each group's permissions from the models that exist now.
    create_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("revisions", "0003_follow_issue7_fields"),
        ("conditions", "0008_merge_20261123_2238"),
    ]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
