from django.db import migrations


class Migration(migrations.Migration):
    """Verdict and certainty grades are derived by rule now; only overrides are stored."""

    dependencies = [("conditions", "0005_keep_departures_as_overrides")]

    operations = [
        migrations.RemoveField(
            model_name='condition',
            name='verdict_grade',
        ),
        migrations.RemoveField(
            model_name='outcomecertainty',
            name='certainty',
        ),
    ]
