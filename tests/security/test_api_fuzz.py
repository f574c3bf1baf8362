"""API fuzzing (issue 12, point 2): every operation of /api/v1/openapi.json, called as
Acme's owner with requests that schemathesis generates from the document itself.

Per operation: schemathesis's explicit examples, its coverage phase (boundary values,
missing and wrongly typed fields, every enum value) and EXAMPLES_PER_OPERATION
Hypothesis examples, valid and invalid. Every response must not be a 5xx, must have
a documented status code and content type, and its body must match the documented
schema. Ids in paths, queries and bodies are steered to real rows of Acme and Globex
(fuzz_world.py), so the services behind the lookups run, not only their 404 branch.

Each request runs in a savepoint that is rolled back: every example meets the same
organisation, so a run is reproducible (a fixed seed, derandomized Hypothesis) and a
DELETE of a real row does not leave the next example with nothing to find.

The requests actually sent are counted in schemathesis's `after_call` hook; when the
whole module ran, its teardown asserts there were at least MINIMUM_REQUESTS and prints
the figures (docs/reliability.md quotes them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .fuzz_world import FuzzWorld, build_fuzz_world, steer

API = "/api/v1"
# Hypothesis examples per operation, on top of the explicit examples and coverage
# (5 keeps a run over 2,000 requests and CI within its 15 minutes; 12 sent 3,480).
EXAMPLES_PER_OPERATION = 5
# The floor for one run over all operations.
MINIMUM_REQUESTS = 2000

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 12,
        "generation": {"deterministic": True, "max-examples": EXAMPLES_PER_OPERATION},
        "phases": {
            # Sequences of calls are the concurrency suite's subject, not this one's.
            "stateful": {"enabled": False},
            # Methods no route has are answered by the URL router (405) before any
            # Headway code runs; sending each of them to every path only costs time.
            # Invalid inputs come from the fuzzing phase (about half its examples):
            # the coverage phase's systematic negative cases (4,217 requests) would
            # double the run for 422s that pydantic answers alike for every field.
            "coverage": {"unexpected-methods": [], "generation": {"mode": "positive"}},
        },
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    }
)
schema = schemathesis.openapi.from_wsgi(
    f"{API}/openapi.json", get_wsgi_application(), config=CONFIG
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS = sum(1 for result in schema.get_all_operations() if result.ok())

sent: Counter[str] = Counter()
statuses: Counter[str] = Counter()
phases: Counter[str] = Counter()
finished: set[str] = set()
world: FuzzWorld | None = None


@schema.hook("after_call")
def count(context: schemathesis.HookContext, case: schemathesis.Case, response: Any) -> None:
    sent[case.operation.label] += 1
    statuses[f"{response.status_code // 100}xx"] += 1
    if case.meta is not None:
        phases[f"{case.meta.phase.name.value}/{case.meta.generation.mode.value}"] += 1


def _real_values() -> dict[str, list[Any]]:
    # Explicit examples are drawn while collecting, before any row exists: they stay as
    # the document gives them.
    return world.values if world is not None else {}


@schema.hook("flatmap_path_parameters")
def real_path_ids(context: schemathesis.HookContext, path_parameters: dict[str, Any]) -> Any:
    route = context.operation.path.removeprefix(API)  # type: ignore[union-attr]
    return steer(_real_values(), path_parameters, route)


@schema.hook("flatmap_query")
def real_query_ids(context: schemathesis.HookContext, query: dict[str, Any]) -> Any:
    return steer(_real_values(), query)


@schema.hook("flatmap_body")
def real_body_ids(context: schemathesis.HookContext, body: Any) -> Any:
    return steer(_real_values(), body)


@pytest.fixture(scope="module")
def fuzz_world(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[FuzzWorld]:
    """Built once inside a transaction rolled back at the end of the module."""
    global world
    # The WSGI handler closes the database connection after each request, which would
    # end the test's transaction; Django's test client detaches the same receivers.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            world = build_fuzz_world()
            yield world
            world = None
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    if len(finished) == OPERATIONS:
        _report_and_check(request)


def _report_and_check(request: pytest.FixtureRequest) -> None:
    total = sum(sent.values())
    plugins = request.config.pluginmanager
    terminal, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if terminal is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            terminal.write_line(
                f"\nAPI fuzzing: {OPERATIONS} operations, {total} requests; "
                f"by status {dict(statuses)}; by phase {dict(phases)}"
            )
    assert total >= MINIMUM_REQUESTS, f"only {total} requests were sent"


# One persona, the owner, who may call every operation. Naming it as a pytest parameter
# also gives each operation's test a node id of its own ("...[GET /api/v1/me][owner]"):
# under pytest 9.2, schemathesis 4.32's items otherwise share one node id, and
# pytest-xdist, which schedules by node id, would run one operation of 135.
@pytest.mark.parametrize("persona", ["owner"])
@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case, fuzz_world: FuzzWorld, persona: str
) -> None:
    auth = {"Authorization": f"Bearer {fuzz_world.tokens[persona]}"}
    with transaction.atomic():
        response = case.call(headers=auth)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS, headers=auth)
    finished.add(case.operation.label)
