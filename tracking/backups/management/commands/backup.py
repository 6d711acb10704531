"""`manage.py backup [--output PATH]`: the whole database into one file (see tracking/backups/services.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracking.backups import services as backups


class Command(BaseCommand):
    help = (
        "Back up the whole database but the sessions with pg_dump -Fc (the system's, or the embedded "
        "server's). Safe while the app runs. The file is readable by its owner only, and "
        "encrypted (age) when BACKUP_PASSPHRASE is set."
    )
    # A copy of the data needs no model checks, and must not wait on a database the app is
    # writing to (the checks open a transaction of their own).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help=f"the file to write (must not exist); default: a timestamped file under {backups.BACKUP_DIR}",
        )

    def handle(self, *args, output: Path | None, **options):
        self.stdout.write(f"Backing up the {backups.database_label()} …")
        try:
            outcome = backups.backup_make(path=output, passphrase=settings.BACKUP_PASSPHRASE)
        except backups.BackupError as error:
            raise CommandError(f"Backup failed: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Backup written: {outcome.describe()}."))
        if not outcome.encrypted:
            self.stdout.write("Not encrypted: set BACKUP_PASSPHRASE to encrypt backups (README, Backups).")
