"""Template filters for the rollout pages: criteria and expected time in words."""

from __future__ import annotations

from typing import Any

from django import template

from headway.insights.metrics.adoption import percent
from headway.rollout.models import SHARE_METRICS, Metric
from headway.rollout.rules import weeks_in_words
from headway.rollout.selectors import metric_label, reason_detail

register = template.Library()


@register.filter
def expected_time(weeks: int) -> str:
    """13 → "13 weeks (one quarter)"."""
    return weeks_in_words(int(weeks))


@register.filter
def metric_name(metric: str) -> str:
    return metric_label(metric)


@register.filter
def target(criterion: Any) -> str:
    """A criterion's target as people read it: "at least 80%", "at least 1", "calibrated"."""
    if criterion.metric == Metric.CALIBRATION:
        return "calibrated at the close"
    if criterion.metric in SHARE_METRICS:
        return f"at least {percent(criterion.threshold)}"
    return f"at least {criterion.threshold:g}"


@register.filter
def verdict(met: bool | None) -> str:
    """A criterion's state: met, not met yet, or not enough data (never a pass)."""
    return "Met" if met is True else "Not met yet" if met is False else "Not enough data"


@register.filter
def verdict_class(met: bool | None) -> str:
    return "met" if met is True else "unmet" if met is False else "unknown"


@register.filter
def detail(status: Any) -> str:
    """A criterion's reason, without "not enough data: " where the badge says it."""
    return reason_detail(status)
