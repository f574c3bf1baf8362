"""The sections of a leader brief, each built from the organisation's data in the
leader's scope (see `brief`). Every figure is made here with the path of the page
that shows it; what each section reads is in docs/rollout.md ("Leader briefs").

Counts come from the one `counts_load` of the brief (adoption's counting: shares,
people, check-in weeks, pivots); titles (key results, pivots, stories) from a few
queries each, filtered by what the asker may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from headway.accounts.models import Membership, Organisation, Role
from headway.discovery.models import PurposeSurvey
from headway.discovery.selectors_analysis import GroupView, survey_report
from headway.goals.models import (
    Cycle,
    KeyResult,
    KeyResultStatus,
    Objective,
    ObjectiveStatus,
    Pivot,
)
from headway.goals.selectors import visible_q
from headway.goals.selectors_learning import (
    LearningEntry,
    LearningLog,
    learning_pivots,
    learning_retrospectives,
    pivot_entries,
    with_details,
)
from headway.insights.adoption_counts import Counts
from headway.insights.metrics.adoption import Adoption, CriterionStatus, not_enough, percent
from headway.lib.charts import format_day, format_number, format_value

from . import rules
from .brief import NOT_ENOUGH, Cycles, Figure, Row, Scope, Section, Side, TrendPoint
from .models import SHARE_METRICS, Metric, RolloutPhase, RolloutPlan
from .selectors import (
    NO_CRITERIA,
    PhaseReadiness,
    metric_label,
    phase_cycle,
    phase_team_ids,
    readiness_of,
)

TOP_KEY_RESULTS = 5
CORRECTIONS = 3
STORIES = 3
STORY_POOL = 12  # log entries read to pick the stories from
MOVING_KINDS = (KeyResult.Kind.INCREASE, KeyResult.Kind.DECREASE)


@dataclass
class Context:
    asker: Membership
    organisation: Organisation
    scope: Scope
    cycles: Cycles
    counts: Counts
    plan: RolloutPlan | None
    phases: list[RolloutPhase]
    today: dt.date

    @property
    def slug(self) -> str:
        return self.organisation.slug

    @cached_property
    def team_ids(self) -> frozenset[int]:
        return self.scope.team_ids & frozenset(self.counts.team_ids())

    @cached_property
    def loaded(self) -> set[int]:
        return {c.cycle.pk for c in self.counts.cycles}

    @cached_property
    def visible(self) -> Q:
        return visible_q(self.asker, "objective__")

    def adoption(self, cycle: Cycle, team_ids: frozenset[int] | None = None) -> Adoption:
        return self.counts.adoption_of(cycle, self.team_ids if team_ids is None else team_ids)

    def in_scope(self, query: QuerySet[Any], path: str) -> QuerySet[Any]:
        """`query` limited to the scope's teams (`path` names the team column)."""
        if self.scope.whole:
            return query
        return query.filter(**{f"{path}__in": sorted(self.team_ids)})

    def team_query(self) -> str:
        """`&team=<slug>` when the scope is one team and the teams below it."""
        return f"&team={self.scope.root_slugs[0]}" if len(self.scope.root_slugs) == 1 else ""


def cycles_to_load(cycles: Cycles, phases: Sequence[RolloutPhase]) -> list[Cycle]:
    """The trend's cycles, the current one, and each phase's: loaded once."""
    wanted = [*cycles.trend, *([cycles.current] if cycles.current else [])]
    wanted += [c for p in phases if (c := phase_cycle(p, cycles.every)) is not None]
    return list({c.pk: c for c in wanted}.values())


def url(name: str, *args: Any, query: str = "", anchor: str = "") -> str:
    found = reverse(name, args=args)
    if query:
        found += "?" + query.lstrip("?&")
    return found + (f"#{anchor}" if anchor else "")


# --- figures -------------------------------------------------------------------------


def share_figure(
    key: str, label: str, adoption: Adoption, metric: str, href: str, noun: str
) -> Figure:
    """A share of adoption's figures: "72%" with "18 of 25 objectives", or not enough
    data with the reason."""
    share: float | None = getattr(adoption, metric)
    facts = adoption.facts
    part, whole = {
        "checkin_rate": (facts.checkin_weeks_done, facts.checkin_weeks_due),
        "outcome_share": (facts.outcome_key_results, facts.classified_key_results),
        "aligned_share": (facts.aligned_objectives, facts.objectives),
        "people_with_okrs": (facts.people_with_okrs, facts.people),
        "teams_with_okrs": (facts.teams_with_okrs, facts.teams),
    }[metric]
    if share is None:
        return Figure(key, label, NOT_ENOUGH, href, None, not_enough(metric, facts))
    return Figure(key, label, percent(share), href, share, f"{part} of {whole} {noun}")


def count_figure(key: str, label: str, adoption: Adoption, metric: str, href: str) -> Figure:
    """Pivots or learnings of a group: not enough data without any objective."""
    if adoption.facts.objectives == 0:
        return Figure(key, label, NOT_ENOUGH, href, None, not_enough(metric, adoption.facts))
    value: int = getattr(adoption, metric)
    return Figure(key, label, str(value), href, value)


def ratio_figure(key: str, label: str, part: int, whole: int, href: str, detail: str) -> Figure:
    if whole == 0:
        return Figure(key, label, NOT_ENOUGH, href, None, detail)
    ratio = part / whole
    return Figure(key, label, format_number(round(ratio, 1)), href, ratio, detail)


def progress_text(progress: float | None) -> str:
    """Progress as the key result pages show it: rounded half up."""
    return "—" if progress is None else f"{int(progress * 100 + 0.5)}%"


def measure_text(value: float | None, key_result: KeyResult) -> str:
    return format_value(
        value, kind=key_result.kind, fmt=key_result.format, unit=key_result.unit or ""
    )


# --- key results that moved --------------------------------------------------------------


def _measured(ctx: Context, cycle: Cycle) -> QuerySet[KeyResult]:
    """Active key results with a start and a target, of the scope's team objectives
    (drafts aside) in `cycle`, as the asker may see them."""
    found = KeyResult.objects.filter(
        ctx.visible,
        organisation_id=ctx.organisation.pk,
        objective__cycle_id=cycle.pk,
        objective__owner_team__isnull=False,
        status=KeyResultStatus.ACTIVE,
        kind__in=MOVING_KINDS,
        start_value__isnull=False,
        target_value__isnull=False,
    ).exclude(objective__status=ObjectiveStatus.DRAFT)
    return ctx.in_scope(found, "objective__owner_team_id")


def moved_key_results(ctx: Context) -> tuple[Cycle | None, int, int, list[KeyResult]]:
    """(cycle, measured, moved, the top ones): the current cycle when any key result
    moved in it, else the latest closed one. Moved: progress above zero, i.e. the
    value went from its start towards its target."""
    found: tuple[Cycle | None, int, int, list[KeyResult]] = (ctx.cycles.current, 0, 0, [])
    for cycle in (ctx.cycles.current, ctx.cycles.closed):
        if cycle is None:
            continue
        measured = _measured(ctx, cycle)
        totals = measured.aggregate(total=Count("pk"), moved=Count("pk", filter=Q(progress__gt=0)))
        top = list(
            measured.filter(progress__gt=0)
            .select_related("objective__owner_team")
            .order_by("-progress", "pk")[:TOP_KEY_RESULTS]
        )
        if top or found[1] == 0:
            found = (cycle, totals["total"], totals["moved"], top)
        if top:
            break
    return found


def key_results_section(ctx: Context) -> Section:
    cycle, measured, moved, top = moved_key_results(ctx)
    href = (
        url("alignment-map", ctx.slug, query=f"cycle={cycle.pk}{ctx.team_query()}")
        if cycle
        else url("cycles", ctx.slug)
    )
    if measured == 0:
        why = (
            f"no key result with a start and a target in {cycle.name}" if cycle else "no cycle yet"
        )
        headline = Figure(
            "key_results.moved", "Key results that moved", NOT_ENOUGH, href, None, why
        )
    else:
        headline = Figure(
            "key_results.moved",
            "Key results that moved",
            str(moved),
            href,
            moved,
            f"of {measured} with a start and a target in {cycle.name}" if cycle else "",
        )
    rows = [_key_result_row(ctx, kr) for kr in top]
    lead = (
        f"The key results that moved furthest towards their targets in {cycle.name}, start → now."
        if cycle
        else ""
    )
    return Section(
        "key_results",
        "Key results that moved",
        lead,
        [headline],
        rows,
        empty="" if rows else "No key result has moved from its start yet: not enough data.",
        href=href,
    )


def _key_result_row(ctx: Context, kr: KeyResult) -> Row:
    href = url("objective-detail", ctx.slug, kr.objective_id, anchor=f"kr-{kr.pk}")
    key = f"kr.{kr.pk}"
    team = kr.objective.owner_team
    return Row(
        kr.title,
        href,
        meta=team.name if team else "",
        figures=(
            Figure(f"{key}.start", "Start", measure_text(kr.start_value, kr), href, kr.start_value),
            Figure(f"{key}.now", "Now", measure_text(kr.current_value, kr), href, kr.current_value),
            Figure(f"{key}.progress", "Progress", progress_text(kr.progress), href, kr.progress),
        ),
    )


# --- course corrections and stories --------------------------------------------------------


def _brief_cycle_ids(ctx: Context) -> list[int]:
    return [c.pk for c in (ctx.cycles.current, ctx.cycles.closed) if c is not None]


def _log_href(ctx: Context, team: Any, cycle_id: int | None, anchor: str) -> str:
    query = f"cycle={cycle_id}" if cycle_id else ""
    if team is not None:
        return url("learning-team", ctx.slug, team.slug, query=query, anchor=anchor)
    return url("learning-log", ctx.slug, query=query, anchor=anchor)


def _pivots(ctx: Context) -> QuerySet[Pivot]:
    found = Pivot.objects.filter(
        ctx.visible,
        organisation_id=ctx.organisation.pk,
        objective__cycle_id__in=_brief_cycle_ids(ctx),
    )
    return ctx.in_scope(found, "team_id")


def corrections_section(ctx: Context) -> Section:
    pivots = _pivots(ctx)
    total = pivots.count()
    listed = pivot_entries(list(with_details(pivots).order_by("-created_at", "-pk")[:CORRECTIONS]))
    names = " and ".join(c.name for c in (ctx.cycles.closed, ctx.cycles.current) if c is not None)
    href = _log_href(ctx, None, None, "")
    if len(ctx.scope.root_slugs) == 1:
        href = url("learning-team", ctx.slug, ctx.scope.root_slugs[0])
    figure = Figure(
        "corrections.pivots",
        "Pivots recorded",
        str(total),
        href,
        total,
        f"in {names}" if names else "",
    )
    return Section(
        "corrections",
        "Course corrections and what they changed",
        "When a measure stalled, what the team tried, what it learned, and what it changed.",
        [figure],
        [_pivot_row(ctx, entry) for entry in listed],
        empty="" if listed else f"No pivot recorded in {names or 'any cycle'} yet.",
        href=href,
    )


def _pivot_row(ctx: Context, entry: LearningEntry) -> Row:
    pivot, kr = entry.pivot, entry.key_result
    assert pivot is not None and kr is not None
    href = _log_href(ctx, entry.team, entry.objective.cycle_id, f"pivot-{pivot.pk}")
    changes = [
        f"Target moved from {measure_text(c.old_target, kr)} to {measure_text(c.new_target, kr)}: {c.reason}"
        for c in entry.target_changes
    ]
    changes += [
        f"{item['change'].capitalize()} “{item['title']}”" for item in entry.initiative_changes
    ]
    after = entry.aftermath
    figures: tuple[Figure, ...] = ()
    if after is not None:
        figures = (
            Figure(
                f"pivot.{pivot.pk}.before",
                "Progress then",
                progress_text(after.progress_at),
                href,
                after.progress_at,
            ),
            Figure(
                f"pivot.{pivot.pk}.now",
                "Progress now",
                progress_text(after.progress_now),
                href,
                after.progress_now,
            ),
        )
    return Row(
        kr.title,
        href,
        meta=_meta(entry),
        lines=(("Tried", entry.tried), ("Learned", entry.learned), ("Next", entry.next_step)),
        figures=figures,
        changes=tuple(changes),
    )


def _meta(entry: LearningEntry) -> str:
    team = entry.team.name if entry.team else entry.objective.owner_name
    return f"{team} · {format_day(entry.at.date())}"


def stories_section(ctx: Context, shown: set[int]) -> Section:
    """Two or three entries of the learning log in the scope, newest first, one per
    team where possible, leaving out the pivots already shown as corrections."""
    team_ids = None if ctx.scope.whole else sorted(ctx.team_ids)
    log = LearningLog(
        learning_pivots(ctx.asker, team_ids=team_ids),
        learning_retrospectives(ctx.asker, team_ids=team_ids),
    )
    pool = [e for e in log[:STORY_POOL] if e.pivot_id is None or e.pivot_id not in shown]
    chosen: list[LearningEntry] = []
    teams: set[int | None] = set()
    for entry in pool:  # one per team first, then fill up
        team = entry.team.pk if entry.team else None
        if team not in teams:
            chosen.append(entry)
            teams.add(team)
    chosen += [e for e in pool if e not in chosen]
    rows = [_story_row(ctx, entry) for entry in chosen[:STORIES]]
    href = url("learning-log", ctx.slug)
    if len(ctx.scope.root_slugs) == 1:
        href = url("learning-team", ctx.slug, ctx.scope.root_slugs[0])
    return Section(
        "stories",
        "Stories from the learning log",
        "In the teams' own words: what they tried, what they learned, what they do next.",
        rows=rows,
        empty="" if rows else "The learning log has no entry yet in this part of the organisation.",
        href=href,
    )


def _story_row(ctx: Context, entry: LearningEntry) -> Row:
    cycle_id = entry.objective.cycle_id
    if entry.pivot is not None:
        href = _log_href(ctx, entry.team, cycle_id, f"pivot-{entry.pivot_id}")
        lines = (("Tried", entry.tried), ("Learned", entry.learned), ("Next", entry.next_step))
        title = f"{entry.key_result.title if entry.key_result else entry.objective.title}"
    else:
        href = _log_href(ctx, entry.team, cycle_id, f"retrospective-{entry.objective.pk}")
        lines = (
            ("Went well", entry.went_well),
            ("Learned", entry.learned),
            ("Next", entry.next_step),
        )
        title = entry.objective.title
    return Row(title, href, meta=_meta(entry), lines=tuple((k, v) for k, v in lines if v))


# --- alignment, focus, adoption ------------------------------------------------------------


def _orphans(ctx: Context, cycle: Cycle) -> int:
    found = Objective.objects.filter(
        organisation_id=ctx.organisation.pk,
        cycle_id=cycle.pk,
        owner_team__isnull=False,
        parent_links__isnull=True,
    ).exclude(status=ObjectiveStatus.DRAFT)
    return int(ctx.in_scope(found, "owner_team_id").count())


def alignment_section(ctx: Context) -> Section:
    cycle = ctx.cycles.current
    if cycle is None:
        href = url("alignment-health", ctx.slug)
        return Section(
            "alignment",
            "Alignment to strategy",
            figures=[
                Figure(
                    "alignment.aligned_share",
                    "Objectives reaching strategy",
                    NOT_ENOUGH,
                    href,
                    None,
                    "no cycle yet",
                )
            ],
            empty="No cycle has started yet.",
        )
    href = url("alignment-health", ctx.slug, query=f"cycle={cycle.pk}{ctx.team_query()}")
    adoption = ctx.adoption(cycle)
    orphans = _orphans(ctx, cycle)
    aligned = share_figure(
        "alignment.aligned_share",
        "Objectives reaching strategy",
        adoption,
        "aligned_share",
        href,
        "objectives",
    )
    figures = [
        aligned,
        Figure(
            "alignment.orphans",
            "Orphan objectives",
            str(orphans),
            href,
            orphans,
            "aligned to nothing",
        ),
    ]
    return Section(
        "alignment",
        "Alignment to strategy",
        f"In {cycle.name}: how many objectives have a line of sight to the strategy "
        "(through their parents), and how many are aligned to nothing.",
        figures,
        href=href,
    )


def focus_section(ctx: Context) -> Section:
    cycle = ctx.cycles.current
    href = url(
        "coach-summary", ctx.slug, query=f"cycle={cycle.pk}{ctx.team_query()}" if cycle else ""
    )
    if cycle is None:
        return Section(
            "focus",
            "Focus",
            figures=[
                Figure(
                    "focus.objectives_per_team",
                    "Objectives per team",
                    NOT_ENOUGH,
                    href,
                    None,
                    "no cycle yet",
                )
            ],
        )
    adoption = ctx.adoption(cycle)
    facts = adoption.facts
    figures = [
        ratio_figure(
            "focus.objectives_per_team",
            "Objectives per team with OKRs",
            facts.objectives,
            facts.teams_with_okrs,
            href,
            f"{facts.objectives} objectives, {facts.teams_with_okrs} teams with OKRs"
            if facts.teams_with_okrs
            else "no team has OKRs in this cycle",
        ),
        ratio_figure(
            "focus.key_results_per_objective",
            "Key results per objective",
            facts.key_results,
            facts.objectives,
            href,
            f"{facts.key_results} key results, {facts.objectives} objectives"
            if facts.objectives
            else "no objectives yet (drafts aside)",
        ),
        share_figure(
            "focus.outcome_share",
            "Key results that measure outcomes",
            adoption,
            "outcome_share",
            href,
            "key results",
        ),
    ]
    return Section(
        "focus",
        "Focus",
        f"In {cycle.name}: a few objectives per team, each with a few key results that "
        "measure the change wanted rather than the work done.",
        figures,
        href=href,
    )


def adoption_section(ctx: Context) -> Section:
    cycle = ctx.cycles.current
    if cycle is None:
        href = url("adoption", ctx.slug)
        return Section(
            "adoption",
            "Adoption over cycles",
            figures=[
                Figure(
                    "adoption.checkin_rate",
                    "Weekly check-in rate",
                    NOT_ENOUGH,
                    href,
                    None,
                    "no cycle yet",
                )
            ],
        )
    href = url("adoption", ctx.slug, query=f"cycle={cycle.pk}")
    adoption = ctx.adoption(cycle)
    figures = [
        share_figure(
            "adoption.checkin_rate", "Weekly check-in rate", adoption, "checkin_rate", href, "weeks"
        ),
        share_figure(
            "adoption.people_with_okrs",
            "People with OKRs",
            adoption,
            "people_with_okrs",
            href,
            "people",
        ),
        share_figure(
            "adoption.teams_with_okrs",
            "Teams with OKRs",
            adoption,
            "teams_with_okrs",
            href,
            "teams",
        ),
    ]
    trend = [_trend_point(ctx, c) for c in ctx.cycles.trend if c.pk in ctx.loaded]
    return Section(
        "adoption",
        "Adoption over cycles",
        f"How the practice grew in {ctx.scope.label}, cycle by cycle.",
        figures,
        trend=trend,
        href=href,
    )


TREND_METRICS = (
    ("checkin_rate", "Check-in rate", "weeks"),
    ("people_with_okrs", "People with OKRs", "people"),
    ("aligned_share", "Aligned", "objectives"),
)


def _trend_point(ctx: Context, cycle: Cycle) -> TrendPoint:
    href = url("adoption", ctx.slug, query=f"cycle={cycle.pk}", anchor="adoption-trend")
    adoption = ctx.adoption(cycle)
    figures = tuple(
        share_figure(f"trend.{cycle.pk}.{metric}", label, adoption, metric, href, noun)
        for metric, label, noun in TREND_METRICS
    )
    return TrendPoint(cycle, adoption, figures)


# --- the purpose survey ------------------------------------------------------------------------


def _reader(organisation: Organisation) -> Membership:
    """The survey's aggregates as an admin reads them (never saved): a brief shows only
    the index and coherence of groups the analysis already shows, never an answer."""
    return Membership(organisation=organisation, role=Role.ADMIN)


def purpose_section(ctx: Context) -> Section:
    survey = (
        PurposeSurvey.objects.filter(organisation_id=ctx.organisation.pk, analysis__isnull=False)
        .annotate(answer_count=Count("answers"))
        .order_by("-analysed_at", "-pk")
        .first()
    )
    if survey is None:
        href = url("surveys", ctx.slug)
        figure = Figure(
            "purpose.index",
            "Purpose alignment index",
            NOT_ENOUGH,
            href,
            None,
            "no purpose survey has been analysed yet",
        )
        return Section(
            "purpose",
            "What people say their work is for",
            figures=[figure],
            empty="No purpose survey has been analysed yet.",
            href=href,
        )
    report = survey_report(_reader(ctx.organisation), survey)
    href = url("survey-report", ctx.slug, survey.pk)
    overall = report.overall
    figures = [
        _index_figure(
            "purpose.index",
            "Purpose alignment index",
            overall,
            href + "#report-figures",
            report.answers_analysed,
        ),
        _coherence_figure(
            "purpose.coherence", "Coherence of the answers", overall, href + "#report-figures"
        ),
    ]
    teams = [g for g in report.teams if g.key.isdigit() and int(g.key) in ctx.team_ids]
    rows = [
        Row(
            g.name,
            f"{href}#group-{g.key}",
            figures=(
                _index_figure(
                    f"purpose.team.{g.key}.index", "Index", g, f"{href}#group-{g.key}", g.count
                ),
            ),
        )
        for g in teams
    ]
    day = survey.analysed_at.date() if survey.analysed_at else survey.closes_on
    return Section(
        "purpose",
        "What people say their work is for",
        f"“{survey.title}”: {report.answers_analysed} anonymous answers, analysed "
        f"{format_day(day)}. The index (0-100) says how close people's own account of their "
        "work's purpose is to the strategy, and to each other.",
        figures,
        rows,
        notes=[]
        if rows
        else [f"No team of {ctx.scope.label} is shown on its own in this survey's analysis."],
        href=href,
    )


def _index_figure(key: str, label: str, group: GroupView | None, href: str, answers: int) -> Figure:
    if group is None or group.index is None:
        why = "no strategy statement or theme to compare the answers with"
        return Figure(key, label, NOT_ENOUGH, href, None, why)
    return Figure(key, label, f"{group.index}", href, group.index, f"of 100, {answers} answers")


def _coherence_figure(key: str, label: str, group: GroupView | None, href: str) -> Figure:
    if group is None or group.coherence is None:
        return Figure(key, label, NOT_ENOUGH, href, None, "too few readable answers")
    return Figure(
        key,
        label,
        f"{group.coherence:.2f}",
        href,
        group.coherence,
        "0 (all different) to 1 (all alike)",
    )


# --- the pilot and the next phase ------------------------------------------------------------


def readiness(ctx: Context) -> list[PhaseReadiness]:
    """Every phase's readiness from the brief's one load of the counts."""
    parents = {t.id: t.parent_id for t in ctx.counts.teams}
    known = frozenset(parents)
    found = []
    for phase in ctx.phases:
        cycle = phase_cycle(phase, ctx.cycles.every)
        team_ids = phase_team_ids(phase, parents)
        figures = None
        if cycle is not None and cycle.pk in ctx.loaded:
            figures = ctx.counts.adoption_of(cycle, known & set(team_ids))
        found.append(readiness_of(phase, cycle, team_ids, figures, ctx.today))
    return found


def _criterion_row(key: str, status: CriterionStatus, href: str) -> Row:
    label = metric_label(status.metric)
    value = status.value
    if status.met is None or value is None:
        text = NOT_ENOUGH
    elif status.metric in SHARE_METRICS:
        text = percent(float(value))
    else:
        text = str(value)
    number = value if isinstance(value, int | float) and status.met is not None else None
    state = "met" if status.met is True else "unmet" if status.met is False else "unknown"
    figure = Figure(f"{key}.{status.metric}", label, text, href, number, _target(status))
    return Row(label, href, meta=status.reason, figures=(figure,), state=state)


def _target(status: CriterionStatus) -> str:
    if status.metric == Metric.CALIBRATION:
        return "target: calibrated at the close"
    if status.metric in SHARE_METRICS:
        return f"target at least {percent(status.threshold)}"
    return f"target at least {status.threshold:g}"


SIDE_METRICS = (
    ("checkin_rate", "Weekly check-in rate", "weeks"),
    ("outcome_share", "Outcome share of key results", "key results"),
    ("aligned_share", "Objectives reaching strategy", "objectives"),
    ("people_with_okrs", "People with OKRs", "people"),
    ("pivots", "Pivots recorded", ""),
    ("learnings", "Learnings recorded", ""),
)


def _side(metric: str, label: str, noun: str, pilot: Adoption, rest: Adoption, href: str) -> Side:
    if noun:
        return Side(
            label,
            share_figure(f"pilot.side.{metric}", label, pilot, metric, href, noun),
            share_figure(f"rest.side.{metric}", label, rest, metric, href, noun),
        )
    return Side(
        label,
        count_figure(f"pilot.side.{metric}", label, pilot, metric, href),
        count_figure(f"rest.side.{metric}", label, rest, metric, href),
    )


def pilot_section(ctx: Context, found: list[PhaseReadiness]) -> Section:
    title = "What the pilot achieved"
    if ctx.plan is None or not found:
        href = url("rollout", ctx.slug)
        return Section(
            "pilot", title, empty="There is no rollout plan with a pilot yet.", href=href
        )
    pilot = found[0]
    phase = pilot.phase
    href = url("rollout-plan", ctx.slug, ctx.plan.pk, anchor=f"phase-{phase.pk}")
    ids = frozenset(pilot.team_ids)
    names = ", ".join(pt.team.name for pt in phase.phase_teams.all())
    if not ids & ctx.team_ids:
        return Section(
            "pilot",
            title,
            empty=f"None of the pilot's teams ({names}) is in {ctx.scope.label}.",
            href=href,
        )
    rows = [_criterion_row("pilot.criterion", s, href) for s in pilot.criteria]
    state = (
        "Ready to expand: every success criterion is met."
        if pilot.ready
        else "Not ready to expand yet."
    )
    cycle = pilot.cycle
    # "Pilot: Platform and Tracking (Platform, Tracking)" says the teams twice.
    named = all(pt.team.name in phase.name for pt in phase.phase_teams.all())
    who = phase.name if named else f"{phase.name} ({names})"
    lead = f"{who}, measured over {cycle.name if cycle else 'no cycle yet'}. {state}"
    sides: list[Side] = []
    if cycle is not None and cycle.pk in ctx.loaded:
        known = frozenset(ctx.counts.team_ids())
        rest = ctx.team_ids - ids
        side_href = url("adoption", ctx.slug, query=f"cycle={cycle.pk}", anchor="adoption-pilot")
        pilot_figures = ctx.counts.adoption_of(cycle, known & ids)
        rest_figures = ctx.counts.adoption_of(cycle, rest)
        sides = [
            _side(m, label, noun, pilot_figures, rest_figures, side_href)
            for m, label, noun in SIDE_METRICS
        ]
    return Section(
        "pilot",
        title,
        lead,
        rows=rows,
        sides=sides,
        notes=[] if pilot.ready else list(pilot.missing),
        href=href,
    )


def next_phase_section(ctx: Context, found: list[PhaseReadiness]) -> Section:
    title = "What the next phase needs"
    if ctx.plan is None or not found:
        return Section(
            "next_phase",
            title,
            empty="There is no rollout plan yet: start one with a pilot of one or two teams.",
            href=url("rollout", ctx.slug),
        )
    waiting = [r for r in found if not r.ready]
    if not waiting:
        href = url("rollout-plan", ctx.slug, ctx.plan.pk)
        return Section(
            "next_phase",
            title,
            empty=f"Every phase of “{ctx.plan.title}” is ready to expand.",
            href=href,
        )
    row = waiting[0]
    phase = row.phase
    href = url("rollout-plan", ctx.slug, ctx.plan.pk, anchor=f"phase-{phase.pk}")
    teams = "; ".join(
        f"{pt.team.name}{' and the teams below' if pt.with_subtree else ''}"
        for pt in phase.phase_teams.all()
    )
    figures = [
        Figure(
            "next.expected_weeks",
            "Expected to take",
            rules.weeks_in_words(phase.expected_weeks),
            href,
            phase.expected_weeks,
            "said up front",
        ),
        Figure(
            "next.teams",
            "Teams taking part",
            str(len(row.team_ids)),
            href,
            len(row.team_ids),
            teams,
        ),
    ]
    return Section(
        "next_phase",
        title,
        f"{phase.name}: {_when(row)}",
        figures,
        rows=[_criterion_row("next.criterion", s, href) for s in row.criteria]
        if row.started
        else [],
        notes=list(row.missing) if row.started else [_needs(row)],
        href=href,
    )


def _needs(row: PhaseReadiness) -> str:
    wanted = [
        f"{metric_label(s.metric).lower()} {_target(s).removeprefix('target ')}"
        for s in row.criteria
    ]
    return "Ready to expand when: " + "; ".join(wanted) + "." if wanted else NO_CRITERIA


def _when(row: PhaseReadiness) -> str:
    phase = row.phase
    span = f"{format_day(phase.starts_on)} to {format_day(phase.ends_on)}"
    if not row.started:
        weeks = row.weeks_to_start
        return f"starts in {weeks} week{'s' if weeks != 1 else ''} ({span})."
    if row.ended:
        return f"ran {span}; not ready to expand yet."
    return f"week {row.weeks_elapsed + 1} of {phase.expected_weeks} expected ({span})."


# --- all of them ---------------------------------------------------------------------------


def sections(ctx: Context) -> dict[str, Section]:
    found = readiness(ctx)
    corrections = corrections_section(ctx)
    shown = {int(r.href.rsplit("pivot-", 1)[1]) for r in corrections.rows if "#pivot-" in r.href}
    built = [
        key_results_section(ctx),
        pilot_section(ctx, found),
        corrections,
        stories_section(ctx, shown),
        alignment_section(ctx),
        purpose_section(ctx),
        focus_section(ctx),
        adoption_section(ctx),
        next_phase_section(ctx, found),
    ]
    return {s.key: s for s in built}


HEADLINES = {
    "strategy_execution": "{text} key results in {scope} moved towards their targets ({detail}).",
    "alignment": "{text} of the objectives in {scope} reach the strategy in {cycle} ({detail}).",
    "communication": "Purpose alignment index {text} of 100 in the latest purpose survey ({detail}).",
    "focus": "{text} objectives per team with OKRs in {scope} in {cycle} ({detail}).",
    "engagement": "{text} of the weekly check-ins due in {scope} were done in {cycle} ({detail}).",
}


def headline_text(lens: str, figure: Figure, ctx: Context) -> str:
    if not figure.enough:
        return f"{figure.label}: not enough data yet ({figure.detail})."
    cycle = ctx.cycles.current.name if ctx.cycles.current else ""
    return HEADLINES[lens].format(
        text=figure.text, scope=ctx.scope.label, cycle=cycle, detail=figure.detail
    )
