"""The learnings library's order (newest ended first) as a partial index of what it lists, with
the business in it: the first page and the count read the index, not every hypothesis."""

from django.db import migrations, models
from django.db.models.functions import Coalesce


class Migration(migrations.Migration):
    dependencies = [
        ("hypotheses", "0008_search_reasons"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="hypothesis",
            index=models.Index(
                Coalesce("decided_at", "updated_at").desc(),
                models.F("id").desc(),
                condition=models.Q(archived_at__isnull=True) & (~models.Q(verdict="") | models.Q(status="dropped")),
                include=("company",),
                name="hypothesis_learned_ended",
            ),
        ),
    ]
