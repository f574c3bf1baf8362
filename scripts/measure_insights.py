"""Measure course correction on a synthetic organisation: 60,000 key results, 720,000 check-ins.

    .venv/bin/python scripts/measure_insights.py [--key-results 60000] [--checkins 12] [--runs 5]

Target (issue 7): pace, status, forecast and flags of a whole organisation in well
under 2 s of pure NumPy (the 5 s budget includes loading from the database, timed by
the benchmark suite). This builds KeyResultSeries columns directly (a mix of kinds,
trends, noise, plans, late and missing check-ins, confidences) and times each step and
the whole analysis, as `flags.detect` runs it in `insights.services.flags_refresh`.
Prints medians and the worst run. Timings, not tests: they depend on the machine and
on what else it does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from headway.insights.metrics.flags import detect  # noqa: E402
from headway.insights.metrics.forecast import forecast  # noqa: E402
from headway.insights.metrics.pace import (  # noqa: E402
    Thresholds,
    expected_progress,
    progress_of,
    status_codes,
)
from headway.insights.metrics.series import KeyResultSeries, Kind  # noqa: E402

CYCLE_START = 20_454.0  # 2026-01-01
CYCLE_DAYS = 91.0
TODAY = CYCLE_START + 60.5  # two thirds into the quarter


def synthetic(key_results: int, checkins: int, seed: int = 7) -> KeyResultSeries:
    """Quarterly key results checked in weekly: 70% increase, 15% decrease, 10%
    milestone, 5% maintain; every fifth one stops checking in a few weeks early."""
    rng = np.random.default_rng(seed)
    n, k = key_results, checkins
    kind = rng.choice(
        [Kind.INCREASE, Kind.DECREASE, Kind.MILESTONE, Kind.MAINTAIN], n, p=[0.7, 0.15, 0.1, 0.05]
    ).astype(np.int64)
    start = np.round(rng.uniform(0, 100, n), 1)
    span = rng.uniform(10, 100, n)
    target = np.where(kind == Kind.DECREASE, start - span, start + span)
    target = np.where(kind == Kind.MILESTONE, 1.0, target)
    target = np.where(kind == Kind.MAINTAIN, start, target)
    # Check-ins weekly up to today, some stopping early: day offsets per key result.
    stop = np.where(rng.random(n) < 0.2, rng.integers(2, 6, n), 0)
    week = np.arange(k) - (k - 1)  # ..., -2, -1, 0 weeks before today
    days = TODAY - 0.5 + 7.0 * (week[None, :] - stop[:, None]) + rng.uniform(-1, 1, (n, k))
    pace = rng.normal(1.0, 0.35, n)[:, None] * span[:, None] / CYCLE_DAYS
    pace = np.where((kind == Kind.DECREASE)[:, None], -pace, pace)
    noise = rng.uniform(0, 0.05, n)[:, None] * span[:, None]
    values = start[:, None] + pace * (days - CYCLE_START) + rng.normal(0, 1, (n, k)) * noise
    values = np.where((kind == Kind.MILESTONE)[:, None], (rng.random((n, k)) < 0.1) * 1.0, values)
    values = np.where((kind == Kind.MAINTAIN)[:, None], start[:, None] + noise, values)
    confidence = np.clip(np.round(rng.normal(6, 2, n)[:, None] + rng.normal(0, 1, (n, k))), 0, 10)
    current = values[:, -1]
    proto = KeyResultSeries(
        ids=np.arange(1, n + 1, dtype=np.int64),
        kind=kind,
        direction=np.zeros(n, dtype=np.int64),
        start_value=start,
        target_value=target,
        current_value=current,
        progress=np.zeros(n),
        confidence=confidence[:, -1],
        confidence_scale=10.0,
        cycle_start=np.full(n, CYCLE_START),
        cycle_end=np.full(n, CYCLE_START + CYCLE_DAYS),
        offsets=np.arange(0, n * k + 1, k, dtype=np.int64),
        checkin_day=days.reshape(-1),
        checkin_value=values.reshape(-1),
        checkin_confidence=confidence.reshape(-1),
        # One key result in ten follows a plan: slow first month, then linear.
        plan_days={
            i: np.array([CYCLE_START + 30, CYCLE_START + CYCLE_DAYS])
            for i in range(0, n, 10)
            if kind[i] in (Kind.INCREASE, Kind.DECREASE)
        },
    )
    plan_values = {i: np.array([start[i] + 0.1 * span[i], target[i]]) for i in proto.plan_days}
    progress = progress_of(proto, current)
    return KeyResultSeries(**{**proto.__dict__, "progress": progress, "plan_values": plan_values})


def timed(runs: int, work: Callable[[], Any]) -> tuple[float, float, Any]:
    seconds = []
    result = None
    for _ in range(runs):
        began = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), max(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key-results", type=int, default=60_000)
    parser.add_argument("--checkins", type=int, default=12, help="check-ins per key result")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    series = synthetic(args.key_results, args.checkins)
    thresholds = Thresholds()
    print(
        f"{len(series):,} key results, {series.checkin_day.size:,} check-ins, "
        f"median of {args.runs} runs (worst in brackets)"
    )

    def everything() -> int:
        expected = expected_progress(series, TODAY)
        status_codes(series, expected, thresholds, TODAY)
        found = forecast(series, TODAY)
        return len(detect(series, TODAY, thresholds, expected=expected, forecasts=found))

    expected = expected_progress(series, TODAY)
    found = forecast(series, TODAY)
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("expected progress", lambda: expected_progress(series, TODAY)),
        ("status", lambda: status_codes(series, expected, thresholds, TODAY)),
        ("forecast", lambda: forecast(series, TODAY)),
        (
            "flags (given pace, forecast)",
            lambda: detect(series, TODAY, thresholds, expected, found),
        ),
        ("all of it", everything),
    ]
    for name, work in steps:
        median, worst, _ = timed(args.runs, work)
        print(f"  {name:30} {median * 1000:8.0f} ms  ({worst * 1000:.0f} ms)")
    flags = detect(series, TODAY, thresholds, expected, found)
    kinds = {
        kind: sum(1 for f in flags if f.kind == kind) for kind in ("stall", "overdue", "watermelon")
    }
    print(f"  flags raised: {len(flags):,} {kinds}; forecasts made: {int(found.enough.sum()):,}")


if __name__ == "__main__":
    main()
