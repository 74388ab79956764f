from django.apps import AppConfig


class LdnrefConfig(AppConfig):
    """The project's own app: publishing (ldnref.publish) and `manage.py publish`."""

    name = "ldnref"
    verbose_name = "ldnref"

    def ready(self) -> None:
        from evidence import versions

        from . import publish

        versions.moved.connect(publish.on_version_moved, dispatch_uid="ldnref-publish")
