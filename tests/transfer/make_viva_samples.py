"""Write the Viva Goals sample files the tests read, from the documented format.

Microsoft documents the Explorer export (CSV or XLSX, columns chosen by the person,
key results listed under their objective when asked, tags comma-separated or one a
column) and the import template (OKR Reference, Parent OKR, Type holding Organization,
a team's name or Individual, Owner, Time period). These samples follow that
description; nothing in them is copied from a real export.

    python tests/transfer/make_viva_samples.py     # rewrites tests/transfer/samples/viva/

The people, teams and cycles are those `tests/transfer/test_viva.py` creates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent / "samples" / "viva"

Table = list[list[str]]


def table(text: str) -> Table:
    """A table written one row a line, cells between "|" (no cell holds one)."""
    return [[cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()]


# An Explorer export with key results under each objective, owners by display name,
# parents by title ("Aligned To"), numbers as Viva shows them, one project to skip.
EXPLORER = table(
    """
Title | Object Type | Type | Team | Owner | Time Period | Status | Progress | Start Value | Target Value | Current Value | Unit | Aligned To | Tags | Description | Start Date | Due Date | Last Updated | Manager
Grow recurring revenue profitably | Objective | Organization |  | Ava Stone | 2025 | On Track | 45% |  |  |  |  |  | Strategy, Revenue | Our north star for the year. | 2025-01-01 | 2025-12-31 | 2025-03-10 |
Reach 2,400,000 EUR annual recurring revenue | Key Result | Organization |  | Ava Stone | 2025 | On Track | 50% | 1,800,000 | 2,400,000 | 2,100,000 | EUR |  |  |  | 2025-01-01 | 2025-12-31 | 2025-03-10 |
Net revenue retention above 110 % | Key Result | Organization |  | Ava Stone | 2025 | At Risk | 38% | 102 | 110 | 105 | % |  |  |  | 2025-01-01 | 2025-12-31 | 2025-03-03 |
Make the platform reliable enough to sell to banks | Objective | Team | Platform | Ben Ortiz | Q1 2025 | At Risk | 30% |  |  |  |  | Grow recurring revenue profitably | Reliability |  | 2025-01-01 | 2025-03-31 | 2025-03-10 | Ava Stone
Cut p95 checkout latency from 900 ms to 300 ms | Key Result | Team | Platform | Ben Ortiz | Q1 2025 | At Risk | 42% | 900 | 300 | 650 | ms |  |  |  | 2025-01-01 | 2025-03-31 | 2025-03-10 | Ava Stone
Pass the bank security review | Key Result | Team | Platform | Ben Ortiz | Q1 2025 | Behind | 20% |  |  |  |  |  |  |  | 2025-01-01 | 2025-03-31 | 2025-02-24 | Ava Stone
Migrate invoices to the new ledger | Project | Team | Platform | Ben Ortiz | Q1 2025 | On Track | 60% |  |  |  |  |  |  |  | 2025-01-01 | 2025-03-31 | 2025-03-10 | Ava Stone
Win the first three banks | Objective | Team | Sales | Chloé Dubois | Q1 2025 | Behind | 33% |  |  |  |  | Reach 2,400,000 EUR annual recurring revenue | Revenue |  | 2025-01-01 | 2025-03-31 | 2025-03-07 | Ava Stone
Sign 3 bank contracts | Key Result | Team | Sales | Chloé Dubois | Q1 2025 | Behind | 33% | 0 | 3 | 1 | contracts |  |  |  | 2025-01-01 | 2025-03-31 | 2025-03-07 | Ava Stone
Learn Rust well enough to review platform code | Objective | Individual |  | Dan Wu | Q1 2025 | Not Started | 0% |  |  |  |  | Make the platform reliable enough to sell to banks |  |  | 2025-01-01 | 2025-03-31 | 2025-01-02 | Ben Ortiz
Retire the legacy billing system | Objective | Team | Platform | Ben Ortiz | Q1 2025 | Completed | 100% |  |  |  |  |  |  |  | 2025-01-01 | 2025-03-31 | 2025-02-28 | Ava Stone
Move every invoice to the new system | Key Result | Team | Platform | Ben Ortiz | Q1 2025 | Completed | 100% |  |  |  |  |  |  |  | 2025-01-01 | 2025-03-31 | 2025-02-28 | Ava Stone
"""
)

# The import template: references, Type holding Organization / a team / Individual,
# owners by e-mail, a check-in history on its own sheet.
TEMPLATE = table(
    """
OKR Reference | Title | Object Type | Type | Owner | Time Period | Parent OKR | Description | Start Value | Target Value | Current Value | Status | Tags
O1 | Be the bank-grade payments platform | Objective | Organization | ava@acme.test | 2025 |  | Why we exist this year. |  |  |  | On Track | Strategy
O1-KR1 | Three banks live on the platform | Key Result | Organization | ava@acme.test | 2025 | O1 |  | 0 | 3 | 1 | On Track |
O2 | Earn the banks' trust in our uptime | Objective | Platform | ben@acme.test | Q1 2025 | O1-KR1 |  |  |  |  | At Risk | Reliability
O2-KR1 | Raise monthly uptime from 99.5 % to 99.95 % | Key Result | Platform | ben@acme.test | Q1 2025 | O2 |  | 99.5 | 99.95 | 99.8 | At Risk |
O2-KR2 | Cut incidents per month from 12 to 3 | Key Result | Platform | ben@acme.test | Q1 2025 | O2 |  | 12 | 3 | 7 | Behind |
O3 | Close two bank deals | Objective | Sales | chloe@acme.test | Q1 2025 | O1 |  |  |  |  | Postponed |
O3-KR1 | Signed bank contracts | Key Result | Sales | chloe@acme.test | Q1 2025 | O3 |  | 0 | 2 | 0 | Postponed |
O4 | Become the team's go-to person for incident reviews | Objective | Individual | dan@acme.test | Q1 2025 | O2 |  |  |  |  | Canceled |
P1 | Set up the on-call rota | Project | Platform | ben@acme.test | Q1 2025 | O2 |  |  |  |  | On Track |
"""
)

TEMPLATE_README = table(
    """
Read Me
Fill in the OKRs and Projects sheet, one OKR a row.
Copy the OKR Reference of a parent into the Parent OKR of its child.
"""
)

TEMPLATE_CHECKINS = table(
    """
OKR Reference | Check-in Date | Current Value | Check-in Note
O2-KR1 | 2025-01-15 | 99.6 | New failover in one region.
O2-KR1 | 2025-02-12 | 99.8 | Second region done.
O2-KR2 | 2025-01-31 | 9 |
O2-KR2 | 2025-02-28 | 7 | Fewer deploy incidents.
O1-KR1 | 2025-03-01 | 1 | First bank live.
"""
)

# Only some columns chosen at export: the time period came out under a name we do not
# know, so the mapping step must say which column it is.
SOME_COLUMNS = table(
    """
Title | Object Type | Owner | Progress | Period name
Make onboarding effortless | Objective | Ben Ortiz | 40% | Q1 2025
Time to first payment under 1 day | Key Result | Ben Ortiz | 40% | Q1 2025
Half of new customers set up without help | Key Result | Ben Ortiz | 25% | Q1 2025
"""
)

# Columns renamed in a spreadsheet after export: some still recognised, the owner
# column not, and one that Headway has no use for.
RENAMED = table(
    """
Objective Name | Kind | OKR Owner | Quarter | Progress % | Parent | Budget code
Keep customers happy | Objective | chloe@acme.test | Q1 2025 | 50 |  | B-17
NPS from 31 to 45 | KR | chloe@acme.test | Q1 2025 | 50 |  | B-17
Answer every ticket within a day | Objective | dan@acme.test | Q1 2025 |  | Keep customers happy |
Median first response under 4 hours | KR | dan@acme.test | Q1 2025 | 70 |  |
"""
)

# Mistakes, each on its own row: a loop of parents, an owner nobody is called, a word
# that is no object type, a target that is no number, a key result whose objective is
# missing, an objective without a time period.
ERRORS = table(
    """
OKR Reference | Title | Object Type | Type | Owner | Time Period | Parent OKR | Target Value
A | First of a loop | Objective | Platform | ben@acme.test | Q1 2025 | B |
B | Second of a loop | Objective | Platform | ben@acme.test | Q1 2025 | A |
C | Owned by a stranger | Objective | Individual | Nobody Known | Q1 2025 |  |
D | A milestone row | Milestone | Platform | ben@acme.test | Q1 2025 | A |
E | Target in words | Key Result | Platform | ben@acme.test | Q1 2025 | A | lots
F | Orphan key result | Key Result | Platform | ben@acme.test | Q1 2025 | Z9 | 10
G | No time period | Objective | Platform | ben@acme.test |  |  |
"""
)

# As Excel saves a CSV in many European locales: a byte-order mark, semicolons,
# decimal commas, accents; the time period spelt "2025-Q1".
SEMICOLON = table(
    """
OKR Reference | Title | Object Type | Type | Owner | Time Period | Parent OKR | Start Value | Target Value | Current Value | Unit
S1 | Réduire le délai de paiement | Objective | Sales | Chloé Dubois | 2025-Q1 |  |  |  |  |
S1-KR1 | Délai moyen de 45 à 30 jours | Key Result | Sales | Chloé Dubois | 2025-Q1 | S1 | 45 | 30 | 37,5 | jours
S1-KR2 | Taux de relance automatique à 92,5 % | Key Result | Sales | Zoë Müller | 2025-Q1 | S1 | 60 | 92,5 | 75,25 | %
"""
)


def csv_bytes(table: Table, *, separator: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(table)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def xlsx_bytes(sheets: dict[str, Table]) -> bytes:
    """A workbook with one sheet per table, cells typed as Excel would type them:
    numbers as numbers, "45%" as 0.45 shown as a percentage, dates as dates."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(table, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(r, c, _typed(value) if r > 1 else value)
                if re.fullmatch(PERCENT, value):
                    cell.number_format = "0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PERCENT = r"\d+(\.\d+)?%"
NUMBER = r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?"


def _typed(value: str) -> object:
    if re.fullmatch(PERCENT, value):
        return float(value[:-1]) / 100
    if re.fullmatch(NUMBER, value):
        number = float(value.replace(",", ""))
        return int(number) if number.is_integer() and "." not in value else number
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value)
    return value


def build() -> dict[str, bytes]:
    """Every sample, file name → bytes."""
    return {
        "explorer_full.csv": csv_bytes(EXPLORER),
        "explorer_full.xlsx": xlsx_bytes({"Explorer export": EXPLORER}),
        "template.csv": csv_bytes(TEMPLATE),
        "template.xlsx": xlsx_bytes(
            {
                "Read Me": TEMPLATE_README,
                "OKRs and Projects": TEMPLATE,
                "Check-ins": TEMPLATE_CHECKINS,
            }
        ),
        "some_columns.csv": csv_bytes(SOME_COLUMNS),
        "renamed_columns.xlsx": xlsx_bytes({"Sheet1": RENAMED}),
        "errors.csv": csv_bytes(ERRORS),
        "excel_semicolon.csv": csv_bytes(SEMICOLON, separator=";", bom=True),
    }


def main(target: Path = HERE) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, content in build().items():
        (target / name).write_bytes(content)
        print(f"wrote {target / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
