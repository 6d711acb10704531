"""Text fields refuse control characters (tracking/validators.py); rows stored before are
cleaned: in single-line fields a control character becomes a space, in multi-line ones every
control character but line breaks and tabs does."""

import django.core.validators
from django.db import migrations

import tracking.models
import tracking.validators


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0004_membership_invitations_signin_audit"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="full_name",
            field=tracking.validators.SingleLineCharField(blank=True, max_length=150, verbose_name="full name"),
        ),
        migrations.AlterField(
            model_name="user",
            name="language",
            field=tracking.validators.SingleLineCharField(
                default="en", help_text="Language of e-mails.", max_length=8, verbose_name="language"
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="timezone",
            field=tracking.validators.SingleLineCharField(
                default="UTC",
                help_text="The weekly digest arrives on Monday at 08:00 in this time zone.",
                max_length=64,
                validators=[tracking.models.validate_timezone],
                verbose_name="time zone",
            ),
        ),
        migrations.AlterField(
            model_name="company",
            name="name",
            field=tracking.validators.SingleLineCharField(max_length=200, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="company",
            name="timezone",
            field=tracking.validators.SingleLineCharField(
                default="UTC", max_length=64, validators=[tracking.models.validate_timezone], verbose_name="time zone"
            ),
        ),
        migrations.AlterField(
            model_name="company",
            name="currency",
            field=tracking.validators.SingleLineCharField(
                default="USD",
                max_length=3,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z]{3}$", "Use a three-letter ISO code such as RUB, EUR or USD."
                    )
                ],
                verbose_name="currency",
            ),
        ),
        migrations.AlterField(
            model_name="constraint",
            name="title",
            field=tracking.validators.SingleLineCharField(max_length=300, verbose_name="main constraint"),
        ),
        migrations.AlterField(
            model_name="constraint",
            name="closing_note",
            field=tracking.validators.MultiLineTextField(blank=True, verbose_name="what happened"),
        ),
        migrations.AlterField(
            model_name="whystep",
            name="answer",
            field=tracking.validators.MultiLineTextField(max_length=1000, verbose_name="because…"),
        ),
        migrations.AlterField(
            model_name="metric",
            name="name",
            field=tracking.validators.SingleLineCharField(max_length=120, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="metric",
            name="unit",
            field=tracking.validators.SingleLineCharField(
                blank=True, help_text="%, ₽, leads, orders…", max_length=20, verbose_name="unit"
            ),
        ),
        migrations.AlterField(
            model_name="goal",
            name="title",
            field=tracking.validators.SingleLineCharField(max_length=300, verbose_name="goal"),
        ),
        migrations.RunPython(tracking.validators.clean_stored_text("tracking"), migrations.RunPython.noop),
    ]
