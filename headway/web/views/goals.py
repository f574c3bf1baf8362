"""Goals pages that read: my work (the organisation's home), the objective page with a
chart per key result, and the goals section of the team page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from headway.accounts.models import Membership, Organisation
from headway.goals.models import CheckIn, Cycle, CycleStatus, KeyResult, Objective
from headway.goals.selectors import (
    activity_for_objective,
    activity_for_team,
    alignment_links_list,
    can_edit_objective,
    checkins_for_objective,
    cycle_current,
    cycles_list,
    initiatives_for_objective,
    key_results_due_for_me,
    objective_get_for_member,
    objectives_overlapping,
)
from headway.insights.models import Flag
from headway.insights.selectors import (
    KeyResultInsight,
    flags_for_key_results,
    key_result_insights,
    plan_points,
)
from headway.lib.charts import ChartPoint, ForecastBand, KeyResultChart, key_result_svg
from headway.lib.htmx import render_page
from headway.teams.models import Team
from headway.teams.selectors import teams_of_user
from headway.web.decorators import member_view

RECENT_CHECKINS = 5


@member_view()
def my_work(request: HttpRequest) -> HttpResponse:
    """The organisation's home: my objectives in the running cycle and what is due."""
    member = request.member  # type: ignore[attr-defined]
    cycle = cycle_current(member)
    objectives = list(objectives_overlapping(member, cycle, mine=True)) if cycle else []
    return render_page(
        request,
        "goals/my_work.html",
        {
            "current_cycle": cycle,
            "objectives": objectives,
            "due": list(key_results_due_for_me(member)),
            "my_teams": list(teams_of_user(member).order_by("name")),
        },
    )


# --- the objective page -------------------------------------------------------------------


@dataclass
class KeyResultView:
    """A key result on its objective's page: its recent check-ins and its chart, its
    pace status and forecast, and its open flags."""

    key_result: KeyResult
    recent: list[CheckIn]
    chart: SafeString
    insight: KeyResultInsight | None = None
    flags: list[Flag] = field(default_factory=list)


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _forecast_band(insight: KeyResultInsight | None) -> ForecastBand | None:
    if insight is None or not insight.band:
        return None
    return ForecastBand(
        points=insight.band,
        level=insight.forecast.level,
        probability=insight.forecast.probability,
    )


def key_result_chart(
    key_result: KeyResult,
    cycle: Cycle,
    checkins: Iterable[CheckIn],
    today: dt.date,
    insight: KeyResultInsight | None = None,
) -> SafeString:
    """The key result's value over the cycle with its pace line (through its plan, if
    it has one) and its forecast band, as inline SVG."""
    chart = KeyResultChart(
        title=key_result.title,
        kind=key_result.kind,
        cycle_start=cycle.start_date,
        cycle_end=cycle.end_date,
        start=key_result.start_value,
        target=key_result.target_value,
        points=[ChartPoint(_day(c.created_at), c.value) for c in checkins],
        unit=key_result.unit,
        format=key_result.format,
        direction=key_result.direction,
        today=today,
        ident=f"chart-kr-{key_result.pk}",
        plan=[ChartPoint(on, value) for on, value in plan_points(key_result.plan)],
        forecast=_forecast_band(insight),
    )
    # key_result_svg escapes every text it writes.
    return mark_safe(key_result_svg(chart))


def _key_result_views(
    objective: Objective, organisation: Organisation | None = None
) -> list[KeyResultView]:
    history: dict[int, list[CheckIn]] = defaultdict(list)
    for checkin in checkins_for_objective(objective):
        history[checkin.key_result_id].append(checkin)
    today = timezone.localdate()
    # One analysis for the whole page: pace, status, forecast and band of every key result.
    insights = key_result_insights(
        organisation or objective.organisation, objective.key_results.all(), with_band=True
    )
    key_results = list(objective.key_results.select_related("owner").order_by("order", "pk"))
    flags = flags_for_key_results(kr.pk for kr in key_results)
    return [
        KeyResultView(
            kr,
            list(reversed(history[kr.pk][-RECENT_CHECKINS:])),
            key_result_chart(kr, objective.cycle, history[kr.pk], today, insights.get(kr.pk)),
            insights.get(kr.pk),
            flags.get(kr.pk, []),
        )
        for kr in key_results
    ]


# The page lists this many objectives aligned below; the alignment map pages the rest.
ALIGNED_BELOW_SHOWN = 50


def objective_context(member: Membership, objective: Objective) -> dict[str, Any]:
    """Everything the objective page shows, in a fixed number of queries."""
    up = alignment_links_list(member, child_id=objective.pk).select_related(
        "parent_theme__team", "parent_key_result__objective"
    )
    down = alignment_links_list(member, below_objective_id=objective.pk).select_related(
        "child__owner_team", "child__owner_user", "parent_key_result"
    )
    down = down.order_by("child__title", "pk")
    links_down = list(down[: ALIGNED_BELOW_SHOWN + 1])
    more_below = 0
    if len(links_down) > ALIGNED_BELOW_SHOWN:
        more_below = down.count() - ALIGNED_BELOW_SHOWN
        links_down = links_down[:ALIGNED_BELOW_SHOWN]
    return {
        "objective": objective,
        "key_results": _key_result_views(objective, member.organisation),
        "initiatives": list(initiatives_for_objective(objective)),
        "links_up": list(up),
        "links_down": links_down,
        "more_below": more_below,
        "activity": activity_for_objective(objective),
        # A closed cycle is locked: its objectives offer no edits (the services refuse them).
        "can_edit": can_edit_objective(member, objective)
        and objective.cycle.status != CycleStatus.CLOSED,
    }


@member_view()
def objective_detail(request: HttpRequest, objective_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    objective = objective_get_for_member(member, objective_id)
    return render_page(request, "goals/objective_detail.html", objective_context(member, objective))


# --- the team page's goals -------------------------------------------------------------------


def _chosen_cycle(member: Membership, cycles: list[Cycle], wanted: str | None) -> Cycle | None:
    by_id = {str(cycle.pk): cycle for cycle in cycles}
    if wanted and wanted in by_id:
        return by_id[wanted]
    return cycle_current(member)


def team_goals_context(member: Membership, team: Team, wanted_cycle: str | None) -> dict[str, Any]:
    """The team's objectives in the chosen cycle (`?cycle=`, the current one by default),
    their key results, and the team's activity feed."""
    cycles = list(cycles_list(member))
    cycle = _chosen_cycle(member, cycles, wanted_cycle)
    objectives = list(objectives_overlapping(member, cycle, team_id=team.pk)) if cycle else []
    return {
        "cycles": cycles,
        "cycle": cycle,
        "team_objectives": objectives,
        "team_activity": activity_for_team(member, team.pk),
    }
