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
    HX-Request itself. A history-restore request (back button after a cache miss)
    gets the whole page.
    """
    htmx = getattr(request, "htmx", None)
    # htmx restoring a page from history after a cache miss needs the whole page.
    if partial and htmx and not htmx.history_restore_request:
        template = f"{template}#{partial}"
    return render(request, template, context, status=status)
