from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from headway.accounts.models import Organisation
from headway.goals.services import recompute_all


class Command(BaseCommand):
    help = (
        "Rebuild every key result's current value and progress, and every objective's progress, "
        "from the check-ins, and list each stored value that differed. With --verify nothing is "
        "written and the command fails when there is any difference: stored progress must always "
        "equal what the check-ins say."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--verify", action="store_true", help="Report differences only; exit 1 if any."
        )
        parser.add_argument("--org", help="Only this organisation (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation_id = None
        if options["org"]:
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['org']!r}.")
            organisation_id = organisation.pk
        with transaction.atomic():
            differences = recompute_all(
                organisation_id=organisation_id, write=not options["verify"]
            )
        for difference in differences:
            self.stdout.write(str(difference))
        if options["verify"]:
            if differences:
                raise CommandError(f"{len(differences)} stored values differ from the check-ins.")
            self.stdout.write("No difference: stored progress equals what the check-ins say.")
        else:
            self.stdout.write(f"Recomputed; {len(differences)} stored values corrected.")
