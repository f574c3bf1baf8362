"""The authorization matrix (issue 12, point 1): every web route of the URL
configuration and every operation of /api/v1/openapi.json, for every persona, public
and private objects. A route without a rule fails `test_every_route_has_a_rule`.

Outcomes: a status code; LOGIN is a 302 to the login page; OK (API only) is an
authorised answer: 2xx, or 409/422 when the empty body or the fixture's state is
refused after the permission check. None: not checked for this persona (an
authorised write; the matrix only sends empty bodies, see docs/reliability.md).
Personas: anonymous, outsider (charlie, Globex), viewer (dave), other_member (frank,
team Design), member (bob, team Platform, which owns the objects), admin (erin), owner
(alice). For the API the outsider's token belongs to Globex: collection operations
answer about Globex (OK), Acme's objects are 404.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client

from .conftest import PERSONAS, Matrix
from .routes import Route, api_routes, fill, send, web_routes

LOGIN, OK = "login", "ok"
_: Any = None

# Web rules: (GET outcomes, POST outcomes for the personas that must be refused).
# For private objects, a rule's "private" variant applies (private objectives are a
# 404 to everyone but their team, their owner and admins).
Row = tuple[Any, ...]
WEB_RULES: dict[str, dict[str, Row]] = {
    "public link (no login: password reset, invitations, surveys, unsubscribe)": {
        "get": (200, 200, 200, 200, 200, 200, 200),
    },
    "login page": {"get": (200, 302, 302, 302, 302, 302, 302)},
    "home (sends members to their organisation)": {"get": (LOGIN, 302, 302, 302, 302, 302, 302)},
    "own account (any logged-in user)": {
        "get": (LOGIN, 200, 200, 200, 200, 200, 200),
        "post": (LOGIN, _, _, _, _, _, _),
    },
    "logout (POST only)": {"get": (405, 405, 405, 405, 405, 405, 405)},
    "member read": {
        "get": (LOGIN, 404, 200, 200, 200, 200, 200),
        "post": (LOGIN, 404, _, _, _, _, _),
    },
    "member read, visibility": {
        "get": (LOGIN, 404, 200, 200, 200, 200, 200),
        "private": (LOGIN, 404, 404, 404, 200, 200, 200),
        "post": (LOGIN, 404, _, _, _, _, _),
    },
    "member read, admin write": {
        "get": (LOGIN, 404, 200, 200, 200, 200, 200),
        "post": (LOGIN, 404, 403, 403, 403, _, _),
    },
    "member read, GET only": {"get": (LOGIN, 404, 200, 200, 200, 200, 200)},
    "member read of a closed cycle (the fixture's runs: 409)": {
        "get": (LOGIN, 404, 409, 409, 409, 409, 409),
    },
    "member tool (POST only, writes nothing)": {
        "get": (LOGIN, 404, 405, 405, 405, 405, 405),
        "post": (LOGIN, 404, _, _, _, _, _),
    },
    "creator page (members and admins, not viewers)": {
        "get": (LOGIN, 404, 403, 200, 200, 200, 200),
        "post": (LOGIN, 404, 403, _, _, _, _),
    },
    "editor page (the owning team, admins)": {
        "get": (LOGIN, 404, 403, 403, 200, 200, 200),
        "private": (LOGIN, 404, 404, 404, 200, 200, 200),
        "post": (LOGIN, 404, 403, 403, _, _, _),
        "private_post": (LOGIN, 404, 404, 404, _, _, _),
    },
    "editor write (POST only)": {
        "get": (LOGIN, 404, 405, 405, 405, 405, 405),
        "post": (LOGIN, 404, 403, 403, _, _, _),
        "private_post": (LOGIN, 404, 404, 404, _, _, _),
    },
    "team member write (POST only; not viewers)": {
        "get": (LOGIN, 404, 405, 405, 405, 405, 405),
        "post": (LOGIN, 404, 403, _, _, _, _),
    },
    "admin page": {
        "get": (LOGIN, 404, 403, 403, 403, 200, 200),
        "post": (LOGIN, 404, 403, 403, 403, _, _),
    },
    "admin page, GET only (method checked before login)": {
        "get": (LOGIN, 404, 403, 403, 403, 200, 200),
        "post": (405, 405, 405, 405, 405, _, _),
    },
    "admin write (POST only)": {
        "get": (LOGIN, 404, 403, 403, 403, 405, 405),
        "post": (LOGIN, 404, 403, 403, 403, _, _),
    },
    "admin write (POST only, method checked before login)": {
        "get": (405, 405, 405, 405, 405, 405, 405),
        "post": (LOGIN, 404, 403, 403, 403, _, _),
    },
    "admin write (POST only, team leads too)": {
        "get": (LOGIN, 404, 405, 405, 405, 405, 405),
        "post": (LOGIN, 404, 403, 403, 403, _, _),
    },
    "own token (POST only)": {
        "get": (LOGIN, 404, 405, 405, 405, 405, 405),
        "post": (LOGIN, 404, 404, 404, 404, 404, _),
    },
}

WEB: dict[str, str] = {
    **dict.fromkeys(
        ["password_reset", "password_reset_done", "password_reset_confirm",
         "password_reset_complete", "invitation-accept", "survey-answer",
         "notify-unsubscribe"],
        "public link (no login: password reset, invitations, surveys, unsubscribe)",
    ),
    "login": "login page",
    "home": "home (sends members to their organisation)",
    "logout": "logout (POST only)",
    **dict.fromkeys(
        ["password_change", "password_change_done", "switch"], "own account (any logged-in user)"
    ),
    **dict.fromkeys(
        ["org-home", "people", "tokens", "team-detail", "team-children", "checkin",
         "team-checkin", "alignment-map", "alignment-health", "alignment-health-wording",
         "coach-summary", "learning-log", "learning-team", "cycle-close", "attention",
         "team-attention", "surveys", "survey-detail", "rollout", "rollout-plan",
         "rollout-brief", "rollout-brief-pdf", "rollout-brief-md", "adoption",
         "notify-settings", "export-list", "import-template"],
        "member read",
    ),
    **dict.fromkeys(
        ["objective-detail", "alignment-children", "coach-objective"], "member read, visibility"
    ),
    **dict.fromkeys(
        ["team-tree", "cycles", "strategy", "team-chat-channels", "discovery",
         "team-discovery"],
        "member read, admin write",
    ),
    "cycle-confidence": "member read of a closed cycle (the fixture's runs: 409)",
    "coach-hints": "member tool (POST only, writes nothing)",
    "objective-new": "creator page (members and admins, not viewers)",
    **dict.fromkeys(
        ["objective-edit", "objective-delete", "key-result-new", "key-result-edit",
         "key-result-delete", "initiative-new", "initiative-edit", "initiative-delete",
         "alignment-new", "alignment-delete", "pivot-new", "target-change",
         "objective-carry-over"],
        "editor page (the owning team, admins)",
    ),
    **dict.fromkeys(
        ["key-result-score", "objective-score", "objective-retrospective",
         "attention-checkin"],
        "editor write (POST only)",
    ),
    "team-attention-refresh": "team member write (POST only; not viewers)",
    **dict.fromkeys(
        ["org-settings", "team-delete", "cycle-edit", "cycle-close-confirm", "survey-new",
         "survey-edit", "rollout-plan-new",
         "rollout-plan-edit", "rollout-phase-new", "rollout-phase-edit", "webhooks",
         "webhook-detail", "webhook-edit", "webhook-delete", "import-viva-mapping",
         "export-organisation", "import", "import-job", "import-errors"],
        "admin page",
    ),
    **dict.fromkeys(
        ["invitation-create", "invitation-revoke", "member-role", "member-remove",
         "team-edit", "team-move", "team-member-add", "team-member-remove", "cycle-year",
         "cycle-delete", "theme-archive", "cycle-reopen", "attention-refresh",
         "webhook-secret", "webhook-enable", "webhook-test", "webhook-redeliver",
         "import-confirm", "import-cancel"],
        "admin write (POST only)",
    ),
    **dict.fromkeys(
        ["survey-close", "survey-link", "survey-analyse", "rollout-plan-delete",
         "rollout-phase-delete", "rollout-phase-move"],
        "admin write (POST only, method checked before login)",
    ),
    **dict.fromkeys(
        ["discovery-followup", "discovery-leader-add", "discovery-leader-remove",
         "team-discovery-followup", "team-discovery-leader-add",
         "team-chat-channel-toggle", "team-chat-channel-delete", "team-chat-channel-test"],
        "admin write (POST only, team leads too)",
    ),
    "token-revoke": "own token (POST only)",
    **dict.fromkeys(
        ["survey-report", "survey-csv", "survey-compare"],
        "admin page, GET only (method checked before login)",
    ),
}  # fmt: skip

# API rules: one row per operation (writes are sent with an empty JSON body, or with
# BODIES below).
API_RULES: dict[str, dict[str, Row]] = {
    "public survey answer (no token needed; empty body: 422)": {
        "any": (422, 422, 422, 422, 422, 422, 422),
    },
    "api member read": {"any": (401, OK, 200, 200, 200, 200, 200)},
    "api member object": {
        "any": (401, 404, 200, 200, 200, 200, 200),
        "private": (401, 404, 404, 404, 200, 200, 200),
    },
    "api member object of a closed cycle (the fixture's runs: 409)": {
        "any": (401, 404, 409, 409, 409, 409, 409),
    },
    "api editor write (the owning team, admins)": {
        "any": (401, 404, 403, 403, OK, OK, OK),
        "private": (401, 404, 404, 404, OK, OK, OK),
    },
    "api admin": {"any": (401, OK, 403, 403, 403, OK, OK)},
    "api admin object": {"any": (401, 404, 403, 403, 403, OK, OK)},
    "api admin, plan parts checked first": {"any": (401, OK, 403, 403, 403, OK, OK)},
    "api write, body checked before the permission (empty body: 422)": {
        "any": (401, OK, OK, OK, OK, OK, OK),
    },
}

API: dict[str, str] = {
    "POST /public/surveys/{token}/answers": "public survey answer (no token needed; empty body: 422)",
    **dict.fromkeys(
        ["GET /me", "GET /organisation", "GET /members", "GET /invitations", "GET /teams",
         "GET /cycles", "GET /themes", "GET /objectives", "GET /key-results",
         "GET /initiatives", "GET /alignment-links", "GET /learning", "GET /flags",
         "GET /discovery", "GET /surveys", "GET /rollout/plans",
         "GET /rollout/pilot-suggestions", "GET /me/notifications",
         "PUT /me/notifications", "GET /exports/objectives.{file_format}",
         "GET /exports/key-results.{file_format}", "GET /exports/check-ins.{file_format}",
         "GET /exports/flags.{file_format}", "GET /exports/learning.{file_format}",
         "GET /alignment/tree", "GET /alignment/health", "GET /adoption",
         "GET /adoption/trend", "GET /import-templates/{name}"],
        "api member read",
    ),
    **dict.fromkeys(
        ["GET /teams/{team_id}", "GET /teams/{team_id}/members", "GET /cycles/{cycle_id}",
         "GET /themes/{theme_id}", "GET /objectives/{objective_id}",
         "GET /key-results/{key_result_id}", "GET /key-results/{key_result_id}/check-ins",
         "GET /initiatives/{initiative_id}", "GET /alignment-links/{link_id}",
         "GET /key-results/{key_result_id}/pivots", "GET /pivots/{pivot_id}",
         "GET /key-results/{key_result_id}/targets", "GET /cycles/{cycle_id}/scores",
         "GET /key-results/{key_result_id}/forecast", "GET /flags/{flag_id}",
         "GET /teams/{slug}/discovery", "GET /surveys/{survey_id}",
         "GET /teams/{slug}/adoption", "GET /rollout/plans/{plan_id}",
         "GET /rollout/phases/{phase_id}/readiness", "GET /teams/{team_id}/chat-channels",
         "GET /teams/{team_id}/chat-channels/{channel_id}"],
        "api member object",
    ),
    "GET /cycles/{cycle_id}/calibration": "api member object of a closed cycle (the fixture's runs: 409)",
    **dict.fromkeys(
        ["DELETE /objectives/{objective_id}", "DELETE /key-results/{key_result_id}",
         "DELETE /initiatives/{initiative_id}", "DELETE /alignment-links/{link_id}",
         "PATCH /initiatives/{initiative_id}", "PUT /objectives/{objective_id}/retrospective"],
        "api editor write (the owning team, admins)",
    ),
    **dict.fromkeys(
        ["PATCH /organisation", "POST /flags/refresh", "PUT /discovery", "GET /webhooks",
         "GET /exports/organisation.json", "GET /imports"],
        "api admin",
    ),
    "POST /rollout/plans": "api admin, plan parts checked first",
    **dict.fromkeys(
        ["DELETE /invitations/{invitation_id}", "PATCH /cycles/{cycle_id}",
         "PATCH /themes/{theme_id}", "POST /cycles/{cycle_id}/close",
         "PUT /teams/{slug}/discovery", "PATCH /discovery/leaders/{leader_id}",
         "PATCH /surveys/{survey_id}", "POST /surveys/{survey_id}/close",
         "POST /surveys/{survey_id}/link", "GET /surveys/{survey_id}/answers",
         "GET /surveys/{survey_id}/analysis", "PATCH /rollout/plans/{plan_id}",
         "PATCH /rollout/phases/{phase_id}", "GET /webhooks/{webhook_id}",
         "PATCH /webhooks/{webhook_id}", "POST /webhooks/{webhook_id}/secret",
         "POST /webhooks/{webhook_id}/enable", "GET /webhooks/{webhook_id}/deliveries",
         "GET /imports/{job_id}", "DELETE /members/{member_id}",
         "DELETE /teams/{team_id}/members/{member_id}", "DELETE /themes/{theme_id}",
         "DELETE /discovery/leaders/{leader_id}", "DELETE /rollout/plans/{plan_id}",
         "DELETE /rollout/phases/{phase_id}", "DELETE /webhooks/{webhook_id}",
         "DELETE /teams/{team_id}/chat-channels/{channel_id}", "DELETE /imports/{job_id}",
         "DELETE /teams/{team_id}", "POST /webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
         "POST /imports/{job_id}/confirm", "POST /surveys/{survey_id}/analysis",
         "POST /webhooks/{webhook_id}/test", "POST /teams/{team_id}/chat-channels/{channel_id}/test",
         "DELETE /cycles/{cycle_id}", "PATCH /teams/{team_id}",
         "PATCH /teams/{team_id}/chat-channels/{channel_id}"],
        "api admin object",
    ),
    **dict.fromkeys(
        ["PATCH /members/{member_id}", "POST /invitations", "POST /teams",
         "POST /teams/{team_id}/members", "POST /cycles", "POST /themes", "POST /objectives",
         "POST /objectives/bulk", "PATCH /objectives/{objective_id}", "POST /key-results",
         "PATCH /key-results/{key_result_id}", "POST /key-results/{key_result_id}/check-ins",
         "POST /initiatives", "POST /alignment-links", "POST /coach/check",
         "POST /key-results/{key_result_id}/pivots", "POST /key-results/{key_result_id}/target",
         "PUT /key-results/{key_result_id}/score", "PUT /objectives/{objective_id}/score",
         "POST /cycles/{cycle_id}/reopen", "POST /objectives/{objective_id}/carry-over",
         "POST /discovery/{record_id}/followups", "POST /discovery/{record_id}/leaders",
         "POST /surveys", "GET /surveys/{survey_id}/comparison",
         "POST /rollout/plans/{plan_id}/phases", "POST /webhooks",
         "POST /teams/{team_id}/chat-channels", "GET /rollout/brief",
         "GET /rollout/brief.pdf", "GET /rollout/brief.md", "POST /imports"],
        "api write, body checked before the permission (empty body: 422)",
    ),
}  # fmt: skip

# Bodies that make a write real where an empty one would be a no-op answered 200.
BODIES: dict[str, Any] = {
    "PATCH /teams/{team_id}": {"name": "Renamed"},
    "PATCH /teams/{team_id}/chat-channels/{channel_id}": {"enabled": False},
}

# Rows of these apps are counted before and after every refused request.
WATCHED_APPS = ("accounts", "teams", "goals", "discovery", "rollout", "notify", "insights",
                "transfer")  # fmt: skip


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = Client().get("/api/v1/openapi.json").json()
    return schema


def _all_routes() -> list[Route]:
    return web_routes() + api_routes(_schema())


def _cases() -> list[Any]:
    cases = []
    for route in _all_routes():
        for visibility in ("public", "private") if route.has_visibility else ("-",):
            cases.append(pytest.param(route, visibility, id=f"{route.key}[{visibility}]"))
    return cases


def _counts() -> dict[str, int]:
    """Rows of every watched table, in one query."""
    models = [m for label in WATCHED_APPS for m in apps.get_app_config(label).get_models()]
    sql = ", ".join(f'(SELECT COUNT(*) FROM "{m._meta.db_table}")' for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}")
        row = cursor.fetchone()
    return {m.__name__: n for m, n in zip(models, row, strict=True)}


def _outcome(response: Any) -> Any:
    if response.status_code == 302 and "/login/" in response["Location"]:
        return LOGIN
    return response.status_code


def _matches(expected: Any, actual: Any) -> bool:
    if expected == OK:
        return actual in (200, 201, 202, 204, 409, 422)
    return bool(expected == actual)


def _request(
    matrix: Matrix, route: Route, persona: str, url: str, method: str, watch: bool
) -> tuple[Any, dict[str, int]]:
    """One request in a savepoint of its own, so a permitted delete does not hide the
    object from the next persona. With `watch`, also the row counts that changed."""
    client = (matrix.web if route.kind == "web" else matrix.api)[persona]
    sid = transaction.savepoint()
    try:
        before = _counts() if watch else {}
        if method == "post" and route.kind == "web":
            outcome = _outcome(client.post(url, {}))
        else:
            outcome = _outcome(send(client, route, url, BODIES.get(route.key)))
        after = _counts() if watch else {}
        return outcome, {k: after[k] - before[k] for k in before if after[k] != before[k]}
    finally:
        transaction.savepoint_rollback(sid)


def test_every_route_has_a_rule() -> None:
    routes = _all_routes()
    missing = [r.key for r in routes if (WEB if r.kind == "web" else API).get(r.key) is None]
    assert not missing, f"routes without an authorization rule: {missing}"
    stale = set(WEB) - {r.key for r in routes if r.kind == "web"}
    stale |= set(API) - {r.key for r in routes if r.kind == "api"}
    assert not stale, f"rules for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize(("route", "visibility"), _cases())
def test_matrix(matrix: Matrix, db: None, route: Route, visibility: str) -> None:
    private = visibility == "private"
    url = fill(route, matrix.ids, matrix.private if private else None)
    if route.kind == "web":
        rule = WEB_RULES[WEB[route.key]]
        expected = {"get": rule.get("private" if private else "get", rule["get"])}
        if "post" in rule:
            expected["post"] = rule.get("private_post" if private else "post", rule["post"])
        if route.key == "logout":
            expected.pop("post", None)
    else:
        rule = API_RULES[API[route.key]]
        expected = {route.method: rule.get("private" if private else "any", rule["any"])}
    wrong = []
    for method, row in expected.items():
        for persona, want in zip(PERSONAS, row, strict=True):
            if want is None:
                continue
            # A refused write must leave every table as it was.
            watch = want in (LOGIN, 401, 403, 404, 405) and method != "get"
            got, written = _request(matrix, route, persona, url, method, watch)
            if not _matches(want, got):
                wrong.append(f"{method.upper()} as {persona}: {got}, expected {want}")
            if written:
                wrong.append(f"{method.upper()} as {persona} was refused but wrote {written}")
    assert not wrong, f"{route.key} ({visibility}) {url}:\n" + "\n".join(wrong)


def test_it_refuses_to_delete_a_cycle_that_has_objectives(matrix: Matrix, db: None) -> None:
    """Was a 500 (ProtectedError) for admins on the web and the API."""
    cycle = matrix.ids["cycle_id"]
    response = matrix.api["admin"].delete(f"/api/v1/cycles/{cycle}")
    assert response.status_code == 409, response.content
    response = matrix.web["admin"].post(f"/o/acme/cycles/{cycle}/delete/")
    assert response.status_code == 302
    assert apps.get_model("goals", "Cycle").objects.filter(pk=cycle).exists()
