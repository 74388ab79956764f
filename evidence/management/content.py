"""The site's content: every row of the evidence and conditions apps, as fixtures/ holds it.

Apps are named by label, so that evidence never imports conditions.
"""

from django.apps import apps
from django.core import serializers

CONTENT_APPS = ("evidence", "conditions")


def content_models():
    """Every content model, each after the models its natural keys and foreign keys need."""
    return serializers.sort_dependencies(
        [(apps.get_app_config(label), None) for label in CONTENT_APPS]
    )
