"""Alignment pieces shared by several pages: the line of sight of an objective."""

from __future__ import annotations

from typing import Any

from django import template

from headway.goals.selectors_alignment import line_of_sight

register = template.Library()


@register.inclusion_tag("alignment/_line_of_sight.html", takes_context=True)
def line_of_sight_section(context: template.Context, objective: Any) -> dict[str, Any]:
    """`{% line_of_sight_section objective %}`: every chain from the objective up to
    strategy (a fixed number of queries, whatever the depth)."""
    member = context["member"]
    return {
        "chains": line_of_sight(member, objective),
        "objective": objective,
        "organisation": member.organisation,
        "member": member,
        "can_edit": context.get("can_edit", False),
    }
