"""The OpenAPI document: valid, and honest about every status an operation can answer.

These tests walk the whole document, so an operation added later without its
declared errors fails here rather than in a client.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from headway.api.router import api
from tests.conftest import World

from .conftest import API, problem, send

WRITES = {"post", "put", "patch", "delete"}
READS = {"get", "head", "options"}
PROBLEM = "application/problem+json"
# Operations meant for people without an account: the purpose survey's public link.
PUBLIC = {("post", f"{API}/public/surveys/{{token}}/answers")}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert found, "the document lists no operations"
    return found


def test_it_serves_a_valid_openapi_31_document_without_auth(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Headway API"
    assert document["paths"]
    assert {"TokenAuth", "SessionAuth"} <= set(document["components"]["securitySchemes"])


def test_it_documents_every_operation_the_api_routes(document: dict[str, Any]) -> None:
    routed = {
        (method.lower(), f"{API}{prefix}{path}".replace("//", "/"))
        for prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    documented = {(method, path) for method, path, _ in operations(document)}
    assert routed == documented


def test_it_declares_401_and_422_on_every_operation(document: dict[str, Any]) -> None:
    missing = [
        f"{method.upper()} {path} lacks {code}"
        for method, path, operation in operations(document)
        for code in (("429", "422") if (method, path) in PUBLIC else ("401", "422"))
        if code not in operation["responses"]
    ]
    assert not missing


def test_it_declares_403_404_and_409_on_every_write(document: dict[str, Any]) -> None:
    missing = [
        f"{method.upper()} {path} lacks {code}"
        for method, path, operation in operations(document)
        if method in WRITES
        for code in (("404", "409") if (method, path) in PUBLIC else ("403", "404", "409"))
        if code not in operation["responses"]
    ]
    assert not missing


def test_it_declares_400_on_every_operation_with_a_body(document: dict[str, Any]) -> None:
    missing = [
        f"{method.upper()} {path}"
        for method, path, operation in operations(document)
        if "requestBody" in operation and "400" not in operation["responses"]
    ]
    assert not missing


def test_it_declares_errors_as_problem_json(document: dict[str, Any]) -> None:
    wrong = []
    for method, path, operation in operations(document):
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            content = response.get("content", {})
            schema = content.get(PROBLEM, {}).get("schema", {})
            if list(content) != [PROBLEM] or schema.get("$ref") != "#/components/schemas/Problem":
                wrong.append(f"{method.upper()} {path} {code}: {sorted(content)}")
    assert not wrong
    problem_schema = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem_schema["required"])


def test_it_requires_auth_on_every_operation(document: dict[str, Any]) -> None:
    open_operations = [
        f"{method.upper()} {path}"
        for method, path, operation in operations(document)
        if {next(iter(s)) for s in operation.get("security", [])} != {"TokenAuth", "SessionAuth"}
        and (method, path) not in PUBLIC
    ]
    assert not open_operations
    public = {(m, p) for m, p, operation in operations(document) if not operation.get("security")}
    assert public == PUBLIC


def test_it_gives_every_operation_a_summary_and_a_unique_id(document: dict[str, Any]) -> None:
    ops = operations(document)
    assert all(operation.get("summary") for _, _, operation in ops)
    ids = [operation["operationId"] for _, _, operation in ops]
    assert len(ids) == len(set(ids))


def test_every_schema_has_a_name_of_its_own() -> None:
    """The document names each schema by its class: two classes of one name would share
    one entry, and an operation would document the other one's fields."""
    import inspect
    import pkgutil
    from importlib import import_module

    from ninja import Schema

    import headway.api

    owners: dict[str, set[str]] = {}
    for module_info in pkgutil.iter_modules(headway.api.__path__):
        module = import_module(f"headway.api.{module_info.name}")
        for name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Schema) and value.__module__ == module.__name__:
                owners.setdefault(name, set()).add(module.__name__)
    assert {name: found for name, found in owners.items() if len(found) > 1} == {}


def test_it_documents_paged_lists_with_items_and_count(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for method, path, operation in operations(document):
        if (
            method != "get"
            or "{" in path.rsplit("/", 1)[-1]
            or path.endswith(("/me", "/organisation", "/me/notifications"))
            # One report, and a tree paged level by level (each level has items and count).
            or path.endswith(("/alignment/health", "/alignment/tree"))
            # One key result's pace and forecast.
            or path.endswith("/forecast")
            # One report: a closed cycle's calibration as the caller may see it.
            or path.endswith("/calibration")
            # One record: an organisation's or a team's discovery record.
            or path.endswith("/discovery")
            # One report each: a survey's analysis, and two surveys' analyses compared.
            or path.endswith(("/analysis", "/comparison"))
            # One report each: adoption in a cycle (a team's too), and its trend.
            or path.endswith(("/adoption", "/adoption/trend"))
            # One report: a rollout phase's readiness; a short ranked list (five at most).
            or path.endswith(("/readiness", "/pilot-suggestions"))
            # One document: a leader's brief, as JSON, PDF or Markdown.
            or path.endswith(("/rollout/brief", "/rollout/brief.pdf", "/rollout/brief.md"))
            # One file: the whole organisation as JSON (the lists' exports are files too).
            or path.endswith("/exports/organisation.json")
        ):
            continue
        names = {p["name"] for p in operation["parameters"]}
        assert {"page", "page_size"} <= names, path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        paged = schemas[ref.rsplit("/", 1)[-1]]
        assert set(paged["properties"]) == {"items", "count"}, path


def test_it_sends_errors_as_problem_json_with_the_documented_fields(
    world: World, charlie: Client
) -> None:
    response = send(charlie, "get", f"/teams/{world.platform.pk}")
    body = problem(response, 404)
    assert body["type"].endswith("/not-found")
    assert body["title"] == "Not found"
    assert body["errors"] == []
