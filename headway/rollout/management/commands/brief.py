"""`headway brief`: a leader's brief written to a file, as PDF, Markdown or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from headway.accounts.models import Membership, Organisation
from headway.accounts.selectors import acting_member
from headway.rollout.brief import LENSES, leader_brief, leader_by_email
from headway.web.brief_output import brief_html, brief_markdown, brief_pdf

FORMATS = ("pdf", "md", "html")
BAD_INPUT = 2  # the exit code for input the command cannot use


def _refuse(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


class Command(BaseCommand):
    help = (
        "Write a leader's brief to a file: the evidence from the leader's own part of the "
        "organisation, framed by a lens (strategy_execution, alignment, communication, focus "
        "or engagement; left out: the problem recorded for the leader in discovery). Read as "
        "the organisation's owner. Links are absolute, on HEADWAY_SITE_URL. Example: "
        "headway brief --leader ava@tidewater.example --lens alignment --format pdf -o brief.pdf"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leader", required=True, help="The leader's e-mail address.")
        parser.add_argument("--lens", default=None, help=f"One of {', '.join(LENSES)}.")
        parser.add_argument("--format", default="pdf", help="pdf (default), md or html.")
        parser.add_argument("-o", "--output", required=True, help="The file to write.")
        parser.add_argument(
            "--org", help="The organisation's slug (needed when the leader is in several)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = str(options["format"]).lower()
        if kind not in FORMATS:
            raise _refuse(f"Unknown format {kind!r}: choose pdf, md or html.")
        organisation = self._organisation(options["org"], options["leader"])
        leader = leader_by_email(organisation, options["leader"])
        if leader is None:
            raise _refuse(
                f"{options['leader']} is not a member of {organisation.name} ({organisation.slug})."
            )
        try:
            brief = leader_brief(self._reader(organisation), leader.pk, options["lens"])
        except ValidationError as error:
            raise _refuse(" ".join(error.messages)) from None
        except (Http404, PermissionDenied) as error:
            raise _refuse(str(error)) from None
        path = Path(options["output"])
        try:
            if kind == "pdf":
                path.write_bytes(brief_pdf(brief))
            else:
                path.write_text(brief_markdown(brief) if kind == "md" else brief_html(brief))
        except OSError as error:
            raise _refuse(f"Cannot write {path}: {error.strerror}.") from None
        self.stdout.write(
            f"Wrote the {brief.lens.label.lower()} brief for {brief.leader_name} "
            f"({brief.scope.label}) to {path}."
        )

    def _organisation(self, slug: str | None, email: str) -> Organisation:
        if slug:
            found = Organisation.objects.filter(slug=slug).first()
            if found is None:
                raise _refuse(f"There is no organisation {slug!r}.")
            return found
        slugs = list(
            Membership.objects.filter(user__email__iexact=email.strip()).values_list(
                "organisation__slug", flat=True
            )
        )
        if not slugs:
            raise _refuse(
                f"Nobody with the e-mail address {email} is a member of any organisation."
            )
        if len(slugs) > 1:
            raise _refuse(
                f"{email} is in several organisations; say which with --org ({', '.join(sorted(slugs))})."
            )
        return Organisation.objects.get(slug=slugs[0])

    def _reader(self, organisation: Organisation) -> Membership:
        owner = acting_member(organisation)
        if owner is None:
            raise _refuse(f"{organisation.name} has no owner to read the brief as.")
        return owner
