"""Honest confidence: how well the confidence people gave matched what happened.

Computed at cycle close from every check-in's confidence (as a share 0..1 of the
organisation's scale) and its key result's outcome. Each key result weighs the same
whatever the number of its check-ins: a key result's k check-ins weigh 1/k each, so a
chatty owner does not dominate. Rules and worked examples: docs/course-correction.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .series import Floats, Ints

# Mean confidence this far above (below) the hit rate reads as optimism (sandbagging).
OPTIMISTIC_BIAS = 0.15
SANDBAGGING_BIAS = -0.15
# Fewer key results than this say nothing about a person or a team.
MIN_KEY_RESULTS = 3
# Reliability bins over confidence: [0, 0.2), [0.2, 0.4), ... [0.8, 1.0].
BIN_EDGES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)

OPTIMISTIC = "optimistic"
SANDBAGGING = "sandbagging"
CALIBRATED = "calibrated"
NOT_ENOUGH = "not enough data"


@dataclass(frozen=True)
class ReliabilityBin:
    """Check-ins whose confidence fell in [low, high): how many, and how often their
    key results hit (weighted per key result like everything else)."""

    low: float
    high: float
    checkins: int
    mean_confidence: float  # NaN when empty
    hit_rate: float  # NaN when empty


@dataclass(frozen=True)
class Calibration:
    checkins: int
    key_results: int
    brier: float  # mean over key results of mean (c - hit)^2 over its check-ins
    mean_confidence: float
    hit_rate: float  # share of key results that hit
    bias: float  # mean_confidence - hit_rate
    verdict: str  # optimistic | sandbagging | calibrated | not enough data
    reliability: tuple[ReliabilityBin, ...] = ()


def verdict(bias: float, key_results: int) -> str:
    if key_results < MIN_KEY_RESULTS or np.isnan(bias):
        return NOT_ENOUGH
    # A bias exactly on a line is calibrated, whatever binary fractions make of it.
    if bias > OPTIMISTIC_BIAS + 1e-9:
        return OPTIMISTIC
    if bias < SANDBAGGING_BIAS - 1e-9:
        return SANDBAGGING
    return CALIBRATED


def calibrate(
    confidence: npt.ArrayLike, hit: npt.ArrayLike, kr_ids: npt.ArrayLike, *, hit_at: float = 1.0
) -> Calibration:
    """Calibration of a set of check-ins (one person's, one team's, everyone's).

    `hit` is the outcome per check-in: its key result's final score (or 1/0), a hit
    when at least `hit_at`. Check-ins without a confidence (NaN) are left out.
    """
    size = np.asarray(confidence).shape[0]
    return calibrate_groups(confidence, hit, kr_ids, np.zeros(size), hit_at=hit_at).get(0, _empty())


def calibrate_groups(
    confidence: npt.ArrayLike,
    hit: npt.ArrayLike,
    kr_ids: npt.ArrayLike,
    group_ids: npt.ArrayLike,
    *,
    hit_at: float = 1.0,
) -> dict[int, Calibration]:
    """Calibration per group (owner, team, level...), given a group per check-in.

    A key result whose check-ins fall in two groups counts in both, each with its own
    check-ins. Groups without a usable check-in are absent from the result.
    """
    c = np.asarray(confidence, dtype=np.float64)
    outcome = (np.asarray(hit, dtype=np.float64) >= hit_at - 1e-9).astype(np.float64)
    kr = np.asarray(kr_ids, dtype=np.int64)
    group = np.asarray(group_ids, dtype=np.int64)
    keep = np.isfinite(c)
    c, outcome, kr, group = np.clip(c[keep], 0.0, 1.0), outcome[keep], kr[keep], group[keep]
    if c.size == 0:
        return {}
    # One unit per (group, key result): its check-ins weigh 1/k.
    pairs, unit = np.unique(np.stack([group, kr]), axis=1, return_inverse=True)
    unit = unit.reshape(-1)
    per_unit = np.bincount(unit).astype(np.float64)
    weight = 1.0 / per_unit[unit]
    groups, unit_group = np.unique(pairs[0], return_inverse=True)
    member = unit_group.reshape(-1)[unit]  # group position of every check-in
    g = groups.size
    krs = np.bincount(unit_group.reshape(-1), minlength=g).astype(np.float64)
    checkins = np.bincount(member, minlength=g)

    def mean(values: Floats) -> Floats:
        result: Floats = np.bincount(member, weights=weight * values, minlength=g) / krs
        return result

    brier, confident, hits = mean((c - outcome) ** 2), mean(c), mean(outcome)
    bins = _reliability(c, outcome, weight, member, g)
    return {
        int(groups[j]): Calibration(
            checkins=int(checkins[j]),
            key_results=int(krs[j]),
            brier=float(brier[j]),
            mean_confidence=float(confident[j]),
            hit_rate=float(hits[j]),
            bias=float(confident[j] - hits[j]),
            verdict=verdict(float(confident[j] - hits[j]), int(krs[j])),
            reliability=bins[j],
        )
        for j in range(g)
    }


def _reliability(
    c: Floats, outcome: Floats, weight: Floats, member: Ints, groups: int
) -> list[tuple[ReliabilityBin, ...]]:
    edges = np.asarray(BIN_EDGES)
    bins = edges.size - 1
    where = np.clip(np.searchsorted(edges, c, side="right") - 1, 0, bins - 1)
    cell = member * bins + where
    size = groups * bins
    count = np.bincount(cell, minlength=size).reshape(groups, bins)
    total = np.bincount(cell, weights=weight, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        confident = (np.bincount(cell, weights=weight * c, minlength=size) / total).reshape(
            groups, bins
        )
        hits = (np.bincount(cell, weights=weight * outcome, minlength=size) / total).reshape(
            groups, bins
        )
    return [
        tuple(
            ReliabilityBin(
                low=float(edges[b]),
                high=float(edges[b + 1]),
                checkins=int(count[j, b]),
                mean_confidence=float(confident[j, b]),
                hit_rate=float(hits[j, b]),
            )
            for b in range(bins)
        )
        for j in range(groups)
    ]


def _empty() -> Calibration:
    nan = float("nan")
    return Calibration(0, 0, nan, nan, nan, nan, NOT_ENOUGH, ())
