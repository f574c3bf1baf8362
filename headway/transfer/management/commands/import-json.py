from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from headway.accounts.models import Membership, Organisation
from headway.accounts.selectors import acting_member
from headway.transfer.json_import import ImportRefused, write
from headway.transfer.rows import Problem


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


class Command(BaseCommand):
    help = (
        "Import an organisation exported with `headway export` (JSON) into an empty "
        "organisation of this server: create the organisation first (`headway createuser "
        "--email you@example.com --org SLUG --org-name NAME`), then import into it. Every "
        "problem of the file is listed with its place, and nothing is written unless the whole "
        "file is sound. People are matched by e-mail; new accounts get no password and set "
        "one with 'Forgot your password?'. --dry-run writes everything and rolls it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The .json file written by `headway export`.")
        parser.add_argument("--org", required=True, help="The empty organisation's short name.")
        parser.add_argument("--dry-run", action="store_true", help="Check and roll back.")
        parser.add_argument(
            "--as", dest="email", help="Import as this owner or admin (default: an owner)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(
                f"No organisation with the short name {options['org']!r}; create it first "
                "with `headway createuser --org SLUG --org-name NAME`."
            )
        try:
            content = Path(options["file"]).read_bytes()
        except OSError as error:
            raise CommandError(f"Could not read {options['file']}: {error.strerror}.") from None
        member = _member(organisation, options["email"])
        try:
            with transaction.atomic():
                created = write(organisation, content, member)
                if options["dry_run"]:
                    raise DryRun
        except DryRun:
            self.stdout.write(f"Dry run: the file fits; it would import {_counts(created)}.")
            return
        except ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(_line(problem))
            count = len(refused.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''}: nothing was imported."
            ) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Imported into {organisation.name}: {_counts(created)}.")


def _line(problem: Problem) -> str:
    return f"{problem.column or '(file)'}: {problem.message}"


def _counts(created: dict[str, int]) -> str:
    shown = [
        ("people", "people"),
        ("accounts_created", "new accounts"),
        ("teams", "teams"),
        ("cycles", "cycles"),
        ("objectives", "objectives"),
        ("key_results", "key results"),
        ("checkins", "check-ins"),
    ]
    return ", ".join(f"{created.get(name, 0):,} {label}" for name, label in shown)


def _member(organisation: Organisation, email: str | None) -> Membership:
    member = acting_member(organisation, email)
    if member is None:
        raise CommandError(
            f"{email} is not a member of {organisation.name}."
            if email
            else f"{organisation.name} has no owner; say who imports with --as EMAIL."
        )
    return member
