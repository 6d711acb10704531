"""`manage.py restore PATH --yes`: replace the whole database with a backup (see tracking/backups/services.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracking.backups import services as backups


class Command(BaseCommand):
    help = (
        "Replace every table of the database with a backup made by `manage.py backup`. "
        "Stop the web app and the workers first; needs --yes. An encrypted backup needs BACKUP_PASSPHRASE."
    )
    # A copy of the data needs no model checks, and must not wait on a database the app is
    # writing to (the checks open a transaction of their own).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="the backup file to restore")
        parser.add_argument("--yes", action="store_true", help="confirm: the data now in the database is replaced")

    def handle(self, *args, backup: Path, yes: bool, **options):
        target = backups.database_label()
        if not yes:
            raise CommandError(
                f"A restore replaces all the data of the {target} with {backup}. "
                "Run it again with --yes (make restore BACKUP=… CONFIRM=yes) to go ahead."
            )
        self.stdout.write(f"Restoring {backup} into the {target} …")
        try:
            outcome = backups.backup_restore(path=backup, passphrase=settings.BACKUP_PASSPHRASE)
        except backups.BackupError as error:
            raise CommandError(f"Restore failed: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Restored {outcome.describe()}."))
