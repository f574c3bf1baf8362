"""Course correction on pages it does not own: the pace status of the key results a
page lists, and a team's count of open flags.

Each tag reads once per page, whatever the number of key results:
`{% objective_paces objectives as paces %}` then `{{ paces|pace_of:kr }}` per row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django import template

from headway.goals.models import KeyResult
from headway.insights.metrics.forecast import Forecast
from headway.insights.selectors import KeyResultInsight, key_result_insights
from headway.insights.selectors_attention import open_flag_count, team_ids_below
from headway.lib.charts import CURRENCY_SYMBOLS, format_value

register = template.Library()


def _paces(context: template.Context, ids: set[int]) -> dict[int, KeyResultInsight]:
    member = context.get("member")
    if member is None or not ids:
        return {}
    return key_result_insights(member.organisation, KeyResult.objects.filter(pk__in=ids))


@register.simple_tag(takes_context=True)
def objective_paces(context: template.Context, objectives: Iterable[Any]) -> dict[int, Any]:
    """Pace, status and forecast of every key result of these objectives (their
    `key_results` prefetched), in one insights call."""
    ids = {kr.pk for objective in objectives for kr in objective.key_results.all()}
    return _paces(context, ids)


@register.simple_tag(takes_context=True)
def key_result_paces(context: template.Context, items: Any) -> dict[int, Any]:
    """The same for key results, or rows that carry one as `.key_result` (the check-in
    screen's), or a single row."""
    if hasattr(items, "key_result"):
        items = [items]
    ids = {getattr(item, "key_result", item).pk for item in items}
    return _paces(context, ids)


@register.filter
def pace_of(paces: dict[int, Any] | None, key_result: Any) -> Any:
    """`{{ paces|pace_of:kr }}`: the key result's KeyResultInsight, or None."""
    if not paces or key_result is None:
        return None
    return paces.get(key_result.pk)


@register.simple_tag(takes_context=True)
def attention_count(context: template.Context, team: Any) -> int:
    """Open flags the member can see on the team's objectives and its sub-teams'."""
    member = context.get("member")
    if member is None:
        return 0
    return open_flag_count(member, team_ids=team_ids_below(team))


# --- the forecast in words ---------------------------------------------------------------


def _decimals(key_result: Any) -> int:
    """Decimals worth showing for a forecast: about two significant digits of the
    distance from start to target (0 for 0 → 100, 1 for 2 → 10)."""
    start, target = key_result.start_value, key_result.target_value
    span = abs(target - (start or 0)) if target is not None else 0
    span = span or abs(target or 0) or 1.0
    return max(0, 1 - math.floor(math.log10(span)))


def _value(value: float | None, key_result: Any, digits: int, bare: bool = False) -> str:
    """A forecast number in the key result's format; `bare` drops a word unit
    ("deploys") but keeps a sign that is part of the number (%, €)."""
    unit = key_result.unit or ""
    sign = key_result.format == "percent" or (
        key_result.format == "currency" and unit.strip() in CURRENCY_SYMBOLS
    )
    rounded = None if value is None else round(value, digits)
    return format_value(
        rounded,
        kind=key_result.kind,
        fmt=key_result.format,
        unit=unit if sign or not bare else "",
    )


def _chance(probability: float | None) -> str:
    if probability is None:
        return "?"
    if probability < 0.005:
        return "under 1%"
    if probability > 0.995:
        return "over 99%"
    return f"{math.floor(probability * 100 + 0.5)}%"


def _goal(key_result: Any) -> str:
    target = format_value(
        key_result.target_value,
        kind=key_result.kind,
        fmt=key_result.format,
        unit=key_result.unit or "",
    )
    if key_result.kind == "maintain":
        side = "at or above" if key_result.direction == "above" else "at or below"
        return f"staying {side} {target}"
    return f"reaching {target}"


@register.filter
def forecast_sentence(forecast: Forecast | None, key_result: Any) -> str:
    """`{{ insight.forecast|forecast_sentence:kr }}`: "Forecast 71 (80%: 64 to 78), 23%
    chance of reaching 90", or why there is no forecast."""
    if forecast is None:
        return ""
    digits = _decimals(key_result)
    if forecast.enough:
        value = _value(forecast.value, key_result, digits)
        low = _value(forecast.low, key_result, digits, bare=True)
        high = _value(forecast.high, key_result, digits, bare=True)
        level = f"{round(forecast.level * 100)}%"
        chance = _chance(forecast.probability)
        return f"Forecast {value} ({level}: {low}–{high}), {chance} chance of {_goal(key_result)}"
    if forecast.value is not None:
        outcome = "reached" if (forecast.probability or 0) >= 1 else "missed"
        value = _value(forecast.value, key_result, digits)
        return f"The cycle ended at {value}: the target was {outcome}"
    reason = forecast.reason
    return reason[:1].upper() + reason[1:]
