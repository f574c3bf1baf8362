"""`headway brief`: a PDF or Markdown brief written to a file; bad input exits 2."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import adopted
from tests.adopted import Adopted
from tests.conftest import World
from tests.pdfpages import page_count


@pytest.fixture
def acme(world: World) -> Adopted:
    return adopted.build(world)


def test_it_writes_a_pdf_and_a_markdown_brief(acme: Adopted, tmp_path) -> None:
    out = StringIO()
    pdf = tmp_path / "brief.pdf"
    call_command(
        "brief", leader="bob@acme.test", lens="alignment", format="pdf", output=str(pdf), stdout=out
    )
    assert pdf.read_bytes().startswith(b"%PDF") and 1 <= page_count(pdf.read_bytes()) <= 2
    assert "alignment brief for Bob (Acme (the whole organisation))" in out.getvalue()
    md = tmp_path / "brief.md"
    call_command(
        "brief",
        "--leader",
        "alice@acme.test",
        "--format",
        "md",
        "-o",
        str(md),
        "--org",
        "acme",
        stdout=out,
    )
    assert md.read_text().startswith("# Strategy execution: a brief for Alice")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"leader": "alice@acme.test", "lens": "vibes"}, "choose one of: strategy_execution"),
        ({"leader": "nobody@acme.test"}, "Nobody with the e-mail address"),
        ({"leader": "alice@acme.test", "org": "globex"}, "is not a member of Globex"),
        ({"leader": "alice@acme.test", "format": "docx"}, "Unknown format"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_code_2(
    acme: Adopted, tmp_path, options, message
) -> None:
    with pytest.raises(CommandError) as error:
        call_command("brief", output=str(tmp_path / "x"), **options)
    assert message in str(error.value) and error.value.returncode == 2
    assert not (tmp_path / "x").exists()
