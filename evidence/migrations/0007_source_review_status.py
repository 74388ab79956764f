"""Sources get a review status like the other content; the sources already here stay public.

Every source in the database before this migration was public under the old rule (a seed, or
cited by published content), so they start approved; new sources start as drafts.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def approve_existing_sources(apps, schema_editor):
    apps.get_model("evidence", "Source").objects.using(schema_editor.connection.alias).update(
        status="approved"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0006_reviewed_mechanisms_and_reviewers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='source',
            name='last_reviewed',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='source',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, editable=False, help_text='Who approved or retired it last.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='source',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('in-review', 'In review'), ('approved', 'Approved'), ('retired', 'Retired')], default='draft', editable=False, max_length=20),
        ),
        migrations.RunPython(approve_existing_sources, migrations.RunPython.noop),
    ]
