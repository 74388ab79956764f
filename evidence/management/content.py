"""The site's content: every row of the evidence and conditions apps, as fixtures/ holds it.

Apps are named by label, so that evidence never imports conditions.
"""

from django.apps import apps
from django.core import serializers

CONTENT_APPS = ("evidence", "conditions")


def content_models():
    """Every content model, each after the models its natural keys and foreign keys need.

    Study and PrimarySourceCheck refer to each other (a check reads a seed's study record;
    the paper's own record comes from a check), so the order breaks that one cycle; the
    fixture files load those rows in an order that works (dump_content.FILES).
    """
    return serializers.sort_dependencies(
        [(apps.get_app_config(label), None) for label in CONTENT_APPS], allow_cycles=True
    )
