"""Text fields refuse control characters (tracking/validators.py); rows stored before are
cleaned: in single-line fields a control character becomes a space, in multi-line ones every
control character but line breaks and tabs does."""

from django.db import migrations

import tracking.validators


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0005_one_open_sprint_bounded_sends"),
        ("tracking", "0005_text_without_control_characters"),
    ]

    operations = [
        migrations.AlterField(
            model_name="action",
            name="title",
            field=tracking.validators.SingleLineCharField(max_length=300, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="action",
            name="result_note",
            field=tracking.validators.MultiLineTextField(blank=True, max_length=2000, verbose_name="result"),
        ),
        migrations.AlterField(
            model_name="action",
            name="why_not_note",
            field=tracking.validators.MultiLineTextField(blank=True, max_length=2000, verbose_name="why not"),
        ),
        migrations.AlterField(
            model_name="review",
            name="notes",
            field=tracking.validators.MultiLineTextField(blank=True, max_length=4000, verbose_name="notes"),
        ),
        migrations.AlterField(
            model_name="review",
            name="what_worked",
            field=tracking.validators.MultiLineTextField(blank=True, max_length=4000, verbose_name="what worked"),
        ),
        migrations.AlterField(
            model_name="review",
            name="what_to_fix",
            field=tracking.validators.MultiLineTextField(blank=True, max_length=4000, verbose_name="what to fix"),
        ),
        migrations.AlterField(
            model_name="sprint",
            name="goal",
            field=tracking.validators.SingleLineCharField(blank=True, max_length=300, verbose_name="sprint goal"),
        ),
        migrations.AlterField(
            model_name="sprint",
            name="override_reason",
            field=tracking.validators.MultiLineTextField(blank=True, verbose_name="why start despite the warning"),
        ),
        migrations.RunPython(tracking.validators.clean_stored_text("sprints"), migrations.RunPython.noop),
    ]
