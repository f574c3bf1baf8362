"""Importing a spreadsheet in a real browser, as alice, the owner of Acme: an Excel file
with mistakes is checked by a real worker process and every problem is listed with its sheet,
row and column and what to do; nothing is written. The fixed file passes, its preview
shows what will be written, and after "Confirm" and the worker's run the objectives are
there, linked to their pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from headway.goals.models import CheckIn, KeyResult, Objective
from tests.conftest import World
from tests.factories import PASSWORD, CycleFactory, ThemeFactory
from tests.support import headway
from tests.transfer.importing import workbook

pytestmark = pytest.mark.browser

OBJECTIVES = ["ref", "title", "description", "cycle", "team", "owner", "parent", "theme", "link"]
KEY_RESULTS = ["ref", "objective", "title", "kind", "start", "target", "unit"]
CHECK_INS = ["key result", "date", "value", "confidence", "note"]


def _workbook(path: Path, *, fixed: bool) -> Path:
    """Acme's quarter as the three-sheet template; unless `fixed`, with four mistakes."""
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    cycle = "This quarter" if fixed else "Next quarter"  # no such cycle
    target = 40 if fixed else "forty"  # not a number
    objective = "O2" if fixed else "O9"  # no such objective in the file
    confidence = 7 if fixed else 12  # beyond the 0-10 scale
    sheets: dict[str, list[list[Any]]] = {
        "Objectives": [
            OBJECTIVES,
            ["O1", "Customers stay with us", "", "This quarter", "Acme / Platform", "", "", "Grow"],
            ["O2", "Ship without fear", "", cycle, "Platform", "", "O1", "", "contributes"],
        ],
        "Key results": [
            KEY_RESULTS,
            ["K1", "O1", "Monthly churn of customers", "decrease", 5, 2, "%"],
            ["K2", "O1", "Net promoter score", "increase", 20, target, ""],
            ["K3", objective, "Deploys a week", "increase", 2, 10, "deploys"],
        ],
        "Check-ins": [CHECK_INS, ["K1", week_ago, 4.5, confidence, "first month"]],
    }
    path.write_bytes(workbook(sheets))
    return path


def _run_worker() -> None:
    """One pass of a real task worker over the queue: the check or the write the page
    queued. (Periodic jobs are left out: --no-scheduler.)"""
    worker = headway("worker", "--no-scheduler", "--batch", "--no-startup-delay")
    assert worker.returncode == 0, worker.stderr


def _upload(page: Page, url: Callable[[str], str], file: Path) -> None:
    page.goto(url("/o/acme/import/"))
    page.get_by_label("Headway template (CSV or Excel)").check()
    page.get_by_label("File:", exact=True).set_input_files(file)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import of {file.name}")


def test_a_spreadsheet_with_mistakes_is_refused_row_by_row_then_fixed_and_imported(
    page: Page, url: Callable[[str], str], world: World, tmp_path: Path
) -> None:
    today = timezone.localdate()
    CycleFactory(
        organisation=world.acme,
        name="This quarter",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=60),
    )
    ThemeFactory(organisation=world.acme, title="Grow")
    page.goto(url("/login/"))
    page.get_by_label("E-mail").fill("alice@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    _upload(page, url, _workbook(tmp_path / "acme-okrs.xlsx", fixed=False))
    _run_worker()
    problems = page.locator("#import-errors tbody tr")
    expect(page.get_by_role("heading", name="4 problems to fix")).to_be_visible()
    expect(page.locator("#import-status")).to_contain_text("Nothing was imported.")
    rows = [row.split("\t") for row in problems.all_inner_texts()]
    by_place = {(sheet, row, column): message for sheet, row, column, message in rows}
    assert set(by_place) == {
        ("Objectives", "3", "cycle"),
        ("Key results", "3", "target"),
        ("Key results", "4", "objective"),
        ("Check-ins", "2", "confidence"),
    }, rows
    assert "Next quarter" in by_place[("Objectives", "3", "cycle")]
    assert "forty" in by_place[("Key results", "3", "target")]
    assert "O9" in by_place[("Key results", "4", "objective")]
    assert "10" in by_place[("Check-ins", "2", "confidence")]
    assert not Objective.objects.filter(organisation=world.acme).exists()

    # The fixed file: checked, previewed, confirmed, written.
    _upload(page, url, _workbook(tmp_path / "acme-okrs-fixed.xlsx", fixed=True))
    _run_worker()
    preview = page.locator("#import-preview")
    expect(preview.get_by_role("heading", name="Ready to import")).to_be_visible()
    expect(preview.locator("#import-objectives")).to_contain_text("Customers stay with us")
    expect(preview.locator("#import-objectives")).to_contain_text("Deploys a week")
    assert not Objective.objects.filter(organisation=world.acme).exists()
    page.get_by_role("button", name="Confirm: import everything").click()
    _run_worker()
    result = page.locator("#import-result")
    expect(result.get_by_role("heading", name="Imported")).to_be_visible()
    result.get_by_role("link", name="Ship without fear").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ship without fear")
    expect(page.locator("#alignment")).to_contain_text("Customers stay with us")

    imported = Objective.objects.filter(organisation=world.acme)
    assert sorted(imported.values_list("title", flat=True)) == [
        "Customers stay with us",
        "Ship without fear",
    ]
    assert sorted(
        KeyResult.objects.filter(objective__in=imported).values_list("title", flat=True)
    ) == [
        "Deploys a week",
        "Monthly churn of customers",
        "Net promoter score",
    ]
    (checkin,) = CheckIn.objects.filter(key_result__objective__in=imported)
    assert (float(checkin.value), checkin.confidence, checkin.note) == (4.5, 7, "first month")
