from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from headway.transfer.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace everything in this server's database with a backup made by "
        "`headway backup`. Stop the web processes and workers first: they would keep "
        "writing to the database being replaced. Asks for confirmation unless --yes. "
        "Afterwards run `headway migrate` and `headway recompute --verify` (docs/backup.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The backup file.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        database = settings.DATABASES["default"]
        if not options["yes"]:
            answer = input(f"Replace everything in {database['NAME']}? Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing restored.")
        connections.close_all()  # no transaction of ours holds the database meanwhile
        try:
            result = restore(database, Path(options["path"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(result.summary("Restored from"))
