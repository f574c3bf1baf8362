from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from headway.accounts.models import Membership, Organisation, Role
from headway.accounts.services import organisation_create, user_create
from headway.lib.errors import Conflict


class Command(BaseCommand):
    help = (
        "Create an account that logs in with an e-mail address, and optionally put it in an "
        "organisation with a role (creating the organisation, with this person as owner, if "
        "--org-name is given). Asks for the password when --password is left out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--password", help="Prompted for when left out.")
        parser.add_argument("--org", help="Slug of the organisation to join.")
        parser.add_argument(
            "--org-name", help="Create this organisation, owned by the new account."
        )
        parser.add_argument("--role", default=Role.MEMBER, choices=Role.values)
        parser.add_argument("--staff", action="store_true", help="Can use the operators' /admin/.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or getpass.getpass("Password: ")
        try:
            with transaction.atomic():
                user = user_create(email=options["email"], password=password, name=options["name"])
                if options["staff"]:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                where = self._place(user, options)
        except (ValidationError, Conflict, PermissionDenied) as error:
            raise CommandError(_message(error)) from None
        self.stdout.write(f"Created {user.email}{where}.")

    def _place(self, user: Any, options: dict[str, Any]) -> str:
        if options["org_name"]:
            organisation = organisation_create(
                name=options["org_name"], owner=user, slug=options["org"] or ""
            )
            return f", owner of {organisation.name} ({organisation.slug})"
        if options["org"]:
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['org']!r}.")
            Membership.objects.create(organisation=organisation, user=user, role=options["role"])
            return f", {options['role']} of {organisation.name}"
        return ""


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()
            )
        return " ".join(error.messages)
    if isinstance(error, Conflict):
        return error.message
    return str(error)
