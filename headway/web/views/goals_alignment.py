"""Alignment pages: the map from strategy down (opened level by level over HTMX) and
alignment health."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from headway.accounts.models import Membership
from headway.goals.alignment import Share
from headway.goals.models import Cycle
from headway.goals.selectors import cycle_current, cycles_list, objective_get_for_member
from headway.goals.selectors_alignment import (
    HealthReport,
    alignment_health,
    alignment_map,
    map_children,
    teams_for_picker,
    wording_findings,
)
from headway.lib.htmx import render_page
from headway.teams.models import Team
from headway.teams.selectors import team_get_by_slug
from headway.web.decorators import member_view


def chosen_cycle(
    member: Membership, cycles: list[Cycle], wanted: str | None
) -> tuple[Cycle | None, str]:
    """The cycle asked for (`?cycle=<id>`), else the running one; and a notice when the
    one asked for does not exist."""
    by_id = {str(cycle.pk): cycle for cycle in cycles}
    if wanted and wanted in by_id:
        return by_id[wanted], ""
    current = cycle_current(member) or (cycles[-1] if cycles else None)
    notice = f"There is no cycle {wanted!r}; showing {current}." if wanted and current else ""
    return current, notice


def chosen_team(member: Membership, wanted: str | None) -> tuple[Team | None, str]:
    """The team asked for (`?team=<slug>`), else none (the whole organisation)."""
    if not wanted:
        return None, ""
    try:
        return team_get_by_slug(member, wanted), ""
    except Http404:
        return None, f"There is no team {wanted!r}; showing the whole organisation."


def team_choices(teams: list[tuple[Team, int]]) -> list[tuple[str, str]]:
    """(slug, name indented by depth) for the team picker, in tree order."""
    return [(t.slug, "\u00a0\u00a0" * depth + t.name) for t, depth in teams]


def filters(member: Membership, request: HttpRequest) -> dict[str, Any]:
    cycles = list(cycles_list(member))
    cycle, cycle_notice = chosen_cycle(member, cycles, request.GET.get("cycle"))
    team, team_notice = chosen_team(member, request.GET.get("team"))
    return {
        "cycles": cycles,
        "cycle": cycle,
        "team_choices": team_choices(teams_for_picker(member, team)),
        "team": team,
        "notices": [n for n in (cycle_notice, team_notice) if n],
    }


@member_view()
def alignment_map_page(request: HttpRequest) -> HttpResponse:
    """Strategy at the top (the organisation's themes, then each bubble root's), the
    objectives aligned directly to each theme by team, and the objectives aligned to
    nothing. `?team=` shows that team's part instead; rows open on demand."""
    member = request.member  # type: ignore[attr-defined]
    context = filters(member, request)
    cycle, team = context["cycle"], context["team"]
    context["map"] = alignment_map(member, cycle, team) if cycle else None
    return render_page(request, "alignment/map.html", context, partial="map-body")


@member_view()
def alignment_children(request: HttpRequest, objective_id: int) -> HttpResponse:
    """The objectives aligned directly below one objective: a branch of the map for
    HTMX, or a page of its own without JavaScript."""
    member = request.member  # type: ignore[attr-defined]
    objective = objective_get_for_member(member, objective_id)
    cycles = list(cycles_list(member))
    wanted = request.GET.get("cycle")
    cycle = next((c for c in cycles if str(c.pk) == wanted), objective.cycle)
    page = request.GET.get("page", "1")
    branch = map_children(member, objective, cycle, page=int(page) if page.isdigit() else 1)
    context = {"branch": branch, "cycle": cycle}
    return render_page(request, "alignment/children.html", context, partial="branch")


# --- alignment health -------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 480, 180
CHART_LEFT, CHART_BOTTOM, CHART_TOP = 40, 36, 12


@dataclass
class Bar:
    """One cycle in the trend chart: the share reaching strategy (any link), and the
    share reaching it through contributing links only, drawn inside it."""

    x: float
    width: float
    y: float
    height: float
    inner_y: float
    inner_height: float
    label: str
    figure: str
    centre: float


def trend_chart(trend: list[tuple[Cycle, Share]]) -> dict[str, Any] | None:
    """Geometry of the trend chart, drawn by the template as SVG with presentation
    attributes only (the page keeps its strict policy). None with no cycle to show."""
    rows = [(cycle, share) for cycle, share in trend if share.total]
    if not rows:
        return None
    plot = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    slot = (CHART_WIDTH - CHART_LEFT - 8) / len(rows)
    width = min(48.0, slot * 0.6)
    bars = []
    for n, (cycle, share) in enumerate(rows):
        reach, contributing = share.share or 0.0, share.contributing_share or 0.0
        x = CHART_LEFT + n * slot + (slot - width) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                width=round(width, 1),
                y=round(CHART_TOP + plot * (1 - reach), 1),
                height=round(plot * reach, 1),
                inner_y=round(CHART_TOP + plot * (1 - contributing), 1),
                inner_height=round(plot * contributing, 1),
                label=cycle.name,
                figure=f"{round(reach * 100)}%",
                centre=round(x + width / 2, 1),
            )
        )
    described = "; ".join(
        f"{cycle.name}: {round((share.share or 0) * 100)}% reach strategy, "
        f"{round((share.contributing_share or 0) * 100)}% through contributing links"
        for cycle, share in rows
    )
    grid = [
        {"y": round(CHART_TOP + plot * (1 - level), 1), "label": f"{round(level * 100)}%"}
        for level in (0.0, 0.5, 1.0)
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - 4,
        "label_y": CHART_HEIGHT - CHART_BOTTOM + 16,
        "bars": bars,
        "grid": grid,
        "description": described,
    }


TEAM_ROWS = 50


def team_rows(report: HealthReport) -> tuple[list[tuple[Team | None, Share]], int]:
    """The per-team table: every team in tree order, or, past TEAM_ROWS teams, those
    with the lowest share first (the ones to talk to), and how many were left out."""
    rows = report.per_team
    if len(rows) <= TEAM_ROWS:
        return rows, 0
    worst = sorted(rows, key=lambda row: (row[1].share or 0.0, -row[1].total))
    return worst[:TEAM_ROWS], len(rows) - TEAM_ROWS


@member_view()
def alignment_health_page(request: HttpRequest) -> HttpResponse:
    """Alignment health of the organisation, a bubble or a team (`?team=`) in a cycle
    (`?cycle=`): the figures, findings that name their objects and say why they
    matter, and the trend over cycles."""
    member = request.member  # type: ignore[attr-defined]
    context = filters(member, request)
    cycle, team = context["cycle"], context["team"]
    # The wording checks load apart (alignment_health_wording): at scale they are the
    # slow part, and the figures should not wait for them.
    report = alignment_health(member, cycle, team, wording=False) if cycle else None
    context["report"] = report
    context["chart"] = trend_chart(report.trend) if report else None
    context["team_rows"], context["teams_left_out"] = team_rows(report) if report else ([], 0)
    return render_page(request, "alignment/health.html", context, partial="health-body")


@member_view()
def alignment_health_wording(request: HttpRequest) -> HttpResponse:
    """The wording checks of alignment health (possible duplicates, links to check):
    loaded into the health page after it shows, or a page of their own without
    JavaScript."""
    member = request.member  # type: ignore[attr-defined]
    context = filters(member, request)
    cycle, team = context["cycle"], context["team"]
    findings, engine = wording_findings(member, cycle, team) if cycle else ([], "")
    context.update(findings=findings, engine=engine)
    return render_page(request, "alignment/wording.html", context, partial="wording")
