"""What Headway knows about the columns of a Viva Goals export. Pure (no Django).

Viva Goals let people choose the columns of an Explorer export (CSV or XLSX) and
rename nothing, but its own import template and older exports spell the same field in
several ways ("Time period", "Time Period", "Period"). Detection normalises a header
(case, spacing, punctuation, a trailing "(%)") and looks it up in `SYNONYMS`; what it
does not know is left for the mapping step, where a person says which Headway field a
column holds (`ImportJob.mapping`, source header → field name).

The field names are Headway's own, listed in `FIELDS` with the label the mapping step
shows. docs/import-export.md ("Viva Goals") has the table of what each becomes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Headway field → what the mapping step calls it.
FIELDS: dict[str, str] = {
    "title": "Title (of the objective or key result)",
    "kind": "Objective or key result (Viva 'Object type')",
    "level": "Level: Organisation, Team or Individual (Viva 'Type')",
    "team": "Team name",
    "owner": "Owner (e-mail or full name)",
    "cycle": "Time period (cycle name)",
    "ref": "OKR Reference (the row's own id)",
    "parent_ref": "Parent OKR (reference or title of the parent)",
    "description": "Description",
    "status": "Status (On track, At risk, Completed …)",
    "progress": "Progress (%)",
    "start": "Start value",
    "target": "Target value",
    "current": "Current value",
    "unit": "Unit",
    "tags": "Tags",
    "visibility": "Private or public",
    "checkin_date": "Check-in date (check-in history)",
    "checkin_note": "Check-in note (check-in history)",
    "ignore": "Ignore this column",
}

# Fields a file cannot do without. "owner" stands for "an owner, a team or a level":
# any of the three tells whose objective a row is.
REQUIRED = ("title", "cycle", "owner")
WHO = ("owner", "team", "level")
# How a message names a required field that no column holds.
MISSING_LABELS = {
    "title": "the title",
    "cycle": "the time period",
    "owner": "who owns each objective (an owner, a team or a Type column)",
}

# Headers that may appear several times for one field (tags exported one a column).
MULTI = frozenset({"tags"})

# Normalised header → field. Built from what Microsoft documents for the Explorer
# export and the import template, and the spellings other tools produce.
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        [
            "title",
            "name",
            "okr",
            "okr title",
            "okr name",
            "objective",
            "objective title",
            "objective name",
            "objective or key result",
            "goal",
            "goal title",
        ],
        "title",
    ),
    **dict.fromkeys(
        [
            "object type",
            "objecttype",
            "okr type",
            "item type",
            "entity type",
            "record type",
            "kind",
            "objective key result",
        ],
        "kind",
    ),
    **dict.fromkeys(
        ["type", "level", "okr level", "owner type", "objective type", "belongs to type"],
        "level",
    ),
    **dict.fromkeys(
        ["team", "team name", "teams", "entity", "entity name", "belongs to", "department"],
        "team",
    ),
    **dict.fromkeys(
        [
            "owner",
            "owners",
            "owner name",
            "owner names",
            "owner email",
            "owner emails",
            "owner e mail",
            "owner mail",
            "assignee",
            "assigned to",
        ],
        "owner",
    ),
    **dict.fromkeys(
        ["time period", "timeperiod", "period", "cycle", "quarter", "okr period"], "cycle"
    ),
    **dict.fromkeys(
        [
            "okr reference",
            "okr ref",
            "reference",
            "ref",
            "id",
            "okr id",
            "objective id",
            "unique id",
        ],
        "ref",
    ),
    **dict.fromkeys(
        [
            "parent okr",
            "parent",
            "parent reference",
            "parent okr reference",
            "parent id",
            "parent okr id",
            "parent objective",
            "aligned to",
            "aligned with",
            "alignment",
            "parent title",
        ],
        "parent_ref",
    ),
    **dict.fromkeys(["description", "details", "notes", "okr description"], "description"),
    **dict.fromkeys(["status", "okr status", "progress status", "health"], "status"),
    **dict.fromkeys(
        ["progress", "progress percent", "progress percentage", "completion", "percent complete"],
        "progress",
    ),
    **dict.fromkeys(
        [
            "start",
            "start value",
            "starting value",
            "metric start",
            "metric start value",
            "initial value",
            "baseline",
        ],
        "start",
    ),
    **dict.fromkeys(
        ["target", "target value", "metric target", "metric target value", "goal value"],
        "target",
    ),
    **dict.fromkeys(
        [
            "current",
            "current value",
            "metric current",
            "metric current value",
            "actual",
            "actual value",
            "value",
        ],
        "current",
    ),
    **dict.fromkeys(["unit", "units", "metric unit", "unit of measure"], "unit"),
    **dict.fromkeys(["tags", "tag", "labels", "label"], "tags"),
    **dict.fromkeys(["private", "visibility", "privacy", "is private"], "visibility"),
    **dict.fromkeys(
        [
            "check in date",
            "checkin date",
            "last check in",
            "last check in date",
            "last checked in",
            "last checkin date",
            "date",
        ],
        "checkin_date",
    ),
    **dict.fromkeys(
        [
            "check in note",
            "checkin note",
            "check in comment",
            "last check in note",
            "last check in comment",
            "note",
            "comment",
        ],
        "checkin_note",
    ),
    # Viva columns Headway has no place for: recognised, so they are not "unknown".
    **dict.fromkeys(
        [
            "start date",
            "due date",
            "due",
            "end date",
            "created date",
            "created on",
            "created by",
            "last updated",
            "last updated date",
            "updated on",
            "manager",
            "team type",
            "score",
            "weight",
            "aligned",
            "check in owner",
            "check in responsible",
            "who is responsible for making check ins",
            "progress type",
            "metric type",
            "metric name",
            "metric",
            "integration",
            "closed date",
            "closing note",
            "url",
            "link",
        ],
        "ignore",
    ),
}

_TAG_COLUMN = re.compile(r"^(tag|tags|label)\s*\d+$")


def normalise_header(header: str) -> str:
    """ "Time Period" → "time period", "Progress (%)" → "progress", "Owner_E-mail" →
    "owner e mail", "Check-in date" → "check in date"."""
    text = header.replace("\ufeff", "").strip().lower()
    text = text.replace("%", " percent ").replace("#", " ")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"\s+percent$", "", text) if text != "percent" else "progress"


def field_of(header: str) -> str:
    """The Headway field a header names, "" when it is not known."""
    key = normalise_header(header)
    if key in SYNONYMS:
        return SYNONYMS[key]
    if _TAG_COLUMN.match(key):
        return "tags"
    return ""


@dataclass(frozen=True)
class ColumnDetection:
    """Which column holds which field. `columns` maps a column's position to its field
    ("ignore" for a column Headway does not use); `unknown` lists the headers nothing
    recognised (to offer in the mapping step); `missing` the required fields that no
    column holds; `invalid` the mapping entries that name no Headway field."""

    headers: list[str]
    columns: dict[int, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def by_header(self) -> dict[str, str]:
        """Header → field, for every recognised or mapped column."""
        return {self.headers[i]: f for i, f in self.columns.items()}

    def positions(self, name: str) -> list[int]:
        return [i for i, f in sorted(self.columns.items()) if f == name]

    def position(self, name: str) -> int | None:
        found = self.positions(name)
        return found[0] if found else None

    def header(self, name: str) -> str:
        """The header of the column holding `name`, "" if none does."""
        at = self.position(name)
        return self.headers[at] if at is not None else ""


def detect_viva_columns(
    headers: list[str], mapping: Mapping[str, str] | None = None
) -> ColumnDetection:
    """Recognise the headers of a Viva Goals export, letting `mapping` (source header →
    Headway field, or "ignore") override what detection found. A single field held by
    two columns keeps the first (or the mapped one); tags may span several columns."""
    mapping = {k.strip(): v.strip() for k, v in (mapping or {}).items()}
    invalid = [h for h, f in mapping.items() if f and f not in FIELDS]
    columns: dict[int, str] = {}
    unknown: list[str] = []
    mapped_fields = {f for h, f in mapping.items() if f in FIELDS and h in _stripped(headers)}
    for i, header in enumerate(headers):
        if not header.strip():
            continue
        chosen = mapping.get(header.strip())
        if chosen in FIELDS:
            columns[i] = chosen
            continue
        found = field_of(header)
        if not found:
            unknown.append(header)
        elif found in mapped_fields and found not in MULTI and found != "ignore":
            columns[i] = "ignore"  # the person chose another column for this field
        elif found in MULTI or found == "ignore" or found not in columns.values():
            columns[i] = found
        else:
            columns[i] = "ignore"  # a second column for a single field
    present = set(columns.values())
    missing = [
        name
        for name in REQUIRED
        if not (present & set(WHO) if name == "owner" else name in present)
    ]
    return ColumnDetection(list(headers), columns, unknown, missing, invalid)


def _stripped(headers: Iterable[str]) -> set[str]:
    return {h.strip() for h in headers}


def viva_columns_needing_mapping(
    headers: list[str], mapping: Mapping[str, str] | None = None
) -> list[str]:
    """The required Headway fields ("title", "cycle", "owner") that no column of this
    file holds yet, after `mapping`. Empty: the file can be read as it is. The mapping
    step asks for these, offering the file's unknown headers (`detect_viva_columns`)."""
    return detect_viva_columns(headers, mapping).missing


# Words in the "Object type" column (or a "Type" column that holds them).
KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(["objective", "objectives", "o", "goal", "obj"], "objective"),
    **dict.fromkeys(
        ["key result", "key results", "kr", "keyresult", "result", "metric", "outcome"],
        "key_result",
    ),
    **dict.fromkeys(
        ["project", "projects", "initiative", "initiatives", "task", "action", "deliverable"],
        "project",
    ),
}

# Words in the "Type" column; anything else there is read as a team's name, as in
# Viva's import template, whose Type column holds "Organization", a team or "Individual".
LEVEL_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ["organization", "organisation", "org", "company", "organization level"],
        "organisation",
    ),
    **dict.fromkeys(["team", "teams", "department", "group", "team level"], "team"),
    **dict.fromkeys(
        ["individual", "personal", "person", "user", "people", "individual level"],
        "individual",
    ),
}

# Viva statuses → Headway objective status. The rest (not started, on track, at risk,
# behind, postponed, reopened) stay active: Headway works out its own health from pace.
CLOSED_STATUSES = frozenset(
    {"completed", "complete", "closed", "done", "achieved", "canceled", "cancelled", "abandoned"}
)
DRAFT_STATUSES = frozenset({"draft"})
# A key result Viva cancelled is dropped in Headway (it stays, and no longer counts).
DROPPED_STATUSES = frozenset({"canceled", "cancelled", "abandoned", "dropped"})

PRIVATE_WORDS = frozenset({"private", "yes", "y", "true", "1", "x"})


def words(value: str) -> str:
    """Lower case, punctuation to spaces: "Key Result" and "key-result" alike."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value.lower()).split())
