"""The rules of an organisation document that span rows: what the database's
constraints would refuse (one owner per objective, one parent per link, ends after
starts, one open flag per kind, a row listed twice …), loops (teams, cycles, alignment)
and key result plans inside their cycle (stored, like the services store them, as
sorted [day, value] pairs). Each problem is (JSON path, message).

Run by `json_import.Reader` once every field and reference is known to be sound, so
these checks can follow references without guarding against missing keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from headway.goals.models import Cycle
from headway.goals.services.plans import plan_clean

if TYPE_CHECKING:
    from .json_import import Item

Found = Iterator[tuple[str, str]]
Items = dict[str, list["Item"]]
Keys = dict[str, dict[str, "Item"]]


def check_plan(items: Items, keys: Keys) -> list[tuple[str, str]]:
    """Every cross-row problem of the document."""
    found: list[tuple[str, str]] = []
    for check in CHECKS:
        found.extend(check(items, keys))
    return found


def _value(item: Item, name: str) -> Any:
    return getattr(item.instance, name)


# --- the database's rules ----------------------------------------------------------------


def _objective_owners(items: Items, keys: Keys) -> Found:
    for item in items["objectives"]:
        if (item.refs["owner_team"] is None) == (item.refs["owner_user"] is None):
            yield item.path, "Give the objective one owner: owner_team or owner_user, not both."


def _links(items: Items, keys: Keys) -> Found:
    parents = ("parent_theme", "parent_objective", "parent_key_result")
    seen: dict[tuple[str, str, str], str] = {}
    for item in items["alignment_links"]:
        given = [(name, item.refs[name]) for name in parents if item.refs[name] is not None]
        if len(given) != 1:
            yield item.path, "Give the link one parent: a theme, an objective or a key result."
            continue
        if _value(item, "weight") <= 0:
            yield f"{item.path}.weight", "The weight must be above 0."
        name, key = given[0]
        pair = (str(item.refs["child"]), name, str(key))
        if pair in seen:
            yield item.path, f"The same link is listed twice (also at {seen[pair]})."
        seen.setdefault(pair, item.path)


def _key_results(items: Items, keys: Keys) -> Found:
    for item in items["key_results"]:
        if _value(item, "weight") <= 0:
            yield f"{item.path}.weight", "The weight must be above 0."
        score = _value(item, "score_override")
        if score is not None and not 0 <= score <= 1:
            yield f"{item.path}.score_override", "A score is between 0 and 1."
        objective = keys["objectives"][str(item.refs["objective"])]
        cycle = keys["cycles"][str(objective.refs["cycle"])].instance
        assert isinstance(cycle, Cycle)
        errors: dict[str, str] = {}
        # Stored as the services store it: [[day, value], ...] sorted by day.
        item.instance.plan = plan_clean(  # type: ignore[attr-defined]
            errors, _value(item, "plan"), kind=_value(item, "kind"), cycle=cycle
        )
        for name, message in errors.items():
            yield f"{item.path}.{name}", message


def _dates(items: Items, keys: Keys) -> Found:
    for item in items["cycles"]:
        if _value(item, "end_date") <= _value(item, "start_date"):
            yield f"{item.path}.end_date", "A cycle ends after it starts."
    for item in items["purpose_surveys"]:
        if _value(item, "closes_on") < _value(item, "opens_on"):
            yield f"{item.path}.closes_on", "A survey closes on or after the day it opens."
    for plan in items["rollout_plans"]:
        for phase in plan.children["phases"]:
            if _value(phase, "ends_on") < _value(phase, "starts_on"):
                yield f"{phase.path}.ends_on", "A phase ends on or after the day it starts."


def _open_flags(items: Items, keys: Keys) -> Found:
    seen: dict[tuple[str, str], str] = {}
    for item in items["flags"]:
        if _value(item, "resolved_at") is not None:
            continue
        pair = (str(item.refs["key_result"]), _value(item, "kind"))
        if pair in seen:
            yield item.path, f"A key result has one open flag of a kind (also at {seen[pair]})."
        seen.setdefault(pair, item.path)


def _discovery(items: Items, keys: Keys) -> Found:
    seen: dict[str | None, str] = {}
    for item in items["discovery"]:
        team = item.refs["team"]
        if team in seen:
            whose = f"team {team}" if team else "the organisation"
            yield item.path, f"There is one discovery record for {whose} (also at {seen[team]})."
        seen.setdefault(team, item.path)


def _once(rows: list[Item], name: str, what: str) -> Found:
    """Rows (nested in one parent) that repeat `name`."""
    counts = Counter(item.refs.get(name) or _value(item, name) for item in rows)
    for item in rows:
        value = item.refs.get(name) or _value(item, name)
        if counts[value] > 1:
            yield f"{item.path}.{name}", f"{what} {value!r} is listed more than once."
            counts[value] = 0


def _nested_unique(items: Items, keys: Keys) -> Found:
    for team in items["teams"]:
        yield from _once(team.children["members"], "user", "The person")
    for plan in items["rollout_plans"]:
        for phase in plan.children["phases"]:
            yield from _once(phase.children["teams"], "team", "The team")
            yield from _once(phase.children["criteria"], "metric", "The metric")
    for section in ("initiatives", "discovery", "purpose_surveys"):
        for item in items[section]:
            for name, listed in item.many.items():
                for key, count in Counter(listed).items():
                    if count > 1:
                        yield f"{item.path}.{name}", f"{key!r} is listed more than once."


# --- loops -------------------------------------------------------------------------------


def _loops(edges: dict[str, list[str]], where: dict[str, str], what: str) -> Found:
    """One problem per loop in the graph key → parent keys (iterative colouring)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in edges:
        if state.get(start):
            continue
        stack = [(start, iter(edges.get(start, [])))]
        state[start] = 1
        while stack:
            node, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                state[node] = 2
                stack.pop()
            elif state.get(parent) == 1:
                yield where[parent], f"{what} loop: {parent!r} ends up above itself."
            elif not state.get(parent):
                state[parent] = 1
                stack.append((parent, iter(edges.get(parent, []))))


def _tree_loops(items: Items, keys: Keys) -> Found:
    for section, what in (("teams", "The team tree has a"), ("cycles", "The cycles have a")):
        edges = {
            str(item.key): [str(item.refs["parent"])] if item.refs["parent"] else []
            for item in items[section]
        }
        where = {str(item.key): f"{item.path}.parent" for item in items[section]}
        yield from _loops(edges, where, what)


def _alignment_loops(items: Items, keys: Keys) -> Found:
    edges: dict[str, list[str]] = {}
    where: dict[str, str] = {}
    for item in items["alignment_links"]:
        child = str(item.refs["child"])
        parent = item.refs["parent_objective"]
        if item.refs["parent_key_result"] is not None:
            parent = keys["key_results"][item.refs["parent_key_result"]].refs["objective"]
        if parent is not None:
            edges.setdefault(child, []).append(parent)
            where.setdefault(child, item.path)
    for objective in items["objectives"]:
        where.setdefault(str(objective.key), objective.path)
    yield from _loops(edges, where, "The alignment has a")


CHECKS: tuple[Callable[[Items, Keys], Found], ...] = (
    _objective_owners,
    _links,
    _key_results,
    _dates,
    _open_flags,
    _discovery,
    _nested_unique,
    _tree_loops,
    _alignment_loops,
)
