"""`manage.py backup [--output PATH]`: the whole database into one file (see tracking/backups/services.py)."""

from functools import partial
from pathlib import Path

from tracking.backups import services as backups
from tracking.backups.management.base import BackupCommand


class Command(BackupCommand):
    help = (
        "Back up the whole database but the sessions with pg_dump -Fc (the system's, or the embedded "
        "server's). Safe while the app runs. The file is readable by its owner only, and "
        "encrypted (age) when BACKUP_PASSPHRASE is set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help=f"the file to write (must not exist); default: a timestamped file under {backups.BACKUP_DIR}",
        )

    def handle(self, *args, output: Path | None, **options):
        outcome = self.run_service(
            partial(backups.backup_make, path=output),
            started=f"Backing up the {backups.database_label()} …",
            failed="Backup failed",
            done="Backup written:",
        )
        if not outcome.encrypted:
            self.stdout.write("Not encrypted: set BACKUP_PASSPHRASE to encrypt backups (README, Backups).")
