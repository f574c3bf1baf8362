"""What a checked file would create, as the job's preview, and its problems as the
job stores them. Pure (no Django)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from .rows import KeyResultRow, ObjectiveRow, Parsed, Problem, ref_key

if TYPE_CHECKING:
    from .validate import Checked

PREVIEW_OBJECTIVES = 20
PREVIEW_NAMES = 50


def _plain(problem: Problem) -> dict[str, Any]:
    return {
        "row": problem.row,
        "column": problem.column,
        "message": problem.message,
        "sheet": problem.sheet,
    }


def problems_plain(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems as JSON for the job: in file order (sheet as met, row, column)."""
    order: dict[str, int] = {}
    for problem in problems:
        order.setdefault(problem.sheet, len(order))
    ordered = sorted(problems, key=lambda p: (order[p.sheet], p.row, p.column))
    return [_plain(problem) for problem in ordered]


def import_preview(parsed: Parsed, checked: Checked) -> dict[str, Any]:
    """What a clean file would create: counts, the first objectives with their key
    results, how its teams and owners were matched, and the warnings."""
    checkins_of: Counter[str] = Counter(ref_key(c.key_result_ref) for c in parsed.checkins)
    krs_of: dict[str, list[KeyResultRow]] = defaultdict(list)
    for kr in parsed.key_results:
        krs_of[ref_key(kr.objective_ref)].append(kr)
    links = sum(bool(o.parent_ref) + bool(o.theme) for o in parsed.objectives)
    currents = sum(
        1
        for kr in parsed.key_results
        if kr.current is not None and not checkins_of[ref_key(kr.ref)]
    )
    return {
        "source": parsed.source,
        "counts": {
            "objectives": len(parsed.objectives),
            "key_results": len(parsed.key_results),
            "checkins": len(parsed.checkins) + currents,
            "links": links,
        },
        "objectives": [
            _preview_objective(checked, o, krs_of[ref_key(o.ref)], checkins_of)
            for o in parsed.objectives[:PREVIEW_OBJECTIVES]
        ],
        "teams": [
            {"written": written, "path": found.label, "id": found.id}
            for written, found in list(checked.teams.items())[:PREVIEW_NAMES]
        ],
        "owners": [
            {"written": written, "name": found.label, "id": found.id}
            for written, found in list(checked.people.items())[:PREVIEW_NAMES]
        ],
        "cycles": sorted({o.cycle for o in parsed.objectives}),
        "themes": sorted({o.theme for o in parsed.objectives if o.theme}),
        "warnings": [_plain(w) for w in checked.warnings],
    }


def _preview_objective(
    checked: Checked, row: ObjectiveRow, krs: list[KeyResultRow], checkins_of: Counter[str]
) -> dict[str, Any]:
    owner = checked.teams[row.team].label if row.team else checked.people[row.owner].label
    return {
        "ref": row.ref,
        "title": row.title,
        "cycle": row.cycle,
        "owner": owner,
        "parent": row.parent_ref,
        "theme": row.theme,
        "key_results": [
            {
                "ref": kr.ref,
                "title": kr.title,
                "kind": kr.kind.replace("_", " "),
                "start": kr.start,
                "target": kr.target,
                "unit": kr.unit,
                "checkins": checkins_of[ref_key(kr.ref)] if kr.ref else 0,
            }
            for kr in krs
        ],
    }
