"""`headway coach classify`: JSON lines in, JSON lines out, in input order."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

REPO = Path(__file__).resolve().parents[2]
INPUT = (
    "Increase day-7 retention from 32% to 45%\n"
    "\n"
    "Launch the new onboarding flow\n"
    "   \n"
    "42\n"
    "Réduire le taux d'attrition de 18 % à 11 %\r\n"
)


def run(stdin: str, *args: str) -> list[dict[str, object]]:
    out = io.StringIO()
    call_command("coach", "classify", *args, stdin=io.StringIO(stdin), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_json_object_per_line_in_input_order_blank_lines_skipped() -> None:
    rows = run(INPUT)
    assert [r["text"] for r in rows] == [
        "Increase day-7 retention from 32% to 45%",
        "Launch the new onboarding flow",
        "42",
        "Réduire le taux d'attrition de 18 % à 11 %",
    ]
    assert [r["label"] for r in rows[:2]] == ["outcome", "output"]
    for row in rows:
        assert set(row) == {"text", "label", "score", "low_confidence", "note"}
        assert isinstance(row["score"], float) and 0 <= row["score"] <= 1
    assert rows[2]["low_confidence"] and rows[3]["low_confidence"]


def test_keep_blank_keeps_line_numbers() -> None:
    rows = run(INPUT, "--keep-blank")
    assert len(rows) == len(INPUT.splitlines())
    assert rows[1] == {
        "text": "",
        "label": "output",
        "score": 0.0,
        "low_confidence": True,
        "note": "empty text: nothing to classify",
    }
    assert rows[3]["text"] == "   " and rows[3]["low_confidence"]


def test_empty_input_prints_nothing() -> None:
    assert run("") == []


def test_more_lines_than_one_batch_stay_in_order() -> None:
    lines = [f"Run {i} customer workshops" for i in range(2500)]
    rows = run("\n".join(lines))
    assert [r["text"] for r in rows] == lines


def test_the_headway_command_in_a_child_process_offline() -> None:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HTTPS_PROXY": "http://127.0.0.1:9",  # any attempt to reach the network fails
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    child = subprocess.run(
        [sys.executable, "-m", "headway.cli", "coach", "classify"],
        input=INPUT.encode() + b"Reduce churn \xff from 3% to 2%\n",
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr.decode()
    rows = [json.loads(line) for line in child.stdout.decode().splitlines()]
    assert [r["label"] for r in rows[:2]] == ["outcome", "output"]
    assert len(rows) == 5 and rows[4]["text"] == "Reduce churn \ufffd from 3% to 2%"


def test_an_unknown_action_is_an_error() -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("coach", "nonsense")
