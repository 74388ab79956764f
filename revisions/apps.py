from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RevisionsConfig(AppConfig):
    name = "revisions"
    verbose_name = "Changes and history"

    def ready(self):
        from .roles import restore_roles

        post_migrate.connect(restore_roles, sender=self)
