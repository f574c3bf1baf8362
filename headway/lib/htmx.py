"""One view, two renderings: the whole page, or one named partial for HTMX."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `template`, or only `template#partial` when HTMX asked for it.

    Views build their context once and call this; none of them branches on
    HX-Request itself.
    """
    if partial and getattr(request, "htmx", False):
        template = f"{template}#{partial}"
    return render(request, template, context, status=status)
