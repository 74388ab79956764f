"""The two editorial roles, as groups: Editors write and submit, Reviewers approve and retire.

Editors: add, change and view every content model, and view changes; no delete (an item
leaves the site by being retired, which a reviewer does). Reviewers: view everything, and
`revisions.review_content`, which evidence.workflow asks for before approving or retiring.
A person may be in both groups; the two-person rule still stops them approving their own
change. Superusers have every permission.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_APPS = ("evidence", "conditions")
EDITORS = "Editors"
REVIEWERS = "Reviewers"


def create_roles(apps, schema_editor):
    # Permissions are made after migrations run; make them now so a new database has them.
    for label in (*CONTENT_APPS, "revisions"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content = Permission.objects.filter(content_type__app_label__in=CONTENT_APPS)
    view_revisions = Permission.objects.filter(
        content_type__app_label="revisions", codename="view_revision"
    )

    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(
        [
            *content.filter(codename__regex=r"^(add|change|view)_"),
            *view_revisions,
        ]
    )
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    reviewers.permissions.set(
        [
            *content.filter(codename__startswith="view_"),
            *view_revisions,
            *Permission.objects.filter(
                content_type__app_label="revisions", codename="review_content"
            ),
        ]
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, REVIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("revisions", "0001_history_and_revisions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
