"""The Editors and Reviewers groups; see revisions/roles.py for what each may do."""

from django.db import migrations

from revisions.roles import EDITORS, REVIEWERS, create_roles


def create(apps, schema_editor):
    create_roles(apps, using=schema_editor.connection.alias)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=[EDITORS, REVIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("revisions", "0001_history_and_revisions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, remove_roles)]
