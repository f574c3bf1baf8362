"""Template filters for goals pages: values with their unit, progress as a percentage."""

from __future__ import annotations

import math
from typing import Any

from django import template

from headway.lib.charts import format_number, format_value

register = template.Library()


def _half_up(number: float) -> int:
    """62.5 -> 63, as people round (Python's round() would give 62)."""
    return math.floor(number + 0.5)


@register.filter
def measure(value: float | None, key_result: Any) -> str:
    """A key result's value as people read it: `{{ kr.current_value|measure:kr }}`."""
    return format_value(
        value, kind=key_result.kind, fmt=key_result.format, unit=key_result.unit or ""
    )


@register.filter
def percent(progress: float | None) -> str:
    """Stored progress (0..1) as '62%'; '—' before anything was measured."""
    if progress is None:
        return "—"
    return f"{_half_up(progress * 100)}%"


@register.filter
def percent_value(progress: float | None) -> int:
    """Stored progress (0..1) as a whole number for <progress value=…>."""
    return 0 if progress is None else _half_up(min(1.0, max(0.0, progress)) * 100)


@register.filter
def confidence_band(confidence: int | None, scale: int) -> str:
    """'low', 'mid' or 'high' for a confidence on the organisation's scale; '' if none."""
    if confidence is None or not scale:
        return ""
    share = confidence / scale
    return "low" if share < 0.4 else "mid" if share < 0.7 else "high"


def _plain(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


@register.filter
def activity_changes(changes: dict[str, Any] | None) -> str:
    """What an activity event changed, in a few words: 'value 3 → 5, confidence 7'."""
    if not changes:
        return ""
    parts = []
    for field, pair in changes.items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        label = field.replace("_id", "").replace("_", " ")
        if field in ("value", "confidence", "parent", "kind", "status", "weight"):
            if before is None:
                parts.append(f"{label} {_plain(after)}")
            elif after is None:
                parts.append(f"{label} {_plain(before)} removed")
            else:
                parts.append(f"{label} {_plain(before)} → {_plain(after)}")
        else:
            parts.append(label)
    return ", ".join(parts)
