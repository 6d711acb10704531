"""`manage.py rotate_mfa_key`: re-encrypt every two-factor secret under MFA_ENCRYPTION_KEY
(see tracking/accounts/mfa_secrets.py and README, "Two-factor secrets")."""

from django.core.management.base import BaseCommand, CommandError

from tracking.accounts import mfa_secrets


class Command(BaseCommand):
    help = (
        "Re-encrypt every two-factor secret (TOTP secrets, recovery-code seeds) under MFA_ENCRYPTION_KEY. "
        "Run it with the new key in MFA_ENCRYPTION_KEY and the old one in MFA_ENCRYPTION_OLD_KEYS; "
        "afterwards the old key can be removed. All or nothing."
    )

    def handle(self, *args, **options):
        try:
            rewritten = mfa_secrets.mfa_secrets_rotate()
        except mfa_secrets.SecretUnreadable as error:
            raise CommandError(f"Nothing was changed: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted the two-factor secrets of {rewritten} authenticator(s) under MFA_ENCRYPTION_KEY. "
                "MFA_ENCRYPTION_OLD_KEYS can now be removed."
            )
        )
