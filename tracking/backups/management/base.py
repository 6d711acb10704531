"""What the `backup` and `restore` commands share: how they run a backup service and report."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracking.backups import services as backups


class BackupCommand(BaseCommand):
    # A copy of the data needs no model checks, and must not wait on a database the app is
    # writing to (the checks open a transaction of their own).
    requires_system_checks = []

    def run_service(self, operation, *, started: str, failed: str, done: str):
        """Say `started`, run `operation` (backup_make or backup_restore, with its path bound)
        with the passphrase of the settings, then say `done` with what it did; a BackupError
        ends the command with `failed` and why."""
        self.stdout.write(started)
        try:
            outcome = operation(passphrase=settings.BACKUP_PASSPHRASE)
        except backups.BackupError as error:
            raise CommandError(f"{failed}: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"{done} {outcome.describe()}."))
        return outcome
