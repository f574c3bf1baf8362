from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.transfer.backup import BackupError, backup, default_name


class Command(BaseCommand):
    help = (
        "Back up the whole database to one file, for operators: SQLite with its online "
        "backup (safe while Headway runs), PostgreSQL with pg_dump -Fc. Without a path the "
        "file goes to HEADWAY_DATA_DIR/backups/ with the time in its name. Restore it with "
        "`headway restore FILE`; see docs/backup.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="The file to write (or a directory).")

    def handle(self, *args: Any, **options: Any) -> None:
        database = settings.DATABASES["default"]
        target = Path(options["path"] or settings.DATA_DIR / "backups")
        if target.is_dir() or not options["path"]:
            target = target / default_name(database)
        try:
            result = backup(database, target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(result.summary("Backed up to"))
