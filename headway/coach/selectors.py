"""The coach over the database: load what the checks read, run them in bulk.

Reads only, always through the goals visibility rule (``visible_q``): a private
objective the member may not see is counted as "private" and never shown or checked.
Every function runs a fixed number of queries whatever the number of objectives and
key results, and classifies all titles in one batch (``checks.check_key_results``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from headway.accounts.models import Membership
from headway.coach.checks import (
    SEVERITIES,
    Checked,
    Finding,
    KeyResultDraft,
    ObjectiveDraft,
    Severity,
    check_key_results,
    check_objectives,
    check_team_cycle,
)
from headway.goals.models import Cycle, KeyResult, KeyResultStatus, Objective, Visibility
from headway.goals.selectors import cycles_list, visible_q
from headway.teams.selectors import teams_tree

PERSONAL = "~personal"
"""The slug of the personal objectives' group (no team slug can contain "~")."""

KR_COLUMNS = (
    "id",
    "objective_id",
    "title",
    "kind",
    "start_value",
    "target_value",
    "unit",
    "format",
)


def draft_of(row: Any) -> KeyResultDraft:
    """A key result (model instance or ``values()`` dict) as the checks read it."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return KeyResultDraft(
        title=str(get("title") or ""),
        kind=get("kind"),
        start_value=get("start_value"),
        target_value=get("target_value"),
        unit=get("unit") or "",
        format=get("format") or "number",
    )


# --------------------------------------------------------------------------- reports


@dataclass
class Share:
    """How a group's key results read: outcome, output, or unsure (low confidence)."""

    outcome: int = 0
    output: int = 0
    unsure: int = 0

    def add(self, verdict: str | None) -> None:
        if verdict == "outcome":
            self.outcome += 1
        elif verdict == "output":
            self.output += 1
        else:
            self.unsure += 1

    @property
    def total(self) -> int:
        return self.outcome + self.output + self.unsure

    @property
    def outcome_share(self) -> float | None:
        """Outcomes among all key results counted; None when there are none."""
        return self.outcome / self.total if self.total else None


@dataclass
class KeyResultReport:
    id: int
    title: str
    checked: Checked


@dataclass
class ObjectiveReport:
    """An objective's own findings and its key results', for a list or a marker."""

    id: int
    title: str
    checked: Checked
    key_results: list[KeyResultReport] = field(default_factory=list)

    @property
    def findings(self) -> int:
        return len(self.checked.findings) + sum(len(k.checked.findings) for k in self.key_results)

    @property
    def severity(self) -> Severity | None:
        """The most severe finding on the objective or any of its key results."""
        found = [self.checked.severity, *(k.checked.severity for k in self.key_results)]
        ranked = [SEVERITIES.index(s) for s in found if s is not None]
        return SEVERITIES[max(ranked)] if ranked else None

    @property
    def with_findings(self) -> list[KeyResultReport]:
        return [k for k in self.key_results if k.checked.findings]


def _reports(
    objectives: Sequence[tuple[int, str]], key_results: Iterable[tuple[int, int, KeyResultDraft]]
) -> dict[int, ObjectiveReport]:
    """Check objectives and their key results in one batch.

    ``objectives``: (id, title); ``key_results``: (id, objective id, draft), active only.
    """
    krs = list(key_results)
    counts: dict[int, int] = {}
    for _, objective_id, _ in krs:
        counts[objective_id] = counts.get(objective_id, 0) + 1
    checked = check_objectives([ObjectiveDraft(t, counts.get(pk, 0)) for pk, t in objectives])
    reports = {
        pk: ObjectiveReport(pk, title, c)
        for (pk, title), c in zip(objectives, checked, strict=True)
    }
    for (pk, objective_id, draft), c in zip(
        krs, check_key_results([d for _, _, d in krs]), strict=True
    ):
        reports[objective_id].key_results.append(KeyResultReport(pk, draft.title, c))
    return reports


# --------------------------------------------------------------------------- team page


@dataclass
class TeamMarks:
    """Coach markers for a team page: per objective, and for the team in the cycle."""

    objectives: dict[int, ObjectiveReport]
    team_findings: list[Finding]


def team_marks(
    objectives: Sequence[Objective], team_id: int | None = None, cycle: Cycle | None = None
) -> TeamMarks:
    """Markers for objectives already loaded with their key results prefetched (as the
    team page has them): no query for those; one count for the team's objectives in
    ``cycle`` (every visibility: the rule is about the team's focus, not what one sees)."""
    pairs = [(o.pk, o.title) for o in objectives]
    krs = [
        (kr.pk, o.pk, draft_of(kr))
        for o in objectives
        for kr in o.key_results.all()
        if kr.status == KeyResultStatus.ACTIVE
    ]
    findings: list[Finding] = []
    if team_id is not None and cycle is not None:
        count = Objective.objects.filter(cycle_id=cycle.pk, owner_team_id=team_id).count()
        findings = check_team_cycle(count, cycle.name)
    return TeamMarks(_reports(pairs, krs), findings)


def objective_report(objective: Objective) -> ObjectiveReport:
    """One objective (already checked visible by the caller) and its active key results."""
    rows = (
        KeyResult.objects.filter(objective_id=objective.pk, status=KeyResultStatus.ACTIVE)
        .order_by("order", "pk")
        .values(*KR_COLUMNS)
    )
    krs = [(row["id"], objective.pk, draft_of(row)) for row in rows]
    return _reports([(objective.pk, objective.title)], krs)[objective.pk]


# --------------------------------------------------------------------------- organisation


@dataclass
class TeamReport:
    """One team's (or the personal objectives') key results and findings in a cycle."""

    team_id: int | None
    name: str
    slug: str
    depth: int | None
    share: Share = field(default_factory=Share)
    objectives: list[ObjectiveReport] = field(default_factory=list)
    private: int = 0
    objective_count: int = 0
    team_findings: list[Finding] = field(default_factory=list)

    @property
    def findings(self) -> int:
        return len(self.team_findings) + sum(o.findings for o in self.objectives)

    @property
    def with_findings(self) -> list[ObjectiveReport]:
        return [o for o in self.objectives if o.findings]


@dataclass
class LevelReport:
    depth: int | None  # None: personal objectives
    teams: int
    share: Share


@dataclass
class Summary:
    cycle: Cycle
    teams: list[TeamReport]
    levels: list[LevelReport]
    total: Share
    private: int


def cycle_chosen(
    member: Membership, wanted: str | None, today: dt.date | None = None
) -> tuple[list[Cycle], Cycle | None]:
    """The organisation's cycles and the one asked for (``?cycle=<id>``), else the
    shortest running today, else the latest one that started."""
    cycles = list(cycles_list(member))
    by_id = {str(c.pk): c for c in cycles}
    if wanted and wanted in by_id:
        return cycles, by_id[wanted]
    today = today or dt.date.today()
    running = [c for c in cycles if c.start_date <= today <= c.end_date]
    if running:
        return cycles, min(running, key=lambda c: c.end_date - c.start_date)
    started = [c for c in cycles if c.start_date <= today]
    return cycles, max(started, key=lambda c: c.start_date, default=cycles[-1] if cycles else None)


def coach_summary(member: Membership, cycle: Cycle) -> Summary:
    """Outcome share of key results per team and per level of the team tree, and the
    findings per team, for the objectives of ``cycle`` this member may see.

    A fixed number of queries whatever the size of the organisation: teams, visible
    objectives, their active key results, objectives per team, private objectives hidden
    from the member, and the member's teams for the visibility rule.
    """
    org = member.organisation_id
    in_cycle = Objective.objects.filter(organisation_id=org, cycle_id=cycle.pk)
    objectives = list(
        in_cycle.filter(visible_q(member))
        .order_by("order", "pk")
        .values("id", "title", "owner_team_id", "owner_user_id")
    )
    krs = (
        KeyResult.objects.filter(
            visible_q(member, "objective__"),
            organisation_id=org,
            objective__cycle_id=cycle.pk,
            status=KeyResultStatus.ACTIVE,
        )
        .order_by("objective_id", "order", "pk")
        .values(*KR_COLUMNS)
    )
    reports = _reports(
        [(o["id"], o["title"]) for o in objectives],
        [(row["id"], row["objective_id"], draft_of(row)) for row in krs],
    )
    teams = _team_reports(member, objectives, reports)
    _count_objectives(member, in_cycle, teams, cycle)
    shown = [t for t in teams.values() if t.objective_count or t.objectives]
    return Summary(
        cycle=cycle,
        teams=shown,
        levels=_levels(shown),
        total=_sum(t.share for t in shown),
        private=sum(t.private for t in teams.values()),
    )


def _team_reports(
    member: Membership, objectives: Sequence[Any], reports: dict[int, ObjectiveReport]
) -> dict[int | None, TeamReport]:
    """Reports in tree order (the personal objectives last), filled with the checks."""
    teams: dict[int | None, TeamReport] = {
        t.pk: TeamReport(t.pk, t.name, t.slug, t.tree_depth) for t in teams_tree(member)
    }
    teams[None] = TeamReport(None, "Personal objectives", PERSONAL, None)
    for row in objectives:
        team = teams[row["owner_team_id"]]
        report = reports[row["id"]]
        team.objectives.append(report)
        for kr in report.key_results:
            team.share.add(kr.checked.verdict)
    return teams


def _count_objectives(
    member: Membership, in_cycle: Any, teams: dict[int | None, TeamReport], cycle: Cycle
) -> None:
    """Objectives per team in the cycle (every visibility), and the private ones this
    member may not see, which are counted and never shown."""
    counts = (
        in_cycle.filter(owner_team__isnull=False).values("owner_team_id").annotate(n=Count("pk"))
    )
    for row in counts.order_by():
        team = teams[row["owner_team_id"]]
        team.objective_count = row["n"]
        team.team_findings = check_team_cycle(row["n"], cycle.name)
    if member.is_admin:
        return  # admins see every objective
    hidden = (
        in_cycle.exclude(visible_q(member))
        .filter(visibility=Visibility.PRIVATE)
        .values("owner_team_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in hidden:
        teams[row["owner_team_id"]].private = row["n"]


def _sum(shares: Iterable[Share]) -> Share:
    total = Share()
    for share in shares:
        total.outcome += share.outcome
        total.output += share.output
        total.unsure += share.unsure
    return total


def _levels(teams: list[TeamReport]) -> list[LevelReport]:
    """Outcome share per depth of the team tree (0: the top); personal objectives last."""
    depths = sorted({t.depth for t in teams if t.depth is not None})
    levels = [
        LevelReport(
            d, sum(1 for t in teams if t.depth == d), _sum(t.share for t in teams if t.depth == d)
        )
        for d in depths
    ]
    personal = [t for t in teams if t.depth is None and t.objectives]
    if personal:
        levels.append(LevelReport(None, 0, _sum(t.share for t in personal)))
    return levels
