"""Checking a read file against the organisation, before anything is written.

`import_check(parsed, directory, today)` goes through every row once and collects every
problem with its row and column (never stopping at the first): references (unknown,
duplicated, pointing at the wrong kind of row), parent loops (directly or through a
key result), owners, teams (ambiguous names list the candidates), cycles, themes,
kinds, statuses, visibility, measures (a start equal to the target), weights,
confidences on the organisation's scale, check-in dates inside the cycle. The
organisation's names come from `directory.py` (a fixed number of queries); the checks
themselves touch no database. A clean file gets a preview: counts, the first objectives
with their key results, and how its teams and owners were matched.

The `Checked` result also carries what was resolved (each reference's row, each name's
id), so the writer does not look anything up again.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from headway.goals import scoring

from .directory import CycleInfo, Directory, Found
from .preview import import_preview
from .rows import CheckInRow, KeyResultRow, ObjectiveRow, Parsed, Problem, ref_key

MAX_TITLE = 200
MAX_UNIT = 20
MAX_NOTE = 4000
OBJECTIVE_STATUSES = ("active", "draft", "closed")
KEY_RESULT_STATUSES = ("active", "dropped")
VISIBILITIES = ("public", "private")
LINKS = ("contributes", "supports")
KINDS = ("increase", "decrease", "milestone", "maintain_above", "maintain_below")
KIND_WORDS = "increase, decrease, milestone, maintain above or maintain below"


@dataclass
class Checked:
    """The outcome of the checks, and what the writer needs from them."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    preview: dict[str, Any] = field(default_factory=dict)
    objective_at: dict[str, int] = field(default_factory=dict)  # ref key → objectives index
    key_result_at: dict[str, int] = field(default_factory=dict)  # ref key → key_results index
    teams: dict[str, Found] = field(default_factory=dict)  # as written → found
    people: dict[str, Found] = field(default_factory=dict)
    themes: dict[str, Found] = field(default_factory=dict)
    default_confidence: int = 5

    @property
    def ok(self) -> bool:
        return not self.problems


def import_check(parsed: Parsed, directory: Directory, today: dt.date) -> Checked:
    """Every problem of the file against the organisation, and the preview if none."""
    return _Check(parsed, directory, today).run()


class _Check:
    def __init__(self, parsed: Parsed, directory: Directory, today: dt.date) -> None:
        self.parsed, self.directory, self.today = parsed, directory, today
        self.out = Checked(
            problems=list(parsed.problems),
            warnings=list(parsed.warnings),
            default_confidence=directory.confidence_scale // 2,
        )
        self.header = parsed.header_of
        # A cell the reader could not read is reported once: what follows from it being
        # empty (a missing start, say) would only repeat the same place.
        self.unreadable = {(p.sheet, p.row, p.column) for p in parsed.problems}

    def run(self) -> Checked:
        self._references()
        for objective in self.parsed.objectives:
            self._objective(objective)
        for key_result in self.parsed.key_results:
            self._key_result(key_result)
        latest = self._checkins()
        self._currents(latest)
        self._loops()
        self._duplicates_warning()
        if self.out.ok:
            self.out.preview = import_preview(self.parsed, self.out)
        return self.out

    # --- helpers ----------------------------------------------------------------------

    def problem(
        self, row: ObjectiveRow | KeyResultRow | CheckInRow, fld: str, message: str
    ) -> None:
        column = self.header.get(fld, fld) if fld else ""
        if (row.sheet, row.row, column) not in self.unreadable:
            self.out.problems.append(Problem(row.row, column, message, row.sheet))

    def required(self, row: Any, fld: str, value: str, message: str) -> bool:
        if value:
            return True
        if fld not in self.parsed.absent_columns:
            self.problem(row, fld, message)
        return False

    def choice(self, row: Any, fld: str, value: str, allowed: tuple[str, ...], what: str) -> None:
        if value and value not in allowed:
            self.problem(
                row,
                fld,
                f"'{value}' is not a {what}: write {', '.join(allowed)} (or leave it empty).",
            )

    def person(self, row: Any, fld: str, written: str) -> Found | None:
        found = self.out.people.get(written)
        if found is None:
            found = self.out.people[written] = self.directory.person(written)
        if found.id is not None:
            return found
        if found.candidates:
            self.problem(
                row,
                fld,
                f"'{written}' names {len(found.candidates)} members ({', '.join(found.candidates)}): "
                "write the e-mail address of the one you mean.",
            )
        else:
            self.problem(
                row,
                fld,
                f"'{written}' is not a member of this organisation: invite them first, "
                "or give the e-mail address of a member.",
            )
        return None

    # --- references ----------------------------------------------------------------------

    def _references(self) -> None:
        """Every objective and key result ref once in the file (they share one space)."""
        first_row: dict[str, Any] = {}
        for index, objective in enumerate(self.parsed.objectives):
            if not self.required(
                objective,
                "ref",
                objective.ref,
                "Give the objective a ref (O1, O2 …): its key results point to it.",
            ):
                continue
            self._claim(first_row, objective, objective.ref)
            self.out.objective_at.setdefault(ref_key(objective.ref), index)
        for index, key_result in enumerate(self.parsed.key_results):
            if key_result.ref:
                self._claim(first_row, key_result, key_result.ref)
                if ref_key(key_result.ref) not in self.out.objective_at:
                    self.out.key_result_at.setdefault(ref_key(key_result.ref), index)

    def _claim(self, first_row: dict[str, Any], row: Any, ref: str) -> None:
        key = ref_key(ref)
        if key in first_row:
            other = first_row[key]
            where = f"row {other.row}" + (f" of {other.sheet}" if other.sheet else "")
            self.problem(
                row,
                "ref",
                f"The ref '{ref}' is already used on {where}: each ref must be unique in the file.",
            )
        else:
            first_row[key] = row

    # --- objectives -----------------------------------------------------------------------

    def _objective(self, row: ObjectiveRow) -> None:
        self._title(row, "Say what the objective wants to achieve.")
        cycle = self._cycle(row)
        self._owner(row)
        self.choice(row, "status", row.status, OBJECTIVE_STATUSES, "status of an objective")
        self.choice(row, "visibility", row.visibility, VISIBILITIES, "visibility")
        self.choice(row, "link", row.link, LINKS, "kind of link")
        if row.theme:
            self._theme(row)
        if row.parent_ref:
            self._parent(row, cycle)

    def _title(self, row: ObjectiveRow | KeyResultRow, missing: str) -> None:
        if self.required(row, "title", row.title, missing) and len(row.title) > MAX_TITLE:
            self.problem(
                row,
                "title",
                f"The title has {len(row.title)} characters; keep it under {MAX_TITLE}.",
            )

    def _cycle(self, row: ObjectiveRow) -> CycleInfo | None:
        if not self.required(
            row, "cycle", row.cycle, "Name the objective's cycle (see the Cycles page)."
        ):
            return None
        cycle = self.directory.cycle(row.cycle)
        if cycle is None:
            names = [c.name for c in self.directory.cycles.values()]
            close = difflib.get_close_matches(row.cycle, names, n=1)
            hint = (
                f" Did you mean '{close[0]}'?"
                if close
                else f" Its cycles: {', '.join(names[:12]) or 'none yet'}."
            )
            self.problem(
                row, "cycle", f"There is no cycle '{row.cycle}' in this organisation.{hint}"
            )
        elif cycle.closed:
            self.problem(
                row,
                "cycle",
                f"The cycle {cycle.name} is closed: reopen it to import into it, or choose an open cycle.",
            )
            return None
        return cycle

    def _owner(self, row: ObjectiveRow) -> None:
        if not row.team and not row.owner:
            if not {"team", "owner"} <= self.parsed.absent_columns:
                self.problem(
                    row,
                    "team",
                    "Give the owning team, or the e-mail of the owner of a personal objective.",
                )
            return
        if row.team:
            self._team(row)
        if row.owner:
            self.person(row, "owner", row.owner)

    def _team(self, row: ObjectiveRow) -> None:
        found = self.out.teams.get(row.team)
        if found is None:
            found = self.out.teams[row.team] = self.directory.team(row.team)
        if found.id is not None:
            return
        if found.candidates:
            self.problem(
                row,
                "team",
                f"'{row.team}' names {len(found.candidates)} teams: {'; '.join(found.candidates)}. "
                "Write the path of the one you mean, e.g. "
                f"'{found.candidates[0].split(' / ', 1)[-1]}'.",
            )
        else:
            names = [path[-1] for path in self.directory.team_paths.values()]
            close = difflib.get_close_matches(row.team.split("/")[-1].strip(), names, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            self.problem(row, "team", f"There is no team '{row.team}' in this organisation.{hint}")

    def _theme(self, row: ObjectiveRow) -> None:
        found = self.out.themes.get(row.theme)
        if found is None:
            found = self.out.themes[row.theme] = self.directory.theme(row.theme)
        if found.candidates and found.id is None:
            self.problem(
                row,
                "theme",
                f"'{row.theme}' is the title of {len(found.candidates)} themes ({'; '.join(found.candidates)}): rename one of them first.",
            )
        elif found.id is None:
            self.problem(
                row,
                "theme",
                f"There is no theme '{row.theme}' in this organisation (see the Strategy page).",
            )

    def _parent(self, row: ObjectiveRow, cycle: CycleInfo | None) -> None:
        key = ref_key(row.parent_ref)
        if key == ref_key(row.ref):
            self.problem(row, "parent", "An objective cannot align to itself.")
            return
        parent = self._parent_objective(key)
        if parent is None:
            self.problem(
                row,
                "parent",
                f"No objective or key result has the ref '{row.parent_ref}' in this file.",
            )
            return
        if key in self.out.key_result_at and ref_key(parent.ref) == ref_key(row.ref):
            self.problem(
                row,
                "parent",
                f"'{row.parent_ref}' is a key result of this objective: an objective cannot align to its own key result.",
            )
            return
        parent_cycle = self.directory.cycle(parent.cycle) if parent.cycle else None
        if cycle and parent_cycle and not parent_cycle.encloses(cycle):
            self.problem(
                row,
                "parent",
                f"The parent '{row.parent_ref}' runs in {parent_cycle.name}, which does not cover "
                f"{cycle.name}: align to an objective of the same or an enclosing cycle.",
            )

    def _parent_objective(self, key: str) -> ObjectiveRow | None:
        """The objective a parent ref stands for: itself, or a key result's objective."""
        if key in self.out.objective_at:
            return self.parsed.objectives[self.out.objective_at[key]]
        if key in self.out.key_result_at:
            objective_key = ref_key(
                self.parsed.key_results[self.out.key_result_at[key]].objective_ref
            )
            index = self.out.objective_at.get(objective_key)
            return self.parsed.objectives[index] if index is not None else None
        return None

    # --- key results ------------------------------------------------------------------

    def _key_result(self, row: KeyResultRow) -> None:
        if self.required(
            row,
            "objective",
            row.objective_ref,
            "Say which objective (its ref) this key result belongs to.",
        ):
            key = ref_key(row.objective_ref)
            if key in self.out.key_result_at:
                self.problem(
                    row,
                    "objective",
                    f"'{row.objective_ref}' is a key result; give the ref of an objective.",
                )
            elif key not in self.out.objective_at:
                self.problem(
                    row,
                    "objective",
                    f"No objective has the ref '{row.objective_ref}' in this file.",
                )
        self._title(row, "Say what the key result measures.")
        if row.kind not in KINDS:
            self.problem(
                row, "kind", f"'{row.kind}' is not a kind of key result: write {KIND_WORDS}."
            )
        else:
            self._measure(row)
        if row.weight is not None and row.weight <= 0:
            self.problem(
                row,
                "weight",
                "The weight must be above 0; drop the key result instead of giving it no weight.",
            )
        if len(row.unit) > MAX_UNIT:
            self.problem(row, "unit", f"Keep the unit under {MAX_UNIT} characters.")
        self.choice(row, "status", row.status, KEY_RESULT_STATUSES, "status of a key result")
        if row.owner:
            self.person(row, "owner", row.owner)
        self._confidence(row, row.confidence)

    def _measure(self, row: KeyResultRow) -> None:
        kind = "maintain" if row.kind.startswith("maintain") else row.kind
        if kind == "milestone":
            if row.current is not None and row.current not in (0.0, 1.0):
                self.problem(row, "current", "A milestone is done (1) or not done (0).")
            return
        errors = scoring.validate_measure(scoring.KeyResultKind(kind), row.start, row.target)
        for fld, message in errors.items():
            column = "start" if fld == "start_value" else "target"
            if column not in self.parsed.absent_columns:
                self.problem(row, column, message)

    def _confidence(self, row: KeyResultRow | CheckInRow, confidence: int | None) -> None:
        scale = self.directory.confidence_scale
        if confidence is not None and not 0 <= confidence <= scale:
            self.problem(
                row,
                "confidence",
                f"Confidence is a whole number from 0 to {scale} (the organisation's scale).",
            )

    # --- check-ins -----------------------------------------------------------------------

    def _checkins(self) -> dict[int, CheckInRow]:
        """Check every check-in; returns the latest one of each key result, by index."""
        latest: dict[int, CheckInRow] = {}
        unconfident = 0
        for row in self.parsed.checkins:
            index = self._checkin_key_result(row)
            self._confidence(row, row.confidence)
            unconfident += row.confidence is None
            if len(row.note) > MAX_NOTE:
                self.problem(row, "note", f"Keep the note under {MAX_NOTE} characters.")
            if row.on > self.today:
                self.problem(
                    row,
                    "date",
                    f"{row.on.isoformat()} is in the future: a check-in records what happened.",
                )
            if index is None:
                continue
            key_result = self.parsed.key_results[index]
            if key_result.kind == "milestone" and row.value not in (0.0, 1.0):
                self.problem(
                    row, "value", "The key result is a milestone: write done or not done (1 or 0)."
                )
            self._checkin_date(row, key_result)
            if index not in latest or row.on >= latest[index].on:
                latest[index] = row
        if unconfident:
            self.out.warnings.append(
                Problem(
                    0,
                    self.header.get("confidence", "confidence"),
                    f"{unconfident:,} check-ins give no confidence: they are recorded at {self.out.default_confidence}, the middle of the scale.",
                )
            )
        return latest

    def _checkin_key_result(self, row: CheckInRow) -> int | None:
        if not self.required(
            row,
            "key result",
            row.key_result_ref,
            "Say which key result (its ref) this check-in is for.",
        ):
            return None
        key = ref_key(row.key_result_ref)
        if key in self.out.key_result_at:
            return self.out.key_result_at[key]
        if key in self.out.objective_at:
            self.problem(
                row,
                "key result",
                f"'{row.key_result_ref}' is an objective; give the ref of one of its key results.",
            )
        else:
            self.problem(
                row, "key result", f"No key result has the ref '{row.key_result_ref}' in this file."
            )
        return None

    def _checkin_date(self, row: CheckInRow, key_result: KeyResultRow) -> None:
        index = self.out.objective_at.get(ref_key(key_result.objective_ref))
        if index is None:
            return
        cycle = self.directory.cycle(self.parsed.objectives[index].cycle)
        if cycle and not cycle.start <= row.on <= cycle.end:
            self.problem(
                row,
                "date",
                f"{row.on.isoformat()} is outside the cycle {cycle.name} "
                f"({cycle.start.isoformat()} to {cycle.end.isoformat()}) of the key result's objective.",
            )

    def _currents(self, latest: dict[int, CheckInRow]) -> None:
        """A key result's `current` must agree with its latest check-in, if it has one."""
        for index, row in enumerate(self.parsed.key_results):
            last = latest.get(index)
            if row.current is not None and last is not None and last.value != row.current:
                self.problem(
                    row,
                    "current",
                    f"current is {row.current:g} but the latest check-in (row {last.row}) says "
                    f"{last.value:g}: leave current empty, or make them agree.",
                )

    # --- loops ------------------------------------------------------------------------

    def _loops(self) -> None:
        """Report each loop of parents once, at its first objective in the file."""
        parent_of: dict[int, int] = {}
        for index, row in enumerate(self.parsed.objectives):
            if row.parent_ref:
                parent = self._parent_index(ref_key(row.parent_ref))
                if parent is not None and parent != index:
                    parent_of[index] = parent
        done: set[int] = set()
        for start in range(len(self.parsed.objectives)):
            path: list[int] = []
            on_path: set[int] = set()
            node: int | None = start
            while node is not None and node not in done and node not in on_path:
                path.append(node)
                on_path.add(node)
                node = parent_of.get(node)
            if node is not None and node in on_path:
                loop = path[path.index(node) :]
                first = min(loop)
                refs = [self.parsed.objectives[i].ref for i in loop]
                rotate = loop.index(first)
                refs = refs[rotate:] + refs[:rotate]
                self.problem(
                    self.parsed.objectives[first],
                    "parent",
                    f"These parents make a loop: {' → '.join([*refs, refs[0]])}. An objective "
                    "cannot align, directly or through a key result, to one aligned below it.",
                )
            done.update(path)

    def _parent_index(self, key: str) -> int | None:
        if key in self.out.objective_at:
            return self.out.objective_at[key]
        if key in self.out.key_result_at:
            kr = self.parsed.key_results[self.out.key_result_at[key]]
            return self.out.objective_at.get(ref_key(kr.objective_ref))
        return None

    # --- warnings ---------------------------------------------------------------------------

    def _duplicates_warning(self) -> None:
        existing = self.directory.existing
        if not existing:
            return
        again = [
            row
            for row in self.parsed.objectives
            if (cycle := self.directory.cycle(row.cycle))
            and (" ".join(row.title.lower().split()), cycle.id) in existing
        ]
        if again:
            titles = ", ".join(f"'{row.title}'" for row in again[:5])
            self.out.warnings.append(
                Problem(
                    again[0].row,
                    self.header.get("title", "title"),
                    f"{len(again):,} objectives already exist with the same title in the same cycle "
                    f"({titles}{' …' if len(again) > 5 else ''}): importing would add them again.",
                    again[0].sheet,
                )
            )
