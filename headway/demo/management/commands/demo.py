from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from headway.accounts.models import Organisation
from headway.demo.build import demo_build
from headway.demo.data import DEMO_LOGIN, DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Create the demo organisation (Tidewater Freight: 16 teams over 4 levels, 40 people, "
        "themes and this year's cycles), or bring an existing one back to its defined shape. "
        "Every demo account's password is 'headway-demo': never run this on a server others use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds an organisation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Organisation.objects.exists():
            return
        organisation = demo_build()
        self.stdout.write(
            f"Demo organisation {organisation.name} is ready: log in as {DEMO_LOGIN} / {DEMO_PASSWORD}."
        )
