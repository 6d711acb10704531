"""Text fields refuse control characters (tracking/validators.py); rows stored before are
cleaned: in single-line fields a control character becomes a space, in multi-line ones every
control character but line breaks and tabs does."""

from django.db import migrations

import tracking.validators


class Migration(migrations.Migration):
    dependencies = [
        ("hypotheses", "0001_initial"),
        ("tracking", "0005_text_without_control_characters"),
    ]

    operations = [
        migrations.AlterField(
            model_name="hypothesis",
            name="title",
            field=tracking.validators.SingleLineCharField(max_length=200, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="hypothesis",
            name="statement",
            field=tracking.validators.MultiLineTextField(
                help_text="If we …, then … will change by …, because …", max_length=2000, verbose_name="hypothesis"
            ),
        ),
        migrations.AlterField(
            model_name="hypothesis",
            name="success_criteria",
            field=tracking.validators.MultiLineTextField(
                blank=True, max_length=2000, verbose_name="how we will know it worked"
            ),
        ),
        migrations.AlterField(
            model_name="hypothesis",
            name="cheapest_test",
            field=tracking.validators.MultiLineTextField(blank=True, max_length=2000, verbose_name="cheapest test"),
        ),
        migrations.AlterField(
            model_name="hypothesis",
            name="learning",
            field=tracking.validators.MultiLineTextField(blank=True, max_length=4000, verbose_name="what we learned"),
        ),
        migrations.AlterField(
            model_name="hypothesis",
            name="drop_reason",
            field=tracking.validators.MultiLineTextField(
                blank=True, max_length=2000, verbose_name="why it was dropped"
            ),
        ),
        migrations.AlterField(
            model_name="hypothesisevent",
            name="note",
            field=tracking.validators.MultiLineTextField(blank=True),
        ),
        migrations.RunPython(tracking.validators.clean_stored_text("hypotheses"), migrations.RunPython.noop),
    ]
