"""Refuse request bodies Headway will not read, with a status and a sentence that say why.

Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE, or with too many fields, only
when a view first reads it, and then as a bare "Bad Request (400)". This middleware
answers before any view or middleware reads the body:

- 413 when the declared length is over the limit: DATA_UPLOAD_MAX_MEMORY_SIZE for
  ordinary bodies, UPLOAD_MAX_BYTES for file uploads (multipart/form-data);
- 400 when a form or JSON body is not valid UTF-8: Django would otherwise decode a form
  with replacement characters and store them in place of what the person typed;
- 413 / 400 for the same refusals raised later by Django while a view reads the body
  (a body sent without a length).

The API gets RFC 9457 problem+json like its other errors; pages get plain text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"
PROBLEM_TYPE = "https://headway.invalid/problems/"


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f}".removesuffix(".0") + " MB"


def _refusal(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        body = {
            "type": PROBLEM_TYPE + title.lower().replace(" ", "-"),
            "title": title,
            "status": status,
            "detail": detail,
            "errors": [],
            "current": None,
        }
        return HttpResponse(
            json.dumps(body), status=status, content_type="application/problem+json"
        )
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


def _limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return int(settings.UPLOAD_MAX_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def too_large(request: HttpRequest, size: int | None = None) -> HttpResponse:
    limit = _limit(request)
    what = "upload" if request.content_type == "multipart/form-data" else "request"
    sent = f" ({_megabytes(size)})" if size else ""
    # An upload's limit is the importer's (20 MB); the rest of UPLOAD_MAX_BYTES is the
    # multipart envelope, which the person did not choose.
    shown = f"{limit // 2**20} MB" if what == "upload" else _megabytes(limit)
    detail = f"The {what} is too large{sent}: the limit is {shown}. " + (
        "Split the file and import the parts one by one."
        if what == "upload"
        else "Send less at once."
    )
    return _refusal(request, 413, "Payload too large", detail)


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _too_many_fields() -> str:
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return f"The form has too many fields (the limit is {limit}); send fewer at once."


def _body_problem(request: HttpRequest) -> str | None:
    """Why Headway will not read this body, or None. Only forms and JSON are looked
    at (a form's fields are counted here, before the CSRF check parses it): an
    upload's bytes are the importer's to judge."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not _declared_length(request):
        return None
    if request.content_type == "application/x-www-form-urlencoded":
        if request.body.count(b"&") >= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:
            return _too_many_fields()
        data = unquote_to_bytes(request.body.replace(b"+", b" "))
    elif request.content_type == "application/json":
        data = request.body
    else:
        return None
    if _is_utf8(data):
        return None
    return "The request body is not valid UTF-8 text. Send it encoded as UTF-8."


class BodyLimitsMiddleware:
    """See the module's docstring. Sits before the CSRF middleware reads a form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length > _limit(request):
            return too_large(request, length)
        problem = _body_problem(request)
        if problem:
            return _refusal(request, 400, "Bad request", problem)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return too_large(request)
        if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
            return _refusal(request, 400, "Bad request", _too_many_fields())
        return None
