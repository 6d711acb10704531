"""At most one sprint per business is active or in review (it used to be: one active), and
sends of reminders, reports and digests give up after a bounded number of attempts."""

from django.db import migrations, models
from django.db.models import Count


def refuse_two_open_sprints(apps, schema_editor):
    """Two sprints of one business open at once cannot both stay open, and which one to close
    is the tracker's call: the migration stops and says which."""
    Sprint = apps.get_model("sprints", "Sprint")
    clashes = list(
        Sprint.objects.filter(status__in=["active", "review"])
        .values("company_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("company_id", flat=True)
    )
    if clashes:
        raise RuntimeError(
            "These businesses have more than one sprint active or in review: "
            f"{', '.join(map(str, clashes))}. Close all but one of each (the weekly session), then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0004_reminders_reports_digests"),
    ]

    operations = [
        migrations.RunPython(refuse_two_open_sprints, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="sprint",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["active", "review"])),
                fields=("company",),
                name="sprint_one_open_per_company",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="sprint",
            name="sprint_one_active_per_company",
        ),
        migrations.AddField(
            model_name="reminder",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="digest",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="digest",
            name="last_error",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="sprintreport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="sprintreport",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="sprintreport",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="sprintreport",
            name="last_error",
            field=models.TextField(blank=True),
        ),
    ]
