"""Reading the template from CSV and XLSX: encodings, delimiters, headers, cells that
cannot be read, formulas, empty files and zip bombs. Each problem names its place;
nothing here touches the database."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from headway.transfer.spreadsheet import read_csv, read_xlsx
from headway.transfer.template import Example, template_csv, template_xlsx
from tests.transfer.importing import checkin, csv_bytes, key_result, objective, workbook

ROWS = [
    objective("O1", "Café au lait for everyone", team="Ops"),
    key_result("K1", "O1", "Cups served", start="0", target="1,200", unit=""),
    checkin("K1", "2026-03-02", "300", 7, note="Grüße"),
]


def problems(parsed):
    return [(p.row, p.column, p.message) for p in parsed.problems]


def test_it_reads_the_template_rows_with_their_row_numbers():
    parsed = read_csv(csv_bytes(ROWS))
    assert problems(parsed) == []
    assert [o.row for o in parsed.objectives] == [2]
    (kr,) = parsed.key_results
    assert (kr.row, kr.objective_ref, kr.start, kr.target, kr.kind) == (
        3,
        "O1",
        0.0,
        1200.0,
        "increase",
    )
    (ci,) = parsed.checkins
    assert (ci.row, ci.key_result_ref, ci.on, ci.value, ci.confidence, ci.note) == (
        4, "K1", dt.date(2026, 3, 2), 300.0, 7, "Grüße",
    )  # fmt: skip
    assert parsed.source == "UTF-8, comma-separated"


@pytest.mark.parametrize(
    ("encoding", "source"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 (with a byte order mark)"),
        ("utf-16", "UTF-16"),
    ],
)
def test_it_reads_utf8_with_or_without_bom_and_utf16_with_bom(encoding, source):
    parsed = read_csv(csv_bytes(ROWS, encoding=encoding))
    assert problems(parsed) == []
    assert parsed.objectives[0].title == "Café au lait for everyone"
    assert parsed.checkins[0].note == "Grüße"
    assert parsed.source.startswith(source)
    assert parsed.warnings == []


def test_it_reads_windows_1252_and_says_it_guessed():
    parsed = read_csv(csv_bytes(ROWS, encoding="cp1252"))
    assert problems(parsed) == []
    assert parsed.objectives[0].title == "Café au lait for everyone"
    assert parsed.source.startswith("Windows-1252")
    assert "not UTF-8" in parsed.warnings[0].message


def test_it_falls_back_to_latin1_for_bytes_windows_1252_lacks():
    content = csv_bytes(ROWS, encoding="latin-1").replace(b"Caf\xe9", b"Caf\xe9\x81")
    parsed = read_csv(content)
    assert parsed.source.startswith("Latin-1")
    assert parsed.objectives[0].title.startswith("Café")


def test_utf16_without_a_byte_order_mark_is_a_clear_error():
    content = csv_bytes(ROWS, encoding="utf-16-le")
    parsed = read_csv(content)
    assert parsed.rows == 0
    assert "UTF-16 without a byte order mark" in parsed.problems[0].message
    assert parsed.problems[0].row == 0


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "The file is empty"),
        (b"  \r\n\r\n", "The file is empty"),
        (b"\xef\xbb\xbf", "The file is empty"),
        (b"PK\x03\x04rest", "Excel workbook (.xlsx), not a CSV"),
        (b"\xd0\xcf\x11\xe0rest", "old Excel workbook (.xls)"),
        (bytes(range(1, 32)) * 40, "binary data"),
        (b"type,ref,title,cycle,team\r\n", "no rows to import"),
    ],
)
def test_empty_and_wrong_files_are_one_clear_error(content, says):
    parsed = read_csv(content)
    assert parsed.rows == 0
    assert len(parsed.problems) == 1 and says in parsed.problems[0].message


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_finds_the_delimiter(delimiter):
    rows = [ROWS[0], {**ROWS[1], "target": "1200"}, ROWS[2]]
    parsed = read_csv(csv_bytes(rows, delimiter=delimiter))
    assert problems(parsed) == []
    assert parsed.objectives[0].team == "Ops"


def test_a_semicolon_file_reads_decimal_commas_and_day_first_dates():
    rows = [
        objective("O1", "Grow", team="Ops"),
        key_result("K1", "O1", "Revenue", start="1.000,5", target="2.000"),
        checkin("K1", "05/04/2026", "1.500,25"),
    ]
    parsed = read_csv(csv_bytes(rows, delimiter=";"))
    assert problems(parsed) == []
    assert (parsed.key_results[0].start, parsed.key_results[0].target) == (1000.5, 2000.0)
    assert (parsed.checkins[0].on, parsed.checkins[0].value) == (dt.date(2026, 4, 5), 1500.25)


def test_headers_match_whatever_their_case_spacing_or_synonym():
    headers = [
        "Type", " REF ", "Title", "Time period", "Team", "Owner (e-mail)", "Objective",
        "Kind", "Start value", "Target value", "Key_Result", "Check-in date", "Value",
    ]  # fmt: skip
    row = {"Type": "objective", " REF ": "O1", "Title": "T", "Time period": "Now", "Team": "Ops"}
    kr = {
        "Type": "kr",
        " REF ": "K1",
        "Title": "M",
        "Objective": "O1",
        "Kind": "decrease",
        "Start value": "9",
        "Target value": "3",
    }
    ci = {"Type": "check in", "Key_Result": "K1", "Check-in date": "2026-01-05", "Value": "8"}
    parsed = read_csv(csv_bytes([row, kr, ci], headers=headers))
    assert problems(parsed) == []
    assert parsed.objectives[0].cycle == "Now"
    assert parsed.key_results[0].kind == "decrease"
    assert parsed.checkins[0].key_result_ref == "K1"
    assert parsed.header_of["cycle"] == "Time period"


def test_a_missing_header_is_one_error_naming_it_not_one_per_row():
    headers = ["type", "ref", "title", "team", "objective"]
    rows = [{"type": "objective", "ref": f"O{n}", "title": "T", "team": "Ops"} for n in range(5)]
    parsed = read_csv(csv_bytes(rows, headers=headers))
    assert problems(parsed) == [
        (
            1,
            "cycle",
            "The column 'cycle' is missing: every objective needs it. Add it (see the template).",
        )
    ]
    assert parsed.absent_columns >= {"cycle"}


def test_a_file_without_a_type_column_says_so_once():
    parsed = read_csv(csv_bytes([{"ref": "O1", "title": "T"}] * 3, headers=["ref", "title"]))
    assert [p.column for p in parsed.problems] == ["type"]


def test_duplicated_headers_are_an_error_naming_both():
    headers = ["type", "ref", "title", "cycle", "owner", "Email"]
    parsed = read_csv(csv_bytes([objective("O1", "T", owner="a@b.c")], headers=headers))
    assert (
        1,
        "Email",
        "The columns 'owner' and 'Email' both hold owner: keep one of them (Headway would not know which to use).",
    ) in problems(parsed)


def test_unknown_headers_are_a_warning_not_an_error():
    headers = [*["type", "ref", "title", "cycle", "team"], "Budget"]
    parsed = read_csv(csv_bytes([objective("O1", "T", team="Ops")], headers=headers))
    assert problems(parsed) == []
    assert "'Budget'" in parsed.warnings[0].message


def test_unreadable_numbers_and_dates_are_listed_with_row_and_column():
    rows = [
        objective("O1", "T", team="Ops"),
        key_result("K1", "O1", "M", start="ten", target="1,500"),
        checkin("K1", "05/04/2026", "3", confidence="high"),
        checkin("K1", "", ""),
    ]
    parsed = read_csv(csv_bytes(rows, delimiter="\t"))
    assert problems(parsed) == [
        (3, "start", "'ten' is not a number; write digits such as 42, 12.5 or 1,250."),
        (
            3,
            "target",
            "'1,500' is ambiguous: is the comma a decimal mark or a thousands separator? Write 1500 or 1.5.",
        ),
        (
            4,
            "date",
            "'05/04/2026' is ambiguous: day/month or month/day? To be sure, write dates as 2026-03-31 (year-month-day).",
        ),
        (4, "confidence", "'high' is not a number; write digits such as 42, 12.5 or 1,250."),
        (5, "date", "Give the check-in's date."),
        (5, "value", "Give the check-in's value."),
    ]


def test_a_huge_cell_is_an_error_at_its_row_and_column():
    rows = [objective("O1", "T", team="Ops", description="x" * 20_000)]
    parsed = read_csv(csv_bytes(rows))
    assert problems(parsed) == [
        (
            2,
            "description",
            "This cell holds 20,000 characters; the most a cell may hold is 10,000. Shorten it.",
        )
    ]


def test_an_unknown_row_type_is_named():
    parsed = read_csv(csv_bytes([{"type": "initiative", "ref": "I1", "title": "T"}]))
    assert problems(parsed) == [
        (2, "type", "'initiative' is not a type of row: write objective, key result or check-in.")
    ]


def test_text_starting_like_a_formula_is_kept_and_our_export_quote_is_removed():
    rows = [objective("O1", "=Grow +10%", team="'=Ops", description="'@mention")]
    parsed = read_csv(csv_bytes(rows))
    assert problems(parsed) == []
    assert parsed.objectives[0].title == "=Grow +10%"
    assert parsed.objectives[0].team == "=Ops"
    assert parsed.objectives[0].description == "@mention"


def test_milestone_check_ins_read_done_and_not_done():
    rows = [checkin("K1", "2026-01-05", "done"), checkin("K1", "2026-01-12", "not done")]
    parsed = read_csv(csv_bytes(rows))
    assert [c.value for c in parsed.checkins] == [1.0, 0.0]


# --- workbooks ------------------------------------------------------------------------


def test_the_xlsx_template_reads_like_the_csv_template():
    example = Example(cycle="Now", team="Ops", owner="a@b.c", theme="Customers")
    from_xlsx, from_csv = read_xlsx(template_xlsx(example)), read_csv(template_csv(example))
    assert problems(from_xlsx) == problems(from_csv) == []
    assert from_xlsx.source == "Excel workbook, sheets Objectives, Key results, Check-ins"
    strip = lambda rows: [{**vars(r), "row": 0, "sheet": ""} for r in rows]  # noqa: E731
    assert strip(from_xlsx.objectives) == strip(from_csv.objectives)
    assert strip(from_xlsx.key_results) == strip(from_csv.key_results)
    assert strip(from_xlsx.checkins) == strip(from_csv.checkins)
    assert {r.sheet for r in from_xlsx.key_results} == {"Key results"}


def test_one_sheet_with_a_type_column_real_dates_and_serials_and_blank_rows():
    content = workbook(
        {
            "OKRs": [
                [
                    "type",
                    "ref",
                    "title",
                    "cycle",
                    "team",
                    "objective",
                    "kind",
                    "start",
                    "target",
                    "key result",
                    "date",
                    "value",
                ],
                ["objective", "O1", "T", "Now", "Ops"],
                [],
                ["key result", "K1", "M", None, None, "O1", "increase", 0, 0.5],
                [
                    "check-in",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "K1",
                    dt.datetime(2026, 3, 2),
                    0.25,
                ],
                ["check-in", None, None, None, None, None, None, None, None, "K1", 46112, "0.3"],
            ]
        }
    )
    parsed = read_xlsx(content)
    assert problems(parsed) == []
    assert [kr.row for kr in parsed.key_results] == [4]
    assert [(c.row, c.on, c.value) for c in parsed.checkins] == [
        (5, dt.date(2026, 3, 2), 0.25),
        (6, dt.date(2026, 3, 31), 0.3),
    ]


def test_formulas_are_refused_at_their_cell():
    content = workbook(
        {
            "Objectives": [["ref", "title", "cycle", "team"], ["O1", '=A1&"x"', "Now", "Ops"]],
            "Key results": [
                ["ref", "objective", "title", "start", "target"],
                ["K1", "O1", "M", 0, "=SUM(1,2)"],
            ],
        }
    )
    parsed = read_xlsx(content)
    assert [(p.sheet, p.row, p.column) for p in parsed.problems] == [
        ("Objectives", 2, "title"),
        ("Key results", 2, "target"),
    ]
    assert all("Formulas are not imported" in p.message for p in parsed.problems)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * 20_000_000})
    assert len(bomb) < 100_000
    parsed = read_xlsx(bomb)
    assert parsed.rows == 0
    assert "zip bomb" in parsed.problems[0].message


def test_a_workbook_that_unpacks_past_the_limit_is_refused():
    big = _zip(
        {
            "xl/workbook.xml": b"<workbook/>",
            **{f"xl/part{n}.xml": bytes(range(256)) * 60_000 for n in range(8)},
        }
    )
    parsed = read_xlsx(big)
    assert (
        "unpacks to" in parsed.problems[0].message
        and "the limit is 100 MB" in parsed.problems[0].message
    )


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "The file is empty"),
        (b"type,ref\nobjective,O1\n", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0rest", "old Excel workbook (.xls)"),
        (_zip({"word/document.xml": b"<doc/>"}), "not an Excel workbook"),
        (_zip({"xl/workbook.xml": b"not xml"}), "cannot be read"),
    ],
)
def test_files_that_are_not_workbooks_are_one_clear_error(content, says):
    parsed = read_xlsx(content)
    assert parsed.rows == 0
    assert says in parsed.problems[0].message
