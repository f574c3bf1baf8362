"""What every importer reads a file into, before anything is checked against the
database: plain rows with the place each value came from. Pure (no Django).

A reader (the Headway template's CSV/XLSX reader, the Viva Goals reader) turns a file
into a `Parsed`: objectives, key results and check-ins as strings and numbers, each with
its row number in the file, plus the problems found while reading (encoding, headers,
numbers, dates …). The validator then checks them against the organisation (owners by
e-mail, teams by name or path, cycles, parents by reference, loops) and adds its own
problems; only a file with no problem at all is written, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, at its place: `row` as counted in the file (the
    header is row 1; 0 for the file as a whole), `column` the header's text ("" when it
    is about the row or the file), `sheet` for workbooks with several sheets."""

    row: int
    column: str
    message: str
    sheet: str = ""


@dataclass
class ObjectiveRow:
    """An objective as the file says it. `ref` is the file's own reference (unique in the
    file); `parent_ref` another objective's (or a key result's) reference to align to;
    `theme` a theme's title to align to instead; `team` a team's name or path
    ("Operations / Hubs"), empty for a personal objective of `owner`."""

    row: int
    ref: str
    title: str
    cycle: str
    team: str = ""
    owner: str = ""  # an e-mail address
    description: str = ""
    parent_ref: str = ""
    theme: str = ""
    status: str = ""  # draft / active / closed; empty: active
    visibility: str = ""  # public / private; empty: public
    sheet: str = ""
    link: str = ""  # contributes / supports, for both parent and theme; empty: contributes


@dataclass
class KeyResultRow:
    """A key result of the objective `objective_ref`. `kind` is increase, decrease,
    milestone, maintain_above or maintain_below (readers map their words to these)."""

    row: int
    ref: str
    objective_ref: str
    title: str
    kind: str = "increase"
    start: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str = ""
    owner: str = ""
    sheet: str = ""
    weight: float | None = None  # empty: 1
    status: str = ""  # active / dropped; empty: active
    confidence: int | None = None  # for the check-in `current` makes when no check-in row has one


@dataclass
class CheckInRow:
    """A check-in of the key result `key_result_ref` on `on`."""

    row: int
    key_result_ref: str
    on: dt.date
    value: float
    confidence: int | None = None
    note: str = ""
    sheet: str = ""


@dataclass
class Parsed:
    """A file read into rows, with the problems met while reading it."""

    objectives: list[ObjectiveRow] = field(default_factory=list)
    key_results: list[KeyResultRow] = field(default_factory=list)
    checkins: list[CheckInRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the headers found, in order
    # What does not stop an import but deserves a look (an encoding that was guessed, a
    # column that is not used); shown with the preview.
    warnings: list[Problem] = field(default_factory=list)
    source: str = ""  # how the file was read, e.g. "UTF-8, comma-separated"
    # Field → its header as written in the file (validate.py names columns with it),
    # and the fields whose column is missing (reported once by the reader, so the
    # validator does not repeat it on every row).
    header_of: dict[str, str] = field(default_factory=dict)
    absent_columns: set[str] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return len(self.objectives) + len(self.key_results) + len(self.checkins)


def ref_key(ref: str) -> str:
    """References are compared without regard to case or surrounding spaces."""
    return " ".join(ref.split()).casefold()
