from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from headway.accounts.models import Membership, Organisation
from headway.accounts.selectors import acting_member
from headway.transfer import export, sheets
from headway.transfer.json_export import document_json, organisation_document
from headway.transfer.json_format import PEOPLE

FORMATS = ("json", "csv", "xlsx")


class Command(BaseCommand):
    help = (
        "Export an organisation for a move to another server, or one of its lists for a "
        "spreadsheet. The default is the whole organisation as versioned JSON (no secrets), "
        "which `headway import-json` reads into an empty organisation. With --list, one list "
        "(objectives, key-results, check-ins, flags, learning) as CSV or Excel, filtered like "
        "its page (--filter cycle_id=3), as an owner sees it or as --as EMAIL sees it. The "
        "format follows the file's extension unless --format says otherwise; -o - writes "
        "JSON or CSV to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="The organisation's short name (slug).")
        parser.add_argument("-o", "--output", required=True, help="The file to write, or -.")
        parser.add_argument("--format", choices=FORMATS, help="Default: from the file name.")
        parser.add_argument("--list", choices=sorted(export.LISTS), help="Export one list.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A filter of the list, as on its page and API (repeat for several).",
        )
        parser.add_argument("--as", dest="email", help="Export the list as this member sees it.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the short name {options['org']!r}.")
        output = options["output"]
        format_ = options["format"] or _format_of(output, options["list"])
        if options["list"]:
            self._list(organisation, options, format_)
        elif format_ != "json":
            raise CommandError(f"Say which list to export as {format_} with --list.")
        else:
            self._organisation(organisation, output)

    def _organisation(self, organisation: Organisation, output: str) -> None:
        document = organisation_document(organisation)
        data = document_json(document)
        _write(output, data)
        counts = ", ".join(
            f"{len(document[name]):,} {label}"
            for name, label in (
                (PEOPLE, "people"),
                ("teams", "teams"),
                ("objectives", "objectives"),
                ("key_results", "key results"),
                ("checkins", "check-ins"),
            )
        )
        self._done(f"Exported {organisation.name}: {counts} ({len(data) / 1024:,.0f} KB)", output)

    def _list(self, organisation: Organisation, options: dict[str, Any], format_: str) -> None:
        if format_ not in ("csv", "xlsx"):
            raise CommandError("A list is exported as csv or xlsx.")
        member = _member(organisation, options["email"])
        name = options["list"]
        try:
            filters = export.filters_parse(name, _pairs(options["filter"]))
            table = export.list_table(member, name, filters)
            data = sheets.csv_bytes(table) if format_ == "csv" else sheets.xlsx_bytes(table)
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        _write(options["output"], data, text_ok=format_ == "csv")
        self._done(
            f"Exported {export.LISTS[name].title.lower()} of {organisation.name}", options["output"]
        )

    def _done(self, message: str, output: str) -> None:
        # The file itself goes to standard output with -o -: the summary to stderr.
        stream = self.stderr if output == "-" else self.stdout
        stream.write(f"{message} to {'standard output' if output == '-' else output}.")


def _format_of(output: str, listed: str | None) -> str:
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    return "csv" if listed else "json"


def _pairs(given: list[str]) -> dict[str, str]:
    pairs = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep:
            raise CommandError(f"Give a filter as NAME=VALUE, e.g. cycle_id=3, not {item!r}.")
        pairs[name.strip()] = value.strip()
    return pairs


def _member(organisation: Organisation, email: str | None) -> Membership:
    member = acting_member(organisation, email)
    if member is None:
        raise CommandError(
            f"{email} is not a member of {organisation.name}."
            if email
            else f"{organisation.name} has no owner to export as; say who with --as EMAIL."
        )
    return member


def _write(output: str, data: bytes, text_ok: bool = True) -> None:
    if output == "-":
        if not text_ok:
            raise CommandError("Write an Excel file to a file, not to standard output.")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        Path(output).write_bytes(data)
    except OSError as error:
        raise CommandError(f"Could not write {output}: {error.strerror}.") from None
