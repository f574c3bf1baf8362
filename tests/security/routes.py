"""Every web route from the URL configuration and every API operation from the
OpenAPI schema, with the URL filled from the matrix's objects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Web routes the matrix does not cover, each with its reason.
SKIPPED_PREFIXES = {
    "admin/": "Django's operators' admin: staff only, its own permission system.",
    "api/v1/": "the API is enumerated from its OpenAPI schema instead (api-root, docs, "
    "openapi.json are public on purpose; the fallback answers unknown paths).",
}

API = "/api/v1"
WRITE_METHODS = {"post", "put", "patch", "delete"}
# Kwargs whose object exists public and private: routes naming one run twice.
VISIBLE = ("objective_id", "key_result_id", "flag_id")


@dataclass(frozen=True)
class Route:
    key: str  # the web route's name, or "METHOD /api/path"
    kind: str  # "web" or "api"
    template: str  # Django route or OpenAPI path
    params: tuple[str, ...]
    method: str = "get"

    @property
    def has_visibility(self) -> bool:
        return any(p in VISIBLE for p in self.params)


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def web_routes() -> list[Route]:
    found = []
    for route, pattern in _walk(get_resolver()):
        if any(route.startswith(p) or route.startswith("^" + p) for p in SKIPPED_PREFIXES):
            continue
        assert pattern.name, f"the web route {route!r} has no name"
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
        found.append(Route(pattern.name, "web", route, params))
    return found


def api_routes(schema: dict[str, Any]) -> list[Route]:
    found = []
    for path, operations in schema["paths"].items():
        relative = path.removeprefix(API)
        params = tuple(re.findall(r"{(\w+)}", path))
        for method in operations:
            found.append(Route(f"{method.upper()} {relative}", "api", relative, params, method))
    return found


def fill(route: Route, ids: dict[str, Any], private: dict[str, Any] | None) -> str:
    """The URL of this route for the matrix's objects; `private` swaps in the private
    objective, key result and flag."""
    values = {}
    for param in route.params:
        specific = f"{param}:{route.key if route.kind == 'web' else route.template}"
        if private and param in private:
            values[param] = private[param]
        elif specific in ids:
            values[param] = ids[specific]
        elif param in ids:
            values[param] = ids[param]
        else:
            raise AssertionError(f"{route.key}: no filler for the URL parameter {param!r}")
    if route.kind == "web":
        return reverse(route.key, kwargs=values)
    return API + route.template.format(**values)


def send(client: Client, route: Route, url: str, body: Any = None) -> Any:
    call = getattr(client, route.method)
    if route.kind == "web":
        return call(url) if body is None else call(url, body)
    if route.method in WRITE_METHODS and route.method != "delete":
        return call(url, body or {}, content_type="application/json")
    return call(url)
