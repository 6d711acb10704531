"""What an action actually cost, logged with its result, beside its planned cost."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sprints", "0008_closed_recent_index")]

    operations = [
        migrations.AddField(
            model_name="action",
            name="spent",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                validators=[django.core.validators.MinValueValidator(0)],
                verbose_name="spent",
            ),
        ),
    ]
