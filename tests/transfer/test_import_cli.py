"""`headway import FILE --org SLUG`: checks the whole file, prints every problem with
its place and exits 2, or writes it all; --dry-run writes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from headway.goals.models import Objective
from headway.transfer.models import ImportJob
from headway.transfer.template import Example, template_xlsx
from tests.transfer.importing import checkin, counts, csv_bytes, key_result, objective


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_workbook_as_the_organisations_owner(acme_okrs, tmp_path):
    path = tmp_path / "okrs.xlsx"
    example = Example(
        cycle="Now",
        team="Operations / Hubs",
        owner="bob@acme.test",
        theme="Customers first",
        checkin_days=(acme_okrs.today,),
    )
    path.write_bytes(template_xlsx(example))
    out, _ = run(str(path), "--org", "acme")
    assert out.strip() == "Imported 2 objectives, 5 key results, 3 check-ins and 2 alignment links."
    assert Objective.objects.filter(organisation=acme_okrs.world.acme).count() == 2
    job = ImportJob.objects.get()
    assert (job.status, job.created_by, job.format) == ("done", acme_okrs.world.alice.user, "xlsx")


def test_it_prints_every_problem_with_its_place_and_exits_2(acme_okrs, tmp_path):
    path = tmp_path / "okrs.csv"
    path.write_bytes(
        csv_bytes([objective("O1", "A", team="Hubs"), key_result("K1", "O1", "M", target="0")])
    )
    before = counts()
    with pytest.raises(CommandError) as refused:
        run(str(path), "--org", "acme")
    assert refused.value.returncode == 2
    assert (
        str(refused.value)
        == "okrs.csv: 2 problems: nothing was imported. Fix them and upload the file again."
    )
    assert counts() == before


def test_the_problems_go_to_stderr(acme_okrs, tmp_path):
    path = tmp_path / "okrs.csv"
    path.write_bytes(csv_bytes([objective("O1", "A", team="Hubs")]))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(path), "--org", "acme", stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith("row 2, column team: 'Hubs' names 2 teams")


def test_a_dry_run_checks_and_writes_nothing(acme_okrs, tmp_path):
    path = tmp_path / "okrs.txt"
    path.write_bytes(
        csv_bytes(
            [
                objective("O1", "A", team="Platform"),
                key_result("K1", "O1", "M"),
                checkin("K1", acme_okrs.today, "5"),
            ]
        )
    )
    before = counts()
    out, _ = run(str(path), "--org", "acme", "--format", "csv", "--dry-run")
    assert out.strip() == (
        "Dry run: okrs.txt is valid; it would import objectives: 1, key results: 1, "
        "check-ins: 1, alignment links: 0. Nothing was written."
    )
    assert counts() == before
    assert ImportJob.objects.get().status == "ready", "the checked job can still be confirmed"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--org", "nope"), "There is no organisation with the slug 'nope'."),
        (
            ("--org", "acme", "--as", "bob@acme.test"),
            "bob@acme.test is not an owner or admin of Acme.",
        ),
    ],
)
def test_who_imports_where(acme_okrs, tmp_path, args, says):
    path = tmp_path / "okrs.csv"
    path.write_bytes(csv_bytes([objective("O1", "A", team="Platform")]))
    with pytest.raises(CommandError, match=says) as refused:
        run(str(path), *args)
    assert refused.value.returncode == 2


def test_unknown_files(acme_okrs, tmp_path):
    with pytest.raises(CommandError, match=r"Say what okrs\.pdf is with --format"):
        run(str(tmp_path / "okrs.pdf"), "--org", "acme")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"), "--org", "acme")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        run(str(empty), "--org", "acme")
