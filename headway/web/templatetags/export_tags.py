"""`{% export_links "objectives" "Objectives" team_id=team.pk cycle_id=cycle.pk %}`: a
list's CSV and Excel download links, with the filters the page shows."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


@register.inclusion_tag("components/export_links.html", takes_context=True)
def export_links(context: Any, name: str, label: str = "", **filters: Any) -> dict[str, Any]:
    organisation = context["organisation"]
    query = urlencode({k: v for k, v in filters.items() if v not in (None, "")})
    links = [
        (text, reverse("export-list", args=[organisation.slug, name, file_format]))
        for text, file_format in (("CSV", "csv"), ("Excel", "xlsx"))
    ]
    return {
        "label": label,
        "links": [(text, f"{url}?{query}" if query else url) for text, url in links],
    }
