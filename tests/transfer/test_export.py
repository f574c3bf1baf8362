"""List exports as CSV and Excel, from the web pages and the API: what each list holds,
its filters, who sees what (a private objective stays private, the outsider sees
nothing), formulas kept inert, and a query count that does not grow with the list.

Acme's OKRs come from tests/okrs.py (a yearly company objective, Platform's quarter
objective by bob with two key results). Added here: the board's private objective
(bob is not on the board), check-ins with notes that look like formulas, flags and
pivots on both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from headway.goals import services
from headway.goals.models import KeyResult, Objective
from headway.insights.models import Flag
from headway.transfer import sheets
from headway.transfer.sheets import Column, Table
from tests.conftest import World, api_client, logged_in
from tests.factories import TeamFactory
from tests.okrs import Okrs, build, more_objectives

FORMULA_TITLE = '=HYPERLINK("http://evil.example","Click me")'
FORMULA_NOTE = "@SUM(A1:A9)"
FORMULA_BLOCKERS = "+1 and -2 people"


@dataclass
class Setup:
    world: World
    okrs: Okrs
    secret: Objective
    secret_kr: KeyResult
    formula: Objective


@pytest.fixture
def setup(world: World) -> Setup:
    okrs = build(world)
    board = TeamFactory(organisation=world.acme, name="Board", slug="board", parent=world.root)
    secret = services.objective_create(
        member=world.alice,
        cycle_id=okrs.quarter.pk,
        owner_team_id=board.pk,
        title="Acquire Initech",
        visibility="private",
        key_results=[{"title": "Shares bought", "start_value": 0, "target_value": 51}],
    )
    secret_kr = secret.key_results.get()
    formula = services.objective_create(
        member=world.bob,
        cycle_id=okrs.quarter.pk,
        owner_team_id=world.platform.pk,
        title=FORMULA_TITLE,
        key_results=[{"title": "-5 deploys", "start_value": -3.5, "target_value": 10}],
    )
    at = timezone.make_aware(dt.datetime(2026, 10, 12, 9, 30))
    services.checkin_create(
        member=world.bob,
        key_result_id=okrs.deploys.pk,
        value=-3.5,
        confidence=6,
        note=FORMULA_NOTE,
        blockers=FORMULA_BLOCKERS,
        at=at,
    )
    services.checkin_create(
        member=world.alice, key_result_id=secret_kr.pk, value=12, confidence=4, at=at
    )
    for key_result in (okrs.deploys, secret_kr):
        Flag.objects.create(
            organisation=world.acme, key_result=key_result, kind="stall", reason="Not moving."
        )
        services.pivot_record(
            member=world.alice,
            key_result_id=key_result.pk,
            tried=f"Tried on {key_result.title}",
            learned="=cmd|' /C calc'!A0",
            next_step="Something else",
        )
    return Setup(world, okrs, secret, secret_kr, formula)


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(response: Any) -> list[dict[str, str]]:
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf"), "Excel reads UTF-8 only with a BOM"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response: Any) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(_body(response)))
    return [[cell for cell in row] for row in workbook.active.iter_rows()]


def _web(client: Client, path: str) -> Any:
    return client.get(f"/o/acme/exports/{path}")


def _api(client: Client, path: str) -> Any:
    return client.get(f"/api/v1/exports/{path}")


# --- what each list holds, as each member may see it ------------------------------------


def test_it_exports_the_objectives_a_member_may_see(setup: Setup) -> None:
    world = setup.world
    bobs = {row["Objective"] for row in _csv(_web(logged_in(world.bob), "objectives.csv"))}
    alices = {row["Objective"] for row in _csv(_web(logged_in(world.alice), "objectives.csv"))}
    assert "Acquire Initech" not in {title.lstrip("'") for title in bobs}
    assert "Acquire Initech" in alices
    assert {"Win the mid-market", "Ship without fear"} <= bobs


def test_it_names_owners_cycles_and_progress_of_objectives(setup: Setup) -> None:
    rows = _csv(_web(logged_in(setup.world.alice), "objectives.csv?status=active"))
    platform = next(row for row in rows if row["Objective"] == "Ship without fear")
    assert platform["Cycle"] == "2026 Q4"
    assert platform["Team"] == "Platform"
    assert platform["Key results"] == "2"
    assert platform["Progress"].endswith("%")
    assert platform["ID"] == str(setup.okrs.platform.pk)


def test_it_keeps_a_private_objective_s_check_ins_flags_and_pivots_private(setup: Setup) -> None:
    bob = logged_in(setup.world.bob)
    checkins = _csv(_web(bob, "check-ins.csv"))
    assert {row["Key result"] for row in checkins} == {"Deploys a week"}
    flags = _csv(_web(bob, "flags.csv"))
    assert {row["Key result"] for row in flags} == {"Deploys a week"}
    learning = _csv(_web(bob, "learning.csv"))
    assert [row["Tried"] for row in learning] == ["Tried on Deploys a week"]
    key_results = {row["Key result"] for row in _csv(_web(bob, "key-results.csv"))}
    assert "Shares bought" not in key_results
    alice = logged_in(setup.world.alice)
    assert len(_csv(_web(alice, "check-ins.csv"))) == 2
    assert len(_csv(_web(alice, "flags.csv"))) == 2


def test_it_exports_check_ins_with_their_author_value_and_local_time(setup: Setup) -> None:
    (row,) = _csv(_web(logged_in(setup.world.bob), "check-ins.csv"))
    assert row["Author e-mail"] == "bob@acme.test"
    assert row["Value"] == "-3.5"  # a number, never quoted as a formula
    assert row["Checked in at"] == "2026-10-12 09:30"  # the organisation's zone (UTC)
    assert row["Confidence"] == "6"


# --- filters ------------------------------------------------------------------------------


def test_it_filters_each_list_like_its_page(setup: Setup) -> None:
    alice = logged_in(setup.world.alice)
    okrs, world = setup.okrs, setup.world
    by_cycle = _csv(_web(alice, f"objectives.csv?cycle_id={okrs.year.pk}"))
    assert [row["Objective"] for row in by_cycle] == ["Win the mid-market"]
    by_team = _csv(_web(alice, f"key-results.csv?team_id={world.platform.pk}"))
    assert {row["Key result"] for row in by_team} == {
        "Deploys a week",
        "Incidents a month",
        "'-5 deploys",
    }
    by_key_result = _csv(_web(alice, f"check-ins.csv?key_result_id={setup.secret_kr.pk}"))
    assert len(by_key_result) == 1
    assert _csv(_web(alice, "check-ins.csv?since=2026-10-13")) == []
    assert len(_csv(_web(alice, "check-ins.csv?until=2026-10-12"))) == 2
    assert len(_csv(_web(alice, "flags.csv?team=platform"))) == 1
    assert _csv(_web(alice, "flags.csv?state=resolved")) == []
    assert len(_csv(_web(alice, "learning.csv?q=Shares"))) == 1


def test_a_bad_filter_is_a_bad_request_not_an_empty_file(setup: Setup) -> None:
    alice = logged_in(setup.world.alice)
    response = _web(alice, "flags.csv?kind=sideways")
    assert response.status_code == 400
    assert "kind" in response.content.decode()
    assert _web(alice, "objectives.csv?cycle_id=abc").status_code == 400
    assert _web(alice, "flags.csv?team=nowhere").status_code == 400
    assert _web(alice, "objectives.pdf").status_code == 404
    assert _web(alice, "nothing.csv").status_code == 404


# --- formulas -----------------------------------------------------------------------------


def test_it_escapes_formulas_in_csv(setup: Setup) -> None:
    alice = logged_in(setup.world.alice)
    titles = {row["Objective"] for row in _csv(_web(alice, "objectives.csv"))}
    assert "'" + FORMULA_TITLE in titles
    (row,) = [r for r in _csv(_web(alice, "check-ins.csv")) if r["Note"]]
    assert row["Note"] == "'" + FORMULA_NOTE
    assert row["Blockers"] == "'" + FORMULA_BLOCKERS
    learned = {row["Learned"] for row in _csv(_web(alice, "learning.csv"))}
    assert learned == {"'=cmd|' /C calc'!A0"}


def test_it_stores_formula_like_text_in_excel_as_text(setup: Setup) -> None:
    alice = logged_in(setup.world.alice)
    rows = _xlsx(_web(alice, "objectives.xlsx"))
    header = [cell.value for cell in rows[0]]
    title = header.index("Objective")
    (cell,) = [row[title] for row in rows[1:] if row[title].value == FORMULA_TITLE]
    assert cell.data_type == "s"  # text, not a formula: Excel never runs it
    assert cell.quotePrefix  # and it stays text when someone edits the cell
    checkins = _xlsx(_web(alice, "check-ins.xlsx"))
    names = [cell.value for cell in checkins[0]]
    note = next(row for row in checkins[1:] if row[names.index("Note")].value)
    assert note[names.index("Note")].value == FORMULA_NOTE
    assert note[names.index("Note")].data_type == "s"
    assert note[names.index("Value")].value == -3.5  # a typed number
    assert note[names.index("Checked in at")].value == dt.datetime(2026, 10, 12, 9, 30)


def test_it_types_numbers_percentages_and_dates_in_excel(setup: Setup) -> None:
    rows = _xlsx(_web(logged_in(setup.world.alice), "key-results.xlsx"))
    names = [cell.value for cell in rows[0]]
    deploys = next(
        row for row in rows[1:] if row[names.index("Key result")].value == "Deploys a week"
    )
    assert deploys[names.index("Start")].value == 2
    assert deploys[names.index("Current")].value == -3.5
    progress = deploys[names.index("Progress")]
    assert isinstance(progress.value, int | float) and progress.number_format == "0.0%"
    assert isinstance(deploys[names.index("Last check-in")].value, dt.datetime)


def test_the_writers_drop_characters_excel_cannot_hold_and_cut_huge_cells() -> None:
    table = Table(
        "Bad/name:with*chars?",
        [Column("Text"), Column("When", "date")],
        [["bell\x07 and nul\x00", dt.date(2026, 1, 2)], ["x" * 40_000, None]],
    )
    workbook = load_workbook(io.BytesIO(sheets.xlsx_bytes(table)))
    sheet = workbook.active
    assert sheet.title == "Bad name with chars"
    assert sheet["A2"].value == "bell and nul"
    assert len(sheet["A3"].value) == sheets.EXCEL_CELL_LIMIT
    assert sheet["B2"].value == dt.datetime(2026, 1, 2)
    text = sheets.csv_bytes(table).decode("utf-8-sig").splitlines()
    assert text[1] == "bell\x07 and nul\x00,2026-01-02"


def test_csv_cells_read_back_as_the_values_they_are() -> None:
    assert sheets.csv_cell(0.1 + 0.2, "number") == "0.3"
    assert sheets.csv_cell(1e-7, "number") == "0.0000001"
    assert sheets.csv_cell(0.425, "percent") == "42.5%"
    assert sheets.csv_cell(None, "text") == ""
    assert sheets.csv_cell(dt.datetime(2026, 1, 2, 3, 4, 5), "datetime") == "2026-01-02 03:04"


# --- who may export ------------------------------------------------------------------------


def test_the_outsider_gets_404_on_another_organisation_s_exports(setup: Setup) -> None:
    charlie = logged_in(setup.world.charlie)
    for path in ("objectives.csv", "check-ins.xlsx", "organisation.json"):
        assert _web(charlie, path).status_code == 404


def test_the_api_exports_only_the_caller_s_organisation(setup: Setup) -> None:
    charlie = api_client(setup.world.charlie)
    rows = _csv(_api(charlie, "objectives.csv"))
    assert [row["Objective"] for row in rows] == ["Globex dominates"]
    assert _csv(_api(charlie, f"check-ins.csv?key_result_id={setup.okrs.deploys.pk}")) == []


def test_the_api_exports_every_list_in_both_formats(setup: Setup) -> None:
    bob = api_client(setup.world.bob)
    for name in ("objectives", "key-results", "check-ins", "flags", "learning"):
        response = _api(bob, f"{name}.xlsx")
        assert response["Content-Disposition"].startswith('attachment; filename="acme-')
        assert len(_xlsx(response)) >= 2
        assert _csv(_api(bob, f"{name}.csv"))
    assert _api(bob, "objectives.pdf").status_code == 422
    assert _api(bob, "flags.csv?team=nowhere").status_code == 422
    assert _api(Client(), "objectives.csv").status_code == 401


def test_only_owners_and_admins_export_the_whole_organisation(setup: Setup) -> None:
    assert _web(logged_in(setup.world.bob), "organisation.json").status_code == 403
    assert _api(api_client(setup.world.bob), "organisation.json").status_code == 403
    document = _api(api_client(setup.world.alice), "organisation.json").json()
    assert document["format"] == "headway-organisation"
    assert "Acquire Initech" in {o["title"] for o in document["objectives"]}
    assert _web(logged_in(setup.world.alice), "organisation.json").status_code == 200


def test_the_list_pages_link_to_their_downloads(setup: Setup) -> None:
    alice = logged_in(setup.world.alice)
    team = alice.get(f"/o/acme/teams/platform/?cycle={setup.okrs.quarter.pk}").content.decode()
    assert f"exports/objectives.csv?team_id={setup.world.platform.pk}" in team
    assert "exports/flags.xlsx" in alice.get("/o/acme/attention/").content.decode()
    assert "exports/learning.csv" in alice.get("/o/acme/learning/").content.decode()
    page = alice.get(f"/o/acme/objectives/{setup.okrs.platform.pk}/").content.decode()
    assert f"exports/check-ins.csv?objective_id={setup.okrs.platform.pk}" in page
    assert "exports/organisation.json" in alice.get("/o/acme/settings/").content.decode()


# --- cost ----------------------------------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    _body(_web(client, path))  # warm up
    with CaptureQueriesContext(connection) as context:
        _body(_web(client, path))
    return len(context.captured_queries)


def _grow(setup: Setup, count: int) -> None:
    world = setup.world
    more_objectives(world, setup.okrs.quarter, count)
    for key_result in KeyResult.objects.filter(objective__title__startswith="Objective "):
        services.checkin_create(
            member=world.alice, key_result_id=key_result.pk, value=5, confidence=5
        )
        Flag.objects.get_or_create(
            organisation=world.acme,
            key_result=key_result,
            kind="overdue",
            defaults={"reason": "Late."},
        )
        services.pivot_record(
            member=world.alice, key_result_id=key_result.pk, tried="a", learned="b", next_step="c"
        )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_each_export_runs_the_same_queries_for_a_short_and_a_long_list(
    setup: Setup, file_format: str
) -> None:
    names = ("objectives", "key-results", "check-ins", "flags", "learning")
    paths = [f"{name}.{file_format}" for name in names] + ["flags.csv?team=acme"]
    clients = (logged_in(setup.world.alice), logged_in(setup.world.bob))
    short = {
        (i, path): _queries(client, path) for i, client in enumerate(clients) for path in paths
    }
    _grow(setup, 12)
    long = {(i, path): _queries(client, path) for i, client in enumerate(clients) for path in paths}
    assert long == short


# --- the command ---------------------------------------------------------------------------


def test_the_command_exports_a_list_as_a_member_sees_it(setup: Setup, tmp_path: Path) -> None:
    path = tmp_path / "objectives.csv"
    call_command(
        "export", "--org", "acme", "-o", str(path), "--list", "objectives", "--as", "bob@acme.test"
    )
    titles = {row["Objective"] for row in csv.DictReader(io.StringIO(path.read_text("utf-8-sig")))}
    assert "Ship without fear" in titles and "Acquire Initech" not in titles
    book = tmp_path / "check-ins.xlsx"
    call_command(
        "export",
        "--org",
        "acme",
        "-o",
        str(book),
        "--list",
        "check-ins",
        "--filter",
        f"key_result_id={setup.secret_kr.pk}",
    )
    rows = list(load_workbook(book).active.iter_rows(values_only=True))
    assert len(rows) == 2  # the header, and the owner sees the private check-in
