from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evidence"

    def ready(self):
        from . import versions

        # Runs once every app is loaded, so the conditions app's models are connected too.
        versions.connect()
