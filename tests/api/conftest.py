"""Helpers for the API tests: JSON requests and problem+json checks.

The personas come from tests/conftest.py: alice owns Acme, bob is a member in team
Platform, dave is a viewer, charlie owns Globex and is the outsider.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import World, api_client

API = "/api/v1"


def send(client: Client, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    """One JSON request to the API; `path` is relative to /api/v1."""
    call = getattr(client, method.lower())
    if body is None:
        return call(API + path, **extra)
    return call(API + path, body, content_type="application/json", **extra)


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem of this status (naming `field`), and return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "errors"}
    assert body["status"] == status
    assert body["detail"]
    if field is not None:
        assert field in fields(body), body
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {error["field"] for error in body["errors"]}


def unauthenticated(response: Any) -> None:
    problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def queries(client: Client, path: str) -> int:
    """How many queries one GET runs, after a warm-up request.

    The warm-up matters: the first request of a token also stamps its last use.
    """
    send(client, "get", path)
    with CaptureQueriesContext(connection) as context:
        response = send(client, "get", path)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


@pytest.fixture
def alice(world: World) -> Client:
    return api_client(world.alice)


@pytest.fixture
def bob(world: World) -> Client:
    return api_client(world.bob)


@pytest.fixture
def dave(world: World) -> Client:
    return api_client(world.dave)


@pytest.fixture
def charlie(world: World) -> Client:
    return api_client(world.charlie)


@pytest.fixture
def anonymous() -> Client:
    return Client(enforce_csrf_checks=True)
