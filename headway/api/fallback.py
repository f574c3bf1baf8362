"""A problem+json 404 for paths under /api/v1/ that match no operation, so API
clients never receive the web app's HTML error page."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse


def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return JsonResponse(
        {
            "type": "https://headway.invalid/problems/not-found",
            "title": "Not found",
            "status": 404,
            "detail": f"No API operation at /api/v1/{path}; see /api/v1/docs for the list.",
            "errors": [],
            "current": None,
        },
        status=404,
        content_type="application/problem+json",
    )
