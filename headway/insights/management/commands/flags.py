from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.accounts.models import Organisation
from headway.insights.services import flags_refresh


class Command(BaseCommand):
    help = (
        "Analyse every key result in play (pace, forecast, stalls, overdue check-ins, "
        "watermelons) and open, update or resolve its flags. Runs for every organisation, "
        "or for one with --org."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Only this organisation (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.order_by("slug")
        if options["org"]:
            organisations = organisations.filter(slug=options["org"])
            if not organisations:
                raise CommandError(f"No organisation with the slug {options['org']!r}.")
        for organisation in organisations:
            self.stdout.write(f"{organisation.slug}: {flags_refresh(organisation)}")
