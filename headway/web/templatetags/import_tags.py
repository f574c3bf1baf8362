"""Filters of the import pages."""

from __future__ import annotations

from django import template

register = template.Library()

COUNT_LABELS = {
    "objectives": "Objectives",
    "key_results": "Key results",
    "checkins": "Check-ins",
    "links": "Alignment links",
}


@register.filter
def thousands(value: object) -> str:
    """12345 → 12,345 (the import pages' counts)."""
    try:
        return f"{int(str(value)):,}"
    except ValueError:
        return str(value)


@register.filter
def count_label(name: str) -> str:
    """A count's name in a preview or a result: key_results → Key results."""
    return COUNT_LABELS.get(name, name.replace("_", " ").capitalize())
