"""The two editorial roles, as groups: Editors write and submit, Reviewers approve and retire.

Editors: add, change and view every content model, and view changes; no delete (an item
leaves the site by being retired, which a reviewer does). Reviewers: view everything, and
`revisions.review_content`, which evidence.workflow asks for before approving or retiring.
A person may be in both groups; the two-person rule still stops them approving their own
change. Superusers have every permission.
"""

from django.db import DEFAULT_DB_ALIAS

CONTENT_APPS = ("evidence", "conditions")
EDITORS = "Editors"
REVIEWERS = "Reviewers"


def create_roles(apps, only_missing=False, using=DEFAULT_DB_ALIAS):
    """Create both groups with their permissions in database `using`; `apps` may be a
    migration's app registry.

    With `only_missing`, groups that exist are left as they are (an admin may have changed
    them); post_migrate calls it so, which also restores the groups after a database flush.
    """
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")._default_manager.db_manager(using)
    Permission = apps.get_model("auth", "Permission")._default_manager.db_manager(using)
    if only_missing and Group.filter(name__in=[EDITORS, REVIEWERS]).count() == 2:
        return
    # Permissions are made after migrations run; make them now so a new database has them.
    for label in (*CONTENT_APPS, "revisions"):
        config = apps.get_app_config(label)
        models_module = getattr(config, "models_module", None)
        config.models_module = models_module or True
        create_permissions(config, apps=apps, verbosity=0, using=using)
        config.models_module = models_module

    content = Permission.filter(content_type__app_label__in=CONTENT_APPS)
    revisions = Permission.filter(content_type__app_label="revisions")
    roles = {
        EDITORS: [
            *content.filter(codename__regex=r"^(add|change|view)_"),
            *revisions.filter(codename="view_revision"),
        ],
        REVIEWERS: [
            *content.filter(codename__startswith="view_"),
            *revisions.filter(codename__in=["view_revision", "review_content"]),
        ],
    }
    for name, permissions in roles.items():
        group, created = Group.get_or_create(name=name)
        if created or not only_missing:
            group.permissions.set(permissions)


def restore_roles(sender, apps=None, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate: recreate missing groups (a test database flush empties them)."""
    if apps is None:  # flush sends no app registry: the models as they are
        from django.apps import apps
    try:
        apps.get_model("auth", "Group")
        apps.get_model("revisions", "Revision")
    except LookupError:
        return
    create_roles(apps, only_missing=True, using=using)
