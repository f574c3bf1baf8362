"""The lists a member can download as CSV or Excel: objectives, key results, check-ins,
flags and the learning log, as `sheets.Table`s.

Each list takes the filters of its page and API list (`LISTS[name].filters`), reads
through the selectors that decide what the member may see (private objectives, and
everything hanging from them, only for their team, their owner and admins), and yields
its rows lazily: one query streams the whole list (the learning log, which merges two
sources, a fixed handful), whatever its length. Times are shown in the organisation's
time zone.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zoneinfo
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from headway.accounts.models import Membership
from headway.goals.models import CheckIn, KeyResult, KeyResultStatus, ObjectiveStatus
from headway.goals.selectors import key_results_list, objectives_visible, visible_q
from headway.goals.selectors_learning import LearningEntry, learning_log
from headway.insights.metrics.flags import KINDS
from headway.insights.selectors_attention import STATES, flags_list, team_ids_below
from headway.teams.models import Team
from headway.teams.selectors import team_get_by_slug

from .sheets import Column, Table, Value, csv_chunks, xlsx_write

FORMATS = ("csv", "xlsx")
ITERATOR_CHUNK = 2000
MAX_QUERY = 100


@dataclass(frozen=True)
class Filters:
    """Every filter a list may take; each list reads the ones it names. The names are
    those of the API's list endpoints (ids for objectives, key results and check-ins;
    a team's short name for flags and the learning log, which include sub-teams)."""

    cycle_id: int | None = None
    team_id: int | None = None
    objective_id: int | None = None
    key_result_id: int | None = None
    owner_user_id: int | None = None
    owner_id: int | None = None
    status: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    team: str | None = None
    kind: str | None = None
    key_result: int | None = None
    state: str = "open"
    q: str = ""
    cycle: int | None = None

    def active(self) -> dict[str, Any]:
        """The filters set to something other than their default."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != f.default
        }


@dataclass(frozen=True)
class ListExport:
    """One downloadable list: its name in URLs, its title, the filters it reads."""

    name: str
    title: str
    filters: tuple[str, ...]
    build: Callable[[Membership, Filters], Table]
    help: str = ""
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


# --- values ------------------------------------------------------------------------------


def _local(moment: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """An aware time as a naive one in the organisation's zone (Excel knows no zones)."""
    if moment is None:
        return None
    return timezone.localtime(moment, zone).replace(tzinfo=None)


def _zone(member: Membership) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(member.organisation.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _person(user: Any) -> tuple[str, str]:
    return (user.display_name, user.email) if user is not None else ("", "")


# --- objectives ---------------------------------------------------------------------------

OBJECTIVE_COLUMNS = (
    Column("ID", "int"),
    Column("Objective", width=40),
    Column("Cycle", width=12),
    Column("Team", width=20),
    Column("Owner", width=20),
    Column("Owner e-mail", width=24),
    Column("Status", width=9),
    Column("Visibility", width=9),
    Column("Progress", "percent"),
    Column("Key results", "int"),
    Column("Description", width=40),
    Column("Created", "datetime"),
    Column("Updated", "datetime"),
)


def objectives_table(member: Membership, filters: Filters) -> Table:
    """Objectives the member may see, in cycle and page order, with their key results
    counted (one query)."""
    objectives = objectives_visible(member).select_related("cycle", "owner_team", "owner_user")
    if filters.cycle_id is not None:
        objectives = objectives.filter(cycle_id=filters.cycle_id)
    if filters.team_id is not None:
        objectives = objectives.filter(owner_team_id=filters.team_id)
    if filters.owner_user_id is not None:
        objectives = objectives.filter(owner_user_id=filters.owner_user_id)
    if filters.status is not None:
        objectives = objectives.filter(status=filters.status)
    objectives = objectives.annotate(key_result_count=Count("key_results")).order_by(
        "cycle__start_date", "order", "pk"
    )
    zone = _zone(member)

    def rows() -> Iterator[Sequence[Value]]:
        for o in objectives.iterator(chunk_size=ITERATOR_CHUNK):
            owner, email = _person(o.owner_user)
            yield (
                o.pk,
                o.title,
                o.cycle.name,
                o.owner_team.name if o.owner_team else "",
                owner,
                email,
                o.status,
                o.visibility,
                o.progress,
                o.key_result_count,
                o.description,
                _local(o.created_at, zone),
                _local(o.updated_at, zone),
            )

    return Table("Objectives", OBJECTIVE_COLUMNS, rows())


# --- key results --------------------------------------------------------------------------

KEY_RESULT_COLUMNS = (
    Column("ID", "int"),
    Column("Key result", width=40),
    Column("Objective ID", "int"),
    Column("Objective", width=32),
    Column("Cycle", width=12),
    Column("Team", width=20),
    Column("Owner", width=20),
    Column("Owner e-mail", width=24),
    Column("Kind", width=10),
    Column("Direction", width=9),
    Column("Format", width=9),
    Column("Unit", width=8),
    Column("Start", "number"),
    Column("Target", "number"),
    Column("Current", "number"),
    Column("Progress", "percent"),
    Column("Confidence", "int"),
    Column("Last check-in", "datetime"),
    Column("Weight", "number"),
    Column("Status", width=9),
)


def key_results_table(member: Membership, filters: Filters) -> Table:
    """Key results of objectives the member may see, in objective order (one query)."""
    key_results = key_results_list(
        member,
        objective_id=filters.objective_id,
        owner_id=filters.owner_id,
        cycle_id=filters.cycle_id,
        status=filters.status,
    )
    if filters.team_id is not None:
        key_results = key_results.filter(objective__owner_team_id=filters.team_id)
    key_results = key_results.select_related(
        "objective", "objective__cycle", "objective__owner_team", "owner"
    )
    zone = _zone(member)

    def rows() -> Iterator[Sequence[Value]]:
        for kr in key_results.iterator(chunk_size=ITERATOR_CHUNK):
            objective = kr.objective
            owner, email = _person(kr.owner)
            yield (
                kr.pk,
                kr.title,
                objective.pk,
                objective.title,
                objective.cycle.name,
                objective.owner_team.name if objective.owner_team else "",
                owner,
                email,
                kr.kind,
                kr.direction if kr.kind == KeyResult.Kind.MAINTAIN else "",
                kr.format,
                kr.unit,
                kr.start_value,
                kr.target_value,
                kr.current_value,
                kr.progress,
                kr.confidence,
                _local(kr.last_checkin_at, zone),
                kr.weight,
                kr.status,
            )

    return Table("Key results", KEY_RESULT_COLUMNS, rows())


# --- check-ins ----------------------------------------------------------------------------

CHECKIN_COLUMNS = (
    Column("ID", "int"),
    Column("Checked in at", "datetime"),
    Column("Key result ID", "int"),
    Column("Key result", width=36),
    Column("Objective ID", "int"),
    Column("Objective", width=32),
    Column("Cycle", width=12),
    Column("Team", width=20),
    Column("Author", width=20),
    Column("Author e-mail", width=24),
    Column("Value", "number"),
    Column("Unit", width=8),
    Column("Confidence", "int"),
    Column("Note", width=40),
    Column("Blockers", width=30),
)


def _checkins(member: Membership, filters: Filters) -> QuerySet[CheckIn]:
    checkins = CheckIn.objects.filter(
        visible_q(member, "key_result__objective__"), organisation_id=member.organisation_id
    )
    if filters.cycle_id is not None:
        checkins = checkins.filter(key_result__objective__cycle_id=filters.cycle_id)
    if filters.team_id is not None:
        checkins = checkins.filter(key_result__objective__owner_team_id=filters.team_id)
    if filters.objective_id is not None:
        checkins = checkins.filter(key_result__objective_id=filters.objective_id)
    if filters.key_result_id is not None:
        checkins = checkins.filter(key_result_id=filters.key_result_id)
    zone = _zone(member)
    if filters.since is not None:
        start = dt.datetime.combine(filters.since, dt.time(), zone)
        checkins = checkins.filter(created_at__gte=start)
    if filters.until is not None:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), zone)
        checkins = checkins.filter(created_at__lt=end)
    return checkins.select_related(
        "key_result__objective__cycle", "key_result__objective__owner_team", "author"
    ).order_by("created_at", "pk")


def checkins_table(member: Membership, filters: Filters) -> Table:
    """Check-ins on key results the member may see, oldest first (one query); `since`
    and `until` are days in the organisation's time zone, both included."""
    checkins = _checkins(member, filters)
    zone = _zone(member)

    def rows() -> Iterator[Sequence[Value]]:
        for c in checkins.iterator(chunk_size=ITERATOR_CHUNK):
            kr = c.key_result
            objective = kr.objective
            author, email = _person(c.author)
            yield (
                c.pk,
                _local(c.created_at, zone),
                kr.pk,
                kr.title,
                objective.pk,
                objective.title,
                objective.cycle.name,
                objective.owner_team.name if objective.owner_team else "",
                author,
                email,
                c.value,
                kr.unit,
                c.confidence,
                c.note,
                c.blockers,
            )

    return Table("Check-ins", CHECKIN_COLUMNS, rows())


# --- flags --------------------------------------------------------------------------------

FLAG_COLUMNS = (
    Column("ID", "int"),
    Column("Kind", width=11),
    Column("State", width=9),
    Column("Severity", "number"),
    Column("Reason", width=50),
    Column("Key result ID", "int"),
    Column("Key result", width=36),
    Column("Objective", width=32),
    Column("Cycle", width=12),
    Column("Owner", width=20),
    Column("Opened", "datetime"),
    Column("Updated", "datetime"),
    Column("Resolved", "datetime"),
    Column("Pivot ID", "int"),
)


def _team(member: Membership, slug: str | None) -> Team | None:
    """The team of a `team` filter; an unknown one is a bad filter (422), not a 404."""
    if not slug:
        return None
    try:
        return team_get_by_slug(member, slug)
    except Http404:
        raise ValidationError({"team": "No team with this short name here."}) from None


def flags_table(member: Membership, filters: Filters) -> Table:
    """Flags as the needs-attention list and `GET /flags` show them (one query, after
    one for the team's subtree)."""
    team = _team(member, filters.team)
    flags = flags_list(
        member,
        state=filters.state,  # type: ignore[arg-type]
        team_ids=team_ids_below(team) if team is not None else None,
        kind=filters.kind,
        key_result_id=filters.key_result,
    )
    zone = _zone(member)

    def rows() -> Iterator[Sequence[Value]]:
        for flag in flags.iterator(chunk_size=ITERATOR_CHUNK):
            kr = flag.key_result
            objective = kr.objective
            yield (
                flag.pk,
                flag.kind,
                "open" if flag.resolved_at is None else "resolved",
                flag.severity,
                flag.reason,
                kr.pk,
                kr.title,
                objective.title,
                objective.cycle.name,
                objective.owner_name,
                _local(flag.opened_at, zone),
                _local(flag.updated_at, zone),
                _local(flag.resolved_at, zone),
                flag.pivot_id,
            )

    return Table("Flags", FLAG_COLUMNS, rows())


# --- the learning log ---------------------------------------------------------------------

LEARNING_COLUMNS = (
    Column("Kind", width=13),
    Column("Date", "datetime"),
    Column("Objective ID", "int"),
    Column("Objective", width=32),
    Column("Key result", width=32),
    Column("Team", width=20),
    Column("Author", width=20),
    Column("Tried", width=40),
    Column("Learned", width=40),
    Column("Next step", width=40),
    Column("Went well", width=40),
    Column("Target changes", width=30),
    Column("Initiative changes", width=30),
    Column("Pivot ID", "int"),
)


def _target_changes(entry: LearningEntry) -> str:
    return "; ".join(
        f"{change.old_target:g} → {change.new_target:g}: {change.reason}"
        if change.old_target is not None
        else f"→ {change.new_target:g}: {change.reason}"
        for change in entry.target_changes
    )


def _initiative_changes(entry: LearningEntry) -> str:
    return "; ".join(f"{item['change']} “{item['title']}”" for item in entry.initiative_changes)


def learning_table(member: Membership, filters: Filters) -> Table:
    """Pivots and retrospectives as the learning log shows them, newest first (a fixed
    handful of queries for the whole log)."""
    log = learning_log(
        member, team=_team(member, filters.team), query=filters.q[:MAX_QUERY], cycle=filters.cycle
    )
    zone = _zone(member)

    def rows() -> Iterator[Sequence[Value]]:
        for entry in log[0 : len(log)]:
            author = entry.author.display_name if entry.author else ""
            yield (
                entry.kind,
                _local(entry.at, zone),
                entry.objective.pk,
                entry.objective.title,
                entry.key_result.title if entry.key_result else "",
                entry.team.name if entry.team else "",
                author,
                entry.tried,
                entry.learned,
                entry.next_step,
                entry.went_well,
                _target_changes(entry),
                _initiative_changes(entry),
                entry.pivot_id,
            )

    return Table("Learning log", LEARNING_COLUMNS, rows())


LISTS: dict[str, ListExport] = {
    "objectives": ListExport(
        "objectives",
        "Objectives",
        ("cycle_id", "team_id", "owner_user_id", "status"),
        objectives_table,
        "`team_id` keeps the objectives that team owns (not its sub-teams').",
        {"status": tuple(ObjectiveStatus.values)},
    ),
    "key-results": ListExport(
        "key-results",
        "Key results",
        ("cycle_id", "team_id", "objective_id", "owner_id", "status"),
        key_results_table,
        "`team_id` keeps the key results of objectives that team owns.",
        {"status": tuple(KeyResultStatus.values)},
    ),
    "check-ins": ListExport(
        "check-ins",
        "Check-ins",
        ("cycle_id", "team_id", "objective_id", "key_result_id", "since", "until"),
        checkins_table,
        "`since` and `until` are days (YYYY-MM-DD) in the organisation's time zone, both included.",
    ),
    "flags": ListExport(
        "flags",
        "Flags",
        ("team", "kind", "key_result", "state"),
        flags_table,
        "`team` is a team's short name and includes its sub-teams; `state` is open "
        "(the default), resolved or all.",
        {"kind": tuple(KINDS), "state": tuple(STATES)},
    ),
    "learning": ListExport(
        "learning",
        "Learning log",
        ("team", "q", "cycle"),
        learning_table,
        "`team` is a team's short name and includes its sub-teams; `q` keeps entries "
        "with every word; `cycle` is a cycle id.",
    ),
}

INT_FILTERS = {
    "cycle_id",
    "team_id",
    "objective_id",
    "key_result_id",
    "owner_user_id",
    "owner_id",
    "key_result",
    "cycle",
}
DATE_FILTERS = {"since", "until"}


def filters_parse(name: str, params: Mapping[str, str]) -> Filters:
    """The filters of list `name` from query parameters (strings); parameters the list
    does not take are ignored, empty ones are unset. Raises ValidationError naming each
    bad parameter."""
    spec = LISTS[name]
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in spec.filters:
        raw = (params.get(key) or "").strip()
        if not raw:
            continue
        if key in INT_FILTERS:
            if not raw.isdigit():
                errors[key] = "Give a whole number (an id)."
                continue
            values[key] = int(raw)
        elif key in DATE_FILTERS:
            try:
                values[key] = dt.date.fromisoformat(raw)
            except ValueError:
                errors[key] = "Give a day as YYYY-MM-DD."
        elif key in spec.choices and raw not in spec.choices[key]:
            errors[key] = f"Choose one of: {', '.join(spec.choices[key])}."
        else:
            values[key] = raw
    if errors:
        raise ValidationError(errors)
    return Filters(**values)


def list_table(member: Membership, name: str, filters: Filters) -> Table:
    """The list `name` for this member (KeyError for an unknown list)."""
    return LISTS[name].build(member, filters)


def export_filename(member: Membership, name: str, extension: str) -> str:
    """e.g. tidewater-objectives-2026-05-14.csv (the day in the organisation's zone)."""
    today = timezone.localtime(timezone.now(), _zone(member)).date()
    return f"{member.organisation.slug}-{name}-{today.isoformat()}.{extension}"


# --- responses ----------------------------------------------------------------------------

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SPOOL_BYTES = 8 * 1024 * 1024  # an Excel file larger than this waits on disk, not in memory


def table_response(table: Table, file_format: str, filename: str) -> HttpResponseBase:
    """The table as a download: CSV streamed as its rows are read, Excel written to a
    spooled temporary file first (a zip is finished only at its end)."""
    response: HttpResponseBase
    if file_format == "csv":
        response = StreamingHttpResponse(csv_chunks(table), content_type=CONTENT_TYPES["csv"])
    else:
        # Left open: FileResponse reads it out and closes it when the response is sent.
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        xlsx_write(table, spool)
        spool.seek(0)
        response = FileResponse(spool, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
