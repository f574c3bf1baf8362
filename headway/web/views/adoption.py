"""Adoption and maturity: the organisation's figures in a cycle, per level of the team
tree, per team with its maturity stage, the pilot teams beside the rest, and the trend
over the cycles of the same kind (loaded after the page shows, or on its own without
JavaScript: `?part=trend`).

Every figure says what it counts and links to the page it comes from. Any member may
look; calibration follows its own privacy: a team's verdict only for its people, the
aggregates (organisation, levels, pilot, rest) only for owners and admins, as on the
calibration page. The counting is `insights.selectors_adoption`; the rules are in
docs/adoption.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from headway.accounts.models import Membership
from headway.coach.selectors import cycle_chosen
from headway.goals.models import Cycle, CycleStatus
from headway.insights.metrics.adoption import (
    ALIGNED_SHARE_NEEDED,
    LEARNINGS_NEEDED,
    MIN_CLASSIFIED_KEY_RESULTS,
    MIN_WEEKS_PER_KEY_RESULT,
    OUTCOMES_CHECKIN_RATE,
    OUTCOMES_SHARE,
    RHYTHM_CHECKIN_RATE,
    STAGE_NAMES,
    Adoption,
    not_enough,
    percent,
)
from headway.insights.selectors_adoption import (
    AdoptionReport,
    Group,
    Pilot,
    TeamFigures,
    adoption_report,
    adoption_trend,
    pilot_of_plan,
)
from headway.lib.htmx import render_page
from headway.teams.selectors import teams_of_user
from headway.web.adoption_charts import trend_chart
from headway.web.decorators import member_view

TEMPLATE = "adoption/page.html"
TEAM_ROWS = 100  # teams listed at once; past it the levels and the team pages say the rest
PICKER_TEAMS = 500  # teams the pilot picker offers: the top levels that fit
MAX_PILOT = 200  # teams one `?pilot=` comparison may name

COLUMNS = (
    "Teams with OKRs",
    "People with OKRs",
    "Check-in rate",
    "Outcome share",
    "Aligned",
    "Pivots",
    "Learnings",
    "Calibration",
)


@dataclass(frozen=True)
class Figure:
    """One number as the page shows it: the figure, what it counts, where it comes from."""

    label: str
    text: str
    detail: str
    href: str
    value: float | None = None  # a share, for its bar
    # Tables repeat a detail on every row only when it carries numbers ("3 of 4 weeks");
    # a fixed phrase ("on key results") is said once, in the column's heading or the card.
    detail_in_table: bool = True


def _share(
    label: str, share: float | None, part: int, whole: int, noun: str, href: str, why: str
) -> Figure:
    if share is None:
        return Figure(label, "not enough data", why, href)
    return Figure(label, percent(share), f"{part} of {whole} {noun}", href, share)


@dataclass(frozen=True)
class Links:
    """Where each figure of a row comes from."""

    teams: str
    people: str
    checkins: str
    outcomes: str
    aligned: str
    learning: str
    calibration: str


def figures(
    adoption: Adoption, links: Links, calibration: str | None, *, one_team: bool = False
) -> list[Figure]:
    """The eight figures of a row, in the order of COLUMNS. `calibration` is the verdict
    the viewer may see, or why not ("private to the team", …). For `one_team`, whether
    it has OKRs is a yes or a no rather than a share."""
    f = adoption.facts

    def why(metric: str) -> str:
        return not_enough(metric, f)

    if one_team:
        has = f.teams_with_okrs > 0
        first = Figure(
            COLUMNS[0],
            "yes" if has else "no",
            "an objective with an active key result"
            if has
            else "no objective with an active key result",
            links.teams,
            detail_in_table=False,
        )
    else:
        first = _share(
            COLUMNS[0],
            adoption.teams_with_okrs,
            f.teams_with_okrs,
            f.teams,
            "teams",
            links.teams,
            why("teams_with_okrs"),
        )
    return [
        first,
        _share(
            COLUMNS[1],
            adoption.people_with_okrs,
            f.people_with_okrs,
            f.people,
            "people",
            links.people,
            why("people_with_okrs"),
        ),
        _share(
            COLUMNS[2],
            adoption.checkin_rate,
            f.checkin_weeks_done,
            f.checkin_weeks_due,
            "weeks",
            links.checkins,
            why("checkin_rate"),
        ),
        _share(
            COLUMNS[3],
            adoption.outcome_share,
            f.outcome_key_results,
            f.classified_key_results,
            "key results",
            links.outcomes,
            why("outcome_share"),
        ),
        _share(
            COLUMNS[4],
            adoption.aligned_share,
            f.aligned_objectives,
            f.objectives,
            "objectives",
            links.aligned,
            why("aligned_share"),
        ),
        Figure(COLUMNS[5], str(f.pivots), "on key results", links.learning, detail_in_table=False),
        Figure(
            COLUMNS[6],
            str(f.learnings),
            "pivots and retrospectives",
            links.learning,
            detail_in_table=False,
        ),
        Figure(
            COLUMNS[7],
            calibration or "—",
            _calibration_detail(calibration),
            links.calibration,
            detail_in_table=calibration is not None,
        ),
    ]


def _calibration_detail(shown: str | None) -> str:
    if shown is None:
        return "computed when the cycle closes"
    if shown in ("private to the team", "owners and admins only"):
        return "calibration is private"
    return "at the close"


# --- links --------------------------------------------------------------------------------


def organisation_links(slug: str, cycle: Cycle) -> Links:
    query = f"?cycle={cycle.pk}"
    return Links(
        teams=reverse("team-tree", args=[slug]),
        people=reverse("people", args=[slug]),
        checkins=reverse("attention", args=[slug]),
        outcomes=reverse("coach-summary", args=[slug]) + query,
        aligned=reverse("alignment-health", args=[slug]) + query,
        learning=reverse("learning-log", args=[slug]) + query,
        calibration=_calibration_link(slug, cycle),
    )


def team_links(slug: str, cycle: Cycle, team: str, team_id: int) -> Links:
    query = f"?cycle={cycle.pk}"
    detail = reverse("team-detail", args=[slug, team]) + query
    return Links(
        teams=detail,
        people=detail,
        checkins=reverse("team-checkin", args=[slug, team]),
        outcomes=reverse("coach-summary", args=[slug])
        + f"{query}&team={team}#coach-team-{team_id}",
        aligned=reverse("alignment-health", args=[slug]) + f"{query}&team={team}",
        learning=reverse("learning-team", args=[slug, team]) + query,
        calibration=_calibration_link(slug, cycle),
    )


def _calibration_link(slug: str, cycle: Cycle) -> str:
    if cycle.status != CycleStatus.CLOSED:
        return ""
    return reverse("cycle-confidence", args=[slug, cycle.pk])


# --- what the viewer may see of calibration -------------------------------------------------


def group_calibration(member: Membership, adoption: Adoption) -> str | None:
    """An aggregate's verdict for owners and admins, as on the calibration page."""
    if adoption.calibration is None:
        return None
    return adoption.calibration if member.is_admin else "owners and admins only"


def team_calibration(mine: set[int], team_id: int, adoption: Adoption) -> str | None:
    """A team's own verdict, only for its people."""
    if adoption.calibration is None:
        return None
    return adoption.calibration if team_id in mine else "private to the team"


# --- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    group: Group
    figures: list[Figure]

    @property
    def stages(self) -> list[tuple[int, str, int]]:
        return [(n, STAGE_NAMES[n], count) for n, count in enumerate(self.group.stages)]


@dataclass(frozen=True)
class TeamRow:
    row: TeamFigures
    figures: list[Figure]
    href: str


def group_row(member: Membership, group: Group, links: Links) -> GroupRow:
    return GroupRow(
        group, figures(group.adoption, links, group_calibration(member, group.adoption))
    )


def team_rows(member: Membership, report: AdoptionReport, mine: set[int]) -> list[TeamRow]:
    slug, cycle = member.organisation.slug, report.cycle
    rows = []
    for item in report.teams[:TEAM_ROWS]:
        team = item.team
        links = team_links(slug, cycle, team.slug, team.id)
        shown = team_calibration(mine, team.id, item.adoption)
        found = figures(item.adoption, links, shown, one_team=True)
        rows.append(TeamRow(item, found, links.teams))
    return rows


def pilot_wanted(request: HttpRequest) -> list[int] | None:
    """The teams named by `?pilot=<id>&pilot=<id>`, or None when none are named."""
    wanted = [v for v in request.GET.getlist("pilot") if v.strip().isdigit()][:MAX_PILOT]
    return [int(v) for v in wanted] or None


def page_context(request: HttpRequest, member: Membership) -> dict[str, Any]:
    organisation = member.organisation
    cycles, cycle = cycle_chosen(member, request.GET.get("cycle"))
    context: dict[str, Any] = {
        "cycles": cycles,
        "cycle": cycle,
        "columns": COLUMNS,
        "rules": rules(),
    }
    if cycle is None:
        return context
    wanted = pilot_wanted(request)
    pilot: Pilot | None = Pilot(None, frozenset(wanted)) if wanted else pilot_of_plan(organisation)
    report = adoption_report(organisation, cycle, pilot)
    mine = set(teams_of_user(member).values_list("pk", flat=True))
    links = organisation_links(organisation.slug, cycle)
    context.update(
        report=report,
        organisation_row=group_row(member, report.organisation, links),
        levels=[group_row(member, level, links) for level in report.levels],
        teams=team_rows(member, report, mine),
        teams_left_out=max(0, len(report.teams) - TEAM_ROWS),
        pilot=group_row(member, report.pilot, links) if report.pilot else None,
        rest=group_row(member, report.rest, links) if report.rest else None,
        pilot_teams=[t for t in report.teams if t.pilot],
        pilot_choices=pilot_choices(report),
        picked=sorted(set(wanted or ())),
        side_by_side=side_by_side(report, member, links),
    )
    return context


def pilot_choices(report: AdoptionReport) -> list[tuple[int, str, bool]]:
    """(id, name indented by depth, picked) for the pilot picker, in tree order: every
    team, or in a large organisation the top levels that fit in PICKER_TEAMS."""
    per_depth: dict[int, int] = {}
    for item in report.teams:
        per_depth[item.team.depth] = per_depth.get(item.team.depth, 0) + 1
    deepest, total = 0, 0
    for depth in sorted(per_depth):
        total += per_depth[depth]
        if total > PICKER_TEAMS and depth > 1:
            break
        deepest = depth
    return [
        (t.team.id, "\u00a0\u00a0" * t.team.depth + t.team.name, t.pilot)
        for t in report.teams
        if t.team.depth <= deepest or t.pilot
    ]


def side_by_side(
    report: AdoptionReport, member: Membership, links: Links
) -> list[tuple[Figure, Figure]]:
    if report.pilot is None or report.rest is None:
        return []
    pilot = group_row(member, report.pilot, links).figures
    rest = group_row(member, report.rest, links).figures
    return list(zip(pilot, rest, strict=True))


def rules() -> list[tuple[int, str, str]]:
    """The ladder in words, for the page's explanation."""
    return [
        (0, STAGE_NAMES[0], "No objective with an active key result in the cycle yet."),
        (1, STAGE_NAMES[1], "At least one objective (not a draft) with an active key result."),
        (2, STAGE_NAMES[2], f"Weekly check-in rate at least {percent(RHYTHM_CHECKIN_RATE)}."),
        (
            3,
            STAGE_NAMES[3],
            f"Check-in rate at least {percent(OUTCOMES_CHECKIN_RATE)} and at least "
            f"{percent(OUTCOMES_SHARE)} of key results read as outcomes.",
        ),
        (
            4,
            STAGE_NAMES[4],
            f"At least {percent(ALIGNED_SHARE_NEEDED)} of objectives reach strategy, and at "
            f"least {LEARNINGS_NEEDED} pivot or learning recorded.",
        ),
        (
            5,
            STAGE_NAMES[5],
            "Stage-4 figures in this cycle and the one before, and confidence calibrated at "
            "the latest close of the two.",
        ),
    ]


MINIMUMS = {
    "weeks": MIN_WEEKS_PER_KEY_RESULT,
    "classified": MIN_CLASSIFIED_KEY_RESULTS,
}


def _trend(member: Membership, cycle: Cycle) -> dict[str, Any]:
    trend = adoption_trend(member.organisation, cycle)
    slug = member.organisation.slug
    rows = [
        (point, group_row(member, point.organisation, organisation_links(slug, point.cycle)))
        for point in trend
    ]
    return {
        "trend": rows,
        "chart": trend_chart([(p.cycle.name, p.organisation.adoption) for p in trend]),
        "trend_levels": _level_table(trend, lambda a: a.checkin_rate),
    }


def _level_table(
    trend: list[Any], pick: Callable[[Adoption], float | None]
) -> list[tuple[str, list[str]]]:
    """Check-in rate per level (rows) and cycle (columns)."""
    labels: list[str] = []
    for point in trend:
        labels += [g.label for g in point.levels if g.label not in labels]
    table = []
    for label in labels:
        cells = []
        for point in trend:
            group = next((g for g in point.levels if g.label == label), None)
            value = pick(group.adoption) if group else None
            cells.append("—" if value is None else percent(value))
        table.append((label, cells))
    return table


@member_view()
@require_GET
def adoption_page(request: HttpRequest) -> HttpResponse:
    """Adoption and maturity in a cycle (`?cycle=`): the organisation, its levels, its
    teams with their stages, the pilot beside the rest (the latest rollout plan's first
    phase, or `?pilot=<id>` teams); `?part=trend` adds the trend over cycles."""
    member: Membership = request.member  # type: ignore[attr-defined]
    trend = request.GET.get("part") == "trend"
    htmx = getattr(request, "htmx", None)
    if trend and htmx and not htmx.history_restore_request:
        # Only the trend, into the page already shown.
        _, cycle = cycle_chosen(member, request.GET.get("cycle"))
        context: dict[str, Any] = {"cycle": cycle, "columns": COLUMNS, "trend": []}
        if cycle is not None:
            context.update(_trend(member, cycle))
        return render_page(request, "adoption/_trend.html", context)
    context = page_context(request, member)
    context["minimums"] = MINIMUMS
    if trend and context["cycle"] is not None:
        context.update(_trend(member, context["cycle"]))
    return render_page(request, TEMPLATE, context, partial="adoption-body")
