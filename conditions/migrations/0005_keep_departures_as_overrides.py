from django.db import migrations

from evidence import grading


def keep_departures_as_overrides(apps, schema_editor):
    """Grades are now derived. Where a stored grade differs from what the rule gives, keep it
    as an override with its reason, so no editor's judgement is lost."""
    Condition = apps.get_model("conditions", "Condition")
    OutcomeCertainty = apps.get_model("conditions", "OutcomeCertainty")
    for condition in Condition.objects.using(schema_editor.connection.alias).select_related("verdict_grade"):
        approved = list(condition.studies.filter(status="approved"))
        rule = grading.condition_verdict(approved).rule_code
        stored = condition.verdict_grade.code if condition.verdict_grade else None
        if stored is not None and stored != rule:
            condition.verdict_override = condition.verdict_grade
            condition.verdict_override_reason = condition.verdict_rationale
            condition.save(update_fields=["verdict_override", "verdict_override_reason"])
    for certainty in OutcomeCertainty.objects.using(schema_editor.connection.alias).select_related(
        "certainty", "condition"
    ):
        approved = list(certainty.condition.studies.filter(status="approved"))
        ids = set(certainty.studies.values_list("pk", flat=True))
        changes = certainty.ratings.values_list("level_change", flat=True)
        body = [study for study in approved if study.pk in ids]
        rule = grading.outcome_certainty(body, list(changes)).rule_code
        if certainty.certainty.code != rule:
            certainty.certainty_override = certainty.certainty
            certainty.certainty_override_reason = certainty.rationale
            certainty.save(update_fields=["certainty_override", "certainty_override_reason"])



class Migration(migrations.Migration):
    dependencies = [("conditions", "0004_derived_grades_with_overrides")]

    operations = [migrations.RunPython(keep_departures_as_overrides, migrations.RunPython.noop)]
