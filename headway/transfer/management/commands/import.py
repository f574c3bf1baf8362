"""`headway import FILE --org SLUG`: the web page's import, in this process."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.accounts.models import Membership, Organisation
from headway.accounts.selectors import acting_member
from headway.transfer.models import ImportFormat, ImportStatus
from headway.transfer.services import import_run

BAD_INPUT = 2  # the exit code for a file that cannot be imported
LABELS = {"key_results": "key results", "checkins": "check-ins", "links": "alignment links"}
EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".json": "json"}


def _refuse(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


class Progress:
    """A one-line progress bar on a terminal; nothing when the output is a file."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.phase = ""

    def __call__(self, phase: str, done: int, expected: int) -> None:
        if not self.live:
            return
        if phase != self.phase and self.phase:
            self.stream.write("\n")
        self.phase = phase
        share = min(done / expected, 1.0) if expected else 0.0
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{phase:<8} [{bar:<30}] {done:>9,} / {expected:,} rows")
        self.stream.flush()

    def end(self) -> None:
        if self.live and self.phase:
            self.stream.write("\n")


class Command(BaseCommand):
    help = (
        "Import objectives, key results and check-ins from a file into an organisation, as "
        "the web's Settings › Import does: the Headway template (CSV or XLSX), a Viva Goals "
        "export (--format viva) or a Headway organisation export (JSON, into an empty "
        "organisation). The whole file is checked first and every problem is printed with its "
        "row and column (exit code 2); nothing is written unless the file is valid, and then "
        "everything is written in one transaction. --dry-run checks only. Acts as an owner of "
        "the organisation, or --as an admin. Example: headway import okrs.xlsx --org acme"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file to import.")
        parser.add_argument("--org", required=True, help="The organisation's slug.")
        parser.add_argument(
            "--format",
            choices=ImportFormat.values,
            help="csv, xlsx, viva or json (default: from the file's extension).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and print the preview only."
        )
        parser.add_argument(
            "--as", dest="email", help="Import as this owner or admin (default: an owner)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        fmt = options["format"] or EXTENSIONS.get(path.suffix.lower())
        if fmt is None:
            raise _refuse(f"Say what {path.name} is with --format csv, xlsx, viva or json.")
        try:
            content = path.read_bytes()
        except OSError as error:
            raise _refuse(f"Cannot read {path}: {error.strerror}.") from None
        member = _member(options["org"], options["email"])
        progress = Progress(sys.stderr)  # the bar goes to the terminal, never to a log
        try:
            job = import_run(
                member=member,
                filename=path.name,
                content=content,
                format=fmt,
                dry_run=options["dry_run"],
                report=progress,
            )
        except ValidationError as error:
            raise _refuse(" ".join(error.messages)) from None
        except PermissionDenied as error:
            raise _refuse(str(error)) from None
        progress.end()
        self._report(job, options["dry_run"])

    def _report(self, job: Any, dry_run: bool) -> None:
        for warning in (job.preview or {}).get("warnings", []):
            self.stdout.write(f"Note: {_place(warning)}{warning['message']}")
        if job.status == ImportStatus.INVALID:
            for error in job.errors:
                self.stderr.write(f"{_place(error)}{error['message']}")
            raise _refuse(f"{job.filename}: {job.message}")
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.message)
        if dry_run:
            counts = (job.preview or {}).get("counts", {})
            listed = ", ".join(f"{LABELS.get(n, n)}: {count:,}" for n, count in counts.items())
            self.stdout.write(
                f"Dry run: {job.filename} is valid; it would import {listed}. Nothing was written."
            )
            return
        self.stdout.write(job.message)


def _place(problem: dict[str, Any]) -> str:
    parts = []
    if problem.get("sheet"):
        parts.append(f"sheet {problem['sheet']}")
    if problem.get("row"):
        parts.append(f"row {problem['row']}")
    if problem.get("column"):
        parts.append(f"column {problem['column']}")
    return f"{', '.join(parts)}: " if parts else ""


def _member(slug: str, email: str | None) -> Membership:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise _refuse(f"There is no organisation with the slug {slug!r}.")
    member = acting_member(organisation, email)
    if email and (member is None or not member.is_admin):
        raise _refuse(f"{email} is not an owner or admin of {organisation.name}.")
    if member is None:
        raise _refuse(f"{organisation.name} has no owner: say who imports with --as EMAIL.")
    return member
