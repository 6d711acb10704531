"""`manage.py restore PATH --yes`: replace the whole database with a backup (see tracking/backups/services.py)."""

from functools import partial
from pathlib import Path

from django.core.management.base import CommandError

from tracking.backups import services as backups
from tracking.backups.management.base import BackupCommand


class Command(BackupCommand):
    help = (
        "Replace every table of the database with a backup made by `manage.py backup`. "
        "Stop the web app and the workers first; needs --yes. An encrypted backup needs BACKUP_PASSPHRASE."
    )

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
        self.run_service(
            partial(backups.backup_restore, path=backup),
            started=f"Restoring {backup} into the {target} …",
            failed="Restore failed",
            done="Restored",
        )
