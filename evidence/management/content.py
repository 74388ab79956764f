"""The site's content: every row of the evidence and conditions apps, as fixtures/ holds it.

Apps are named by label, so that evidence never imports conditions.
"""

from django.apps import apps
from django.core import serializers

CONTENT_APPS = ("evidence", "conditions")

# Bookkeeping that lives in a content app but is no content: never dumped, loaded or counted.
NOT_CONTENT = {"evidence.contentversion"}


def content_models():
    """Every content model, each after the models its natural keys and foreign keys need.

    Study and PrimarySourceCheck refer to each other (a check reads a seed's study record;
    the paper's own record comes from a check), so the order breaks that one cycle; the
    fixture files load those rows in an order that works (dump_content.FILES).
    """
    return serializers.sort_dependencies(
        [
            (config, [m for m in config.get_models() if m._meta.label_lower not in NOT_CONTENT])
            for config in map(apps.get_app_config, CONTENT_APPS)
        ],
        allow_cycles=True,
    )
