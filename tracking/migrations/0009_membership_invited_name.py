"""An invitation keeps the name its inviter typed (`Membership.invited_name`): until the person
accepts, their business shows that name or the address, never the account's own name.

An invitation to a new address used to write the typed name on the new account. For accounts
that never chose a password, the name goes to the invitation that created the account (their
oldest one), so its row keeps showing what that inviter typed.
"""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import migrations

import tracking.validators


def names_to_their_invitations(apps, schema_editor):
    Membership = apps.get_model("tracking", "Membership")
    User = apps.get_model("tracking", "User")
    never_signed_in = User.objects.filter(is_active=False, password__startswith=UNUSABLE_PASSWORD_PREFIX).exclude(
        full_name=""
    )
    for user in never_signed_in.only("pk", "full_name").iterator():
        first = Membership.objects.filter(user_id=user.pk).order_by("created_at", "pk").first()
        if first is not None and first.accepted_at is None and not first.invited_name:
            Membership.objects.filter(pk=first.pk).update(invited_name=user.full_name)


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0008_company_language_unit_forms"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="invited_name",
            field=tracking.validators.SingleLineCharField(
                blank=True, default="", max_length=150, verbose_name="name given by the inviter"
            ),
        ),
        migrations.RunPython(names_to_their_invitations, migrations.RunPython.noop),
    ]
