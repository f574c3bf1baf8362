from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from headway.accounts.models import Membership
from headway.goals.models import KeyResult
from headway.goals.services import checkin_create


class Command(BaseCommand):
    help = (
        "Check in a key result's new value from the command line, through the same service "
        "as the web and the API: the key result, its objective and every parent it contributes "
        "to move at once. Acts as --email, or as the key result's owner when left out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kr", type=int, required=True, help="The key result's id.")
        parser.add_argument(
            "--value", required=True, help="A number, or done / not done for a milestone."
        )
        parser.add_argument(
            "--confidence", required=True, help="0 to the organisation's scale (10)."
        )
        parser.add_argument("--note", default="")
        parser.add_argument("--blockers", default="")
        parser.add_argument(
            "--email", help="Check in as this person (default: the key result's owner)."
        )
        parser.add_argument(
            "--idempotency-key", help="Repeat the command safely: a second run changes nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key_result = KeyResult.objects.select_related("objective").filter(pk=options["kr"]).first()
        if key_result is None:
            raise CommandError(f"There is no key result {options['kr']}.")
        member = self._member(key_result, options["email"])
        try:
            result = checkin_create(
                member=member,
                key_result_id=key_result.pk,
                value=options["value"],
                confidence=options["confidence"],
                note=options["note"],
                blockers=options["blockers"],
                idempotency_key=options["idempotency_key"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items())
            ) from None
        except (PermissionDenied, Http404) as error:
            raise CommandError(str(error)) from None
        key_result.refresh_from_db()
        key_result.objective.refresh_from_db()
        verb = "Checked in" if result.created else "Already checked in (same idempotency key)"
        self.stdout.write(
            f"{verb}: {key_result} = {key_result.current_value:g} ({_percent(key_result.progress)}); "
            f"objective {key_result.objective} at {_percent(key_result.objective.progress)}."
        )

    def _member(self, key_result: KeyResult, email: str | None) -> Membership:
        members = Membership.objects.select_related("organisation", "user").filter(
            organisation_id=key_result.organisation_id
        )
        if email:
            member = members.filter(user__email__iexact=email).first()
        else:
            user_id = key_result.owner_id or key_result.objective.owner_user_id
            member = members.filter(user_id=user_id).first() if user_id else None
        if member is None:
            raise CommandError(
                f"Say who checks in with --email: {email or 'the key result has no owner'} "
                "is not a member of its organisation."
            )
        return member


def _percent(progress: float | None) -> str:
    return "no progress yet" if progress is None else f"{progress:.0%}"
