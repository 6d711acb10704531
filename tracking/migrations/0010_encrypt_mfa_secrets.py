"""Encrypt the two-factor secrets already stored in the clear (tracking/accounts/mfa_secrets.py).

Forward encrypts every TOTP secret and recovery-code seed that is not yet encrypted, with
MFA_ENCRYPTION_KEY; backward puts them back in the clear (for code without the adapter).
Both leave values already in the wanted form alone, so running either twice changes nothing.
"""

from django.db import migrations

from tracking.accounts import mfa_secrets


def _convert(apps, convert) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(mfa_secrets.SECRET_FIELDS)).iterator():
        data = convert(kind=authenticator.type, data=authenticator.data)
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def encrypt_secrets(apps, schema_editor):
    _convert(apps, mfa_secrets.data_encrypted)


def decrypt_secrets(apps, schema_editor):
    _convert(apps, mfa_secrets.data_decrypted)


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0009_membership_invited_name"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False)]
