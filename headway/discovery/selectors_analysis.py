"""Reads of a purpose survey's stored analysis: the report, a comparison of two surveys,
and the anonymised answers with their clusters for export.

The analysis is stored as plain data on the survey (see `services_analysis`); these
turn it into what pages, the API and the CSV show. Groups under `MIN_GROUP` answers
were pooled when the analysis ran, so nothing here can show one on its own. Owners and
admins read reports and answers; other members get PermissionDenied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from headway.accounts.models import Membership

from .metrics import purpose
from .models import PurposeAnswer, PurposeSurvey


def _require_admin(member: Membership) -> None:
    if not member.is_admin:
        raise PermissionDenied("Only owners and admins can read a survey's analysis.")


@dataclass(frozen=True)
class ClusterView:
    """A theme people named: its words, size and most central answers."""

    id: int
    size: int
    share: float  # of all answers
    words: list[str]
    examples: list[str]
    coherence: float | None
    closeness: float | None

    @property
    def label(self) -> str:
        return ", ".join(self.words) if self.words else f"Cluster {self.id}"


@dataclass(frozen=True)
class ClusterShare:
    """How much of a group sits in one cluster (None: fits no cluster)."""

    cluster: ClusterView | None
    count: int
    share: float


@dataclass(frozen=True)
class GroupView:
    """The figures of all answers, of one team, or of the pooled smaller groups."""

    key: str  # "all", a team id, or "other"
    name: str
    count: int
    coherence: float | None
    closeness: float | None
    matching: int | None
    share_matching: float | None
    index: int | None
    clusters: list[ClusterShare]
    split: list[ClusterView]


@dataclass(frozen=True)
class ThemeView:
    id: int
    title: str
    mean: float | None
    matching: int
    share: float


@dataclass
class SurveyReport:
    """What the report page shows; `state` is "none", "queued", "stalled" or "ready"."""

    survey: PurposeSurvey
    state: str
    answers_now: int
    analysed_at: dt.datetime | None = None
    answers_analysed: int = 0
    overall: GroupView | None = None
    teams: list[GroupView] = field(default_factory=list)
    other: GroupView | None = None
    pooled: int = 0  # answers in groups under MIN_GROUP (shown as "other" when ≥ MIN_GROUP)
    clusters: list[ClusterView] = field(default_factory=list)
    unclustered: int = 0
    unreadable: int = 0
    repeats: int = 0
    themes: list[ThemeView] = field(default_factory=list)
    histogram: list[int] | None = None
    strategy_statement: str = ""
    engine: str = ""
    min_group: int = purpose.MIN_GROUP

    @property
    def queued(self) -> bool:
        return self.state == "queued"

    @property
    def stalled(self) -> bool:
        return self.state == "stalled"

    @property
    def has_strategy(self) -> bool:
        """Whether the analysis had a strategy statement or a theme to compare with."""
        return bool(self.strategy_statement or self.themes)

    @property
    def new_answers(self) -> int:
        """Answers given since the analysis ran."""
        return max(0, self.answers_now - self.answers_analysed)

    @property
    def measured(self) -> bool:
        """Whether closeness was measured: a strategy to compare with and a readable answer."""
        return self.overall is not None and self.overall.closeness is not None


STALLED_AFTER = dt.timedelta(minutes=15)


def _state(survey: PurposeSurvey, now: dt.datetime | None = None) -> str:
    """`none`, `queued`, `ready`, or `stalled`: asked for over `STALLED_AFTER` ago and not
    done (no worker running, or the task failed), so pages stop waiting and say so."""
    requested, done = survey.analysis_requested_at, survey.analysed_at
    if requested is not None and (done is None or requested > done):
        return "stalled" if (now or timezone.now()) - requested > STALLED_AFTER else "queued"
    return "ready" if survey.analysis else "none"


def _group(
    key: str, name: str, data: dict[str, Any], clusters: dict[int, ClusterView]
) -> GroupView:
    count = data["count"]
    shares = [
        ClusterShare(clusters.get(cid), n, n / count if count else 0.0)
        for cid, n in sorted(data["clusters"], key=lambda item: (item[0] == 0, item[0]))
    ]
    return GroupView(
        key=key,
        name=name,
        count=count,
        coherence=data["coherence"],
        closeness=data["closeness"],
        matching=data["matching"],
        share_matching=data["share_matching"],
        index=data["index"],
        clusters=shares,
        split=[clusters[cid] for cid in data.get("split", []) if cid in clusters],
    )


def survey_report(member: Membership, survey: PurposeSurvey) -> SurveyReport:
    """The survey's latest analysis as the report shows it (owners and admins)."""
    _require_admin(member)
    answers_now = getattr(survey, "answer_count", None)
    if answers_now is None:
        answers_now = PurposeAnswer.objects.filter(survey=survey).count()
    report = SurveyReport(survey=survey, state=_state(survey), answers_now=answers_now)
    data = survey.analysis
    if not data:
        return report
    total = data["answer_count"] or 1
    clusters = {
        c["id"]: ClusterView(
            c["id"],
            c["size"],
            c["size"] / total,
            c["words"],
            c["examples"],
            c["coherence"],
            c["closeness"],
        )
        for c in data["clusters"]
    }
    groups = data["groups"]
    report.analysed_at = survey.analysed_at
    report.answers_analysed = data["answer_count"]
    report.overall = _group("all", "All answers", data["overall"], clusters)
    report.teams = sorted(
        (_group(key, g["name"], g, clusters) for key, g in groups["teams"].items()),
        key=lambda g: g.name.casefold(),
    )
    if groups["other"]:
        report.other = _group("other", "Other answers", groups["other"], clusters)
    report.pooled = groups["other_count"]
    report.clusters = list(clusters.values())
    report.unclustered, report.unreadable = data["unclustered"], data["unreadable"]
    report.repeats = data["repeats"]
    readable = data["overall"]["readable"] or 1
    report.themes = [
        ThemeView(t["id"], t["title"], t["mean"], t["matching"], t["matching"] / readable)
        for t in data["themes"]
    ]
    report.histogram = data["histogram"]
    report.strategy_statement = data["strategy_statement"]
    report.engine = data["engine"]
    report.min_group = data["min_group"]
    return report


@dataclass(frozen=True)
class ComparisonRow:
    """One group in two surveys: its figures before and after."""

    key: str
    name: str
    before: GroupView
    after: GroupView

    @property
    def index_change(self) -> int | None:
        if self.before.index is None or self.after.index is None:
            return None
        return self.after.index - self.before.index


def survey_comparison(
    member: Membership, before: PurposeSurvey, after: PurposeSurvey
) -> list[ComparisonRow]:
    """All answers, then each team shown (≥ MIN_GROUP answers) in both analyses, side by
    side; empty when either survey has no analysis."""
    _require_admin(member)
    if not before.analysis or not after.analysis:
        return []
    old, new = survey_report(member, before), survey_report(member, after)
    assert old.overall is not None and new.overall is not None
    rows = [ComparisonRow("all", "All answers", old.overall, new.overall)]
    earlier = {group.key: group for group in old.teams}
    for group in new.teams:
        if group.key in earlier:
            rows.append(ComparisonRow(group.key, group.name, earlier[group.key], group))
    return rows


EXPORT_HEADER = ["cluster", "cluster_words", "closeness", "theme", "team", "answer"]


def survey_answers_export(member: Membership, survey: PurposeSurvey) -> Iterator[list[str]]:
    """CSV rows of the anonymised answers with their cluster, header first.

    No id, date or order of arrival: rows are sorted by cluster, then text. The team is
    named only where the analysis showed it (≥ MIN_GROUP answers), else "Other answers".
    Answers given after the analysis ran have no cluster yet. The permission is checked
    at the call, before any row is read.
    """
    _require_admin(member)
    return _export_rows(survey)


def _export_rows(survey: PurposeSurvey) -> Iterator[list[str]]:
    data = survey.analysis or {}
    per_answer: dict[str, list[Any]] = data.get("answers", {})
    words = {c["id"]: " ".join(c["words"]) for c in data.get("clusters", [])}
    themes = [t["title"] for t in data.get("themes", [])]
    shown = {int(k): g["name"] for k, g in data.get("groups", {}).get("teams", {}).items()}
    rows = []
    answers = PurposeAnswer.objects.filter(survey=survey).values_list("pk", "text", "team_id")
    for pk, text, team_id in answers.iterator(chunk_size=2000):
        cluster, closeness, theme = per_answer.get(str(pk), [None, None, None])
        rows.append(
            [
                str(cluster or ""),
                words.get(cluster, "") if cluster else "",
                "" if closeness is None else f"{closeness:.3f}",
                themes[theme] if theme is not None and theme < len(themes) else "",
                shown.get(team_id, "Other answers") if team_id is not None else "Other answers",
                text,
            ]
        )
    rows.sort(key=lambda row: (row[0] == "", int(row[0] or 0), row[5].casefold()))
    yield EXPORT_HEADER
    yield from rows
