from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.accounts.models import Organisation
from headway.notify.jobs import digests_run, flags_run, reminders_run


class Command(BaseCommand):
    help = (
        "Send notifications now instead of waiting for the worker's schedule: check-in "
        "reminders, weekly digests or flag notifications, through the same code the "
        "schedule runs. --send-now ignores the day and time of the organisation's slot; "
        "everything else holds (each reminder and digest goes once per date or week, "
        "people's preferences, away and unsubscribe apply). E-mail goes through the "
        "configured backend: on the console when HEADWAY_EMAIL_HOST is empty."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--send-now",
            required=True,
            choices=["reminders", "digest", "flags"],
            help="What to send.",
        )
        parser.add_argument("--org", help="Only this organisation (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = None
        if options["org"]:
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['org']!r}.")
            ids = [organisation.pk]
        what = options["send_now"]
        if what == "reminders":
            summary = reminders_run(organisation_ids=ids, force=True)
        elif what == "digest":
            summary = digests_run(organisation_ids=ids, force=True)
        else:
            summary = flags_run(organisation_ids=ids)
        self.stdout.write(f"{what}: {summary}")
