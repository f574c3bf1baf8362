"""Honest confidence: how well the confidence given over a closed cycle matched how it
ended, for the person looking, for each of their teams and, for admins, per level.

The page states who sees each block; the figures come with sentences that say what
they mean, and the verdict is written out, never shown by colour alone. What each
member may see is decided once, in insights.selectors_calibration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse

from headway.goals.selectors import cycle_get
from headway.insights.metrics import calibration as metrics
from headway.insights.metrics.calibration import Calibration
from headway.insights.selectors_calibration import (
    HIT_AT,
    MIN_LEVEL_KEY_RESULTS,
    MIN_LEVEL_OWNERS,
    MIN_LEVEL_TEAMS,
    LevelCalibration,
    calibration_report,
    require_closed,
)
from headway.lib.errors import Conflict
from headway.lib.htmx import render_page
from headway.web.decorators import member_view

TEMPLATE = "calibration/confidence.html"

# Each verdict's badge reuses a status colour; the word is always written beside it.
VERDICT_BANDS = {
    metrics.CALIBRATED: "band-on-track",
    metrics.OPTIMISTIC: "band-at-risk",
    metrics.SANDBAGGING: "band-at-risk",
    metrics.NOT_ENOUGH: "band-not-measured",
}


@dataclass(frozen=True)
class Reading:
    """A calibration with its figures formatted and explained in words."""

    calibration: Calibration
    scale: int
    sentences: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return self.calibration.verdict

    @property
    def verdict_label(self) -> str:
        return self.calibration.verdict.capitalize()

    @property
    def band(self) -> str:
        return VERDICT_BANDS.get(self.calibration.verdict, "band-not-measured")

    @property
    def empty(self) -> bool:
        return self.calibration.key_results == 0

    @property
    def brier(self) -> str:
        return f"{self.calibration.brier:.2f}"

    @property
    def mean_confidence(self) -> str:
        return percent(self.calibration.mean_confidence)

    @property
    def mean_on_scale(self) -> str:
        return f"{self.calibration.mean_confidence * self.scale:.1f} out of {self.scale}"

    @property
    def hit_rate(self) -> str:
        return percent(self.calibration.hit_rate)

    @property
    def hits(self) -> int:
        return round(self.calibration.hit_rate * self.calibration.key_results)

    @property
    def bias(self) -> str:
        points = round(self.calibration.bias * 100)
        sign = "+" if points > 0 else "−" if points < 0 else ""
        return f"{sign}{abs(points)} points"

    @property
    def bins(self) -> list[dict[str, str | int]]:
        return [
            {
                "range": f"{b.low * 100:.0f}–{b.high * 100:.0f}%",
                "checkins": b.checkins,
                "mean_confidence": percent(b.mean_confidence),
                "hit_rate": percent(b.hit_rate),
            }
            for b in self.calibration.reliability
        ]


def percent(share: float) -> str:
    return "—" if math.isnan(share) else f"{share * 100:.0f}%"


def explain(calibration: Calibration, scale: int, subject: str) -> Reading:
    """The figures in plain words; `subject` is "you" or a team's name."""
    reading = Reading(calibration, scale)
    if reading.empty:
        return reading
    said = "you gave" if subject == "you" else f"{subject} gave"
    b = calibration.brier
    quality = (
        "close to what happened."
        if b <= 0.1
        else "better than saying 50% every time (0.25), with room to improve."
        if b < 0.25
        else "no better than saying 50% every time (0.25), so the confidence told little "
        "about how things would end."
    )
    reading.sentences.extend(
        [
            f"Brier score {reading.brier}: {quality} It measures how far each confidence "
            "was from the outcome; 0 is perfect, and being sure and always wrong scores 1.",
            f"On average {said} {reading.mean_confidence} confidence ({reading.mean_on_scale}); "
            f"{reading.hits} of {calibration.key_results} key result"
            f"{'' if calibration.key_results == 1 else 's'} ({reading.hit_rate}) ended delivered, "
            f"with a final score of {HIT_AT:.1f} or more.",
            verdict_sentence(calibration),
        ]
    )
    return reading


def verdict_sentence(calibration: Calibration) -> str:
    gap = f"{abs(calibration.bias) * 100:.0f} points"
    if calibration.verdict == metrics.OPTIMISTIC:
        return (
            f"Optimistic: confidence ran {gap} above the share delivered. Next cycle, "
            "check in what is done rather than what is hoped."
        )
    if calibration.verdict == metrics.SANDBAGGING:
        return (
            f"Sandbagging: confidence ran {gap} below the share delivered. Saying what the "
            "numbers show lets others plan on it."
        )
    if calibration.verdict == metrics.CALIBRATED:
        return (
            f"Calibrated: confidence stayed within {metrics.OPTIMISTIC_BIAS * 100:.0f} points "
            "of the share delivered."
        )
    return (
        f"Not enough data: {calibration.key_results} key result"
        f"{'' if calibration.key_results == 1 else 's'} with check-ins; "
        f"a bias needs at least {metrics.MIN_KEY_RESULTS}."
    )


@dataclass(frozen=True)
class LevelRow:
    level: LevelCalibration
    reading: Reading | None

    @property
    def label(self) -> str:
        depth = self.level.depth
        if depth == 0:
            return "Organisation (top level)"
        return f"Level {depth}" + (" (directly below the organisation)" if depth == 1 else "")


def _level_reading(level: LevelCalibration, scale: int) -> Reading | None:
    if level.calibration is None:
        return None
    return explain(level.calibration, scale, "people at this level")


@member_view()
def cycle_confidence(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """A closed cycle's calibration as this member may see it; 409 before the close."""
    member = request.member  # type: ignore[attr-defined]
    cycle = cycle_get(member, cycle_id)
    try:
        require_closed(member, cycle)
    except Conflict as conflict:
        context = {"cycle": cycle, "error": conflict.message}
        return render_page(request, TEMPLATE, context, status=409)
    report = calibration_report(member, cycle)
    scale = member.organisation.confidence_scale
    context = {
        "cycle": cycle,
        "me": explain(report.me, scale, "you"),
        "teams": [
            (item.team, explain(item.calibration, scale, item.team.name)) for item in report.teams
        ],
        "levels": None
        if report.levels is None
        else [LevelRow(level, _level_reading(level, scale)) for level in report.levels],
        "minimum": {
            "key_results": MIN_LEVEL_KEY_RESULTS,
            "owners": MIN_LEVEL_OWNERS,
            "teams": MIN_LEVEL_TEAMS,
        },
        "hit_at": f"{HIT_AT:.1f}",
    }
    return render_page(request, TEMPLATE, context)
