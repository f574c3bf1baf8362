"""Errors as RFC 9457 problem details, mapped once for every endpoint."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from headway.lib.errors import Conflict

from .parser import NulInText

PROBLEM_TYPE = "https://headway.invalid/problems/"


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []
    current: dict[str, Any] | None = None


TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    410: "Gone",
    413: "Content too large",
    422: "Invalid input",
    429: "Too many requests",
}


def problem(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    current: Any = None,
) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE + TITLES.get(status, "error").lower().replace(" ", "-"),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": errors or [],
        "current": current,
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


def _django_errors(error: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            {"field": field if field != "__all__" else "", "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in error.messages]


_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")
# Names ninja gives whole-schema parameters: the body, the pagination input.
_CONTAINERS = ("payload", "filters", "pagination")


def _location(loc: list[Any]) -> str:
    """`["body", "payload", "email"]` → `"email"`; `["query", "page"]` → `"page"`."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in _CONTAINERS:
        parts = parts[1:]
    if parts == ["payload"]:  # the body as a whole, e.g. missing
        parts = []
    return ".".join(str(p) for p in parts)


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare error responses with the media type they are sent with.

    ninja documents every response as application/json; errors are sent as
    application/problem+json, and clients and schema checkers compare the two.
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    response["content"] = {"application/problem+json": content["application/json"]}
    return schema


def install(api: NinjaAPI) -> None:
    """Register the one set of handlers; endpoints never build error responses."""

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {"field": _location(list(e.get("loc", []))), "message": e.get("msg", "invalid")}
            for e in exc.errors
        ]
        return problem(api, request, 422, "The request has invalid fields; see errors.", errors)

    @api.exception_handler(DjangoValidationError)
    def invalid_input(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = _django_errors(exc)
        detail = (
            errors[0]["message"]
            if len(errors) == 1
            else "The request has invalid fields; see errors."
        )
        return problem(api, request, 422, detail, errors)

    @api.exception_handler(Conflict)
    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
        return problem(api, request, 409, exc.message, errors, exc.current)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem(api, request, 403, str(exc) or "You are not allowed to do that.")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, 404, str(exc) or "Not found.")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(
            api, request, 401, "Send a valid API token as 'Authorization: Bearer …', or log in."
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return problem(api, request, 413, f"The request body is larger than {limit} KiB.")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja answers 400 for anything its parser raises; a NUL in a text is a field's
        # fault, said as such.
        if isinstance(exc.__cause__, NulInText):
            field = exc.__cause__.field
            message = str(exc.__cause__)
            return problem(api, request, 422, message, [{"field": field, "message": message}])
        return problem(api, request, exc.status_code, str(exc))
