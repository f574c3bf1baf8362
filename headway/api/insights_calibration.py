"""Honest confidence: a closed cycle's calibration as the caller may see it.

Your own, each of your teams' and, for owners and admins, aggregates per level of the
team tree (null for everyone else). Never another person's, never sorted by a score;
the rules are in insights.selectors_calibration and docs/course-correction.md.
"""

# No `from __future__ import annotations` in router modules (see goals_closing.py).

import math

from django.http import HttpRequest
from ninja import Field, Router, Schema

from headway.insights.metrics.calibration import Calibration
from headway.insights.selectors_calibration import (
    HIT_AT,
    CalibrationReport,
    calibration_cycle_get,
    calibration_report,
)

from .auth import member_of
from .common import READ_ERRORS, Id, responses

router = Router(tags=["honest confidence"])


class ReliabilityBinOut(Schema):
    low: float = Field(..., description="Confidence from this share (0..1)…")
    high: float = Field(..., description="…up to this one (the last bin includes 1.0).")
    checkins: int
    mean_confidence: float | None = Field(None, description="Null when the bin is empty.")
    hit_rate: float | None = Field(None, description="Share delivered; null when empty.")


class CalibrationOut(Schema):
    checkins: int = Field(..., description="Check-ins with a confidence, within the cycle.")
    key_results: int = Field(..., description="Key results they were given on.")
    brier: float | None = Field(
        None, description="0 is perfect; always saying 50% scores 0.25. Null without data."
    )
    mean_confidence: float | None = Field(None, description="Share of the scale, 0..1.")
    hit_rate: float | None = Field(None, description="Share of key results delivered.")
    bias: float | None = Field(None, description="mean_confidence − hit_rate.")
    verdict: str = Field(..., description="optimistic, sandbagging, calibrated, not enough data")
    reliability: list[ReliabilityBinOut]


class TeamRefOut(Schema):
    id: int
    name: str
    slug: str


class TeamCalibrationOut(Schema):
    team: TeamRefOut
    calibration: CalibrationOut


class LevelOut(Schema):
    depth: int = Field(..., description="0 = objectives of the organisation's root team.")
    key_results: int
    enough: bool = Field(
        ..., description="False below the minimum group size: then calibration is null."
    )
    calibration: CalibrationOut | None = None


class CalibrationReportOut(Schema):
    cycle_id: int
    hit_at: float = Field(..., description="A key result is delivered from this final score.")
    me: CalibrationOut = Field(..., description="Key results you own; only you see it.")
    teams: list[TeamCalibrationOut] = Field(
        ..., description="Each team you belong to, by name; only its people see it."
    )
    levels: list[LevelOut] | None = Field(
        None, description="Aggregates per level, top first: owners and admins only, else null."
    )


def _number(value: float) -> float | None:
    """NaN (no data) as null; otherwise rounded past float noise (1.0000000000000004)."""
    return None if math.isnan(value) else round(value, 9)


def calibration_out(calibration: Calibration) -> dict[str, object]:
    """A calibration as JSON: NaN (no data) becomes null."""
    return {
        "checkins": calibration.checkins,
        "key_results": calibration.key_results,
        "brier": _number(calibration.brier),
        "mean_confidence": _number(calibration.mean_confidence),
        "hit_rate": _number(calibration.hit_rate),
        "bias": _number(calibration.bias),
        "verdict": calibration.verdict,
        "reliability": [
            {
                "low": b.low,
                "high": b.high,
                "checkins": b.checkins,
                "mean_confidence": _number(b.mean_confidence),
                "hit_rate": _number(b.hit_rate),
            }
            for b in calibration.reliability
        ],
    }


def report_out(report: CalibrationReport) -> dict[str, object]:
    levels = None
    if report.levels is not None:
        levels = [
            {
                "depth": level.depth,
                "key_results": level.key_results,
                "enough": level.enough,
                "calibration": calibration_out(level.calibration) if level.calibration else None,
            }
            for level in report.levels
        ]
    return {
        "cycle_id": report.cycle.pk,
        "hit_at": HIT_AT,
        "me": calibration_out(report.me),
        "teams": [
            {"team": item.team, "calibration": calibration_out(item.calibration)}
            for item in report.teams
        ],
        "levels": levels,
    }


@router.get(
    "/cycles/{cycle_id}/calibration",
    response=responses({200: CalibrationReportOut}, (*READ_ERRORS, 409)),
    summary="Calibration of confidence in a closed cycle: yours, your teams', levels for admins",
)
def cycle_calibration(request: HttpRequest, cycle_id: Id) -> dict[str, object]:
    member = member_of(request)
    cycle = calibration_cycle_get(member, cycle_id)
    return report_out(calibration_report(member, cycle))
