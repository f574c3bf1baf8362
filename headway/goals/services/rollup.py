"""Keeping stored progress current, and proving it.

A change to a key result or an alignment link calls `rollup(objective_ids)`, which
recomputes those objectives and every objective they contribute to, in dependency
order, inside the caller's transaction. The work follows the number of ancestors,
never the size of the organisation. `recompute_all` rebuilds everything from the
check-ins and reports every stored value that differs.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, FloatField, OuterRef, Subquery, Value, When

from .. import scoring
from ..models import (
    AlignmentLink,
    CheckIn,
    KeyResult,
    KeyResultStatus,
    LinkKind,
    Objective,
    ObjectiveStatus,
)

TOLERANCE = 1e-9


def measure_of(key_result: KeyResult) -> scoring.Measure:
    return scoring.Measure(
        kind=scoring.KeyResultKind(key_result.kind),
        start=key_result.start_value,
        target=key_result.target_value,
        current=key_result.current_value,
        direction=scoring.MaintainDirection(key_result.direction),
    )


def key_result_refresh(key_result: KeyResult) -> None:
    """Set the key result's progress fields from its current value (no save)."""
    progress = scoring.key_result_progress(measure_of(key_result))
    key_result.progress = progress.value
    key_result.progress_raw = progress.raw


def _parent_edges(child_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(child, parent objective) pairs of contributing links; a link to a key result
    counts in that key result's objective."""
    rows = AlignmentLink.objects.filter(
        child_id__in=list(child_ids), kind=LinkKind.CONTRIBUTES
    ).values_list("child_id", "parent_objective_id", "parent_key_result__objective_id")
    return [(child, parent or via_kr) for child, parent, via_kr in rows if (parent or via_kr)]


def objective_ancestors(objective_ids: Iterable[int]) -> tuple[set[int], list[tuple[int, int]]]:
    """Every objective the given ones contribute to, directly or through others, and
    the edges between them. One query per level of the alignment graph."""
    seen = set(objective_ids)
    edges: list[tuple[int, int]] = []
    frontier = set(seen)
    while frontier:
        level = _parent_edges(frontier)
        edges.extend(level)
        frontier = {parent for _, parent in level} - seen
        seen |= frontier
    return seen, edges


def _topological(nodes: set[int], edges: list[tuple[int, int]]) -> list[int]:
    """Children before parents (Kahn's algorithm); the graph has no loops."""
    waiting: dict[int, int] = defaultdict(int)
    parents_of: dict[int, list[int]] = defaultdict(list)
    for child, parent in set(edges):
        waiting[parent] += 1
        parents_of[child].append(parent)
    ready = deque(sorted(n for n in nodes if waiting[n] == 0))
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for parent in parents_of[node]:
            waiting[parent] -= 1
            if waiting[parent] == 0:
                ready.append(parent)
    return order


def _progress_inputs(
    objective_ids: set[int],
) -> tuple[
    list[tuple[int, tuple[float, float | None]]], list[tuple[int, int, tuple[float, float | None]]]
]:
    """What the progress of these objectives is made of, in two queries whatever their
    number: (objective, (weight, progress)) of their active key results, and
    (parent, child, (weight, child's stored progress)) of their contributing children."""
    ids = list(objective_ids)
    key_results = KeyResult.objects.filter(
        objective_id__in=ids, status=KeyResultStatus.ACTIVE
    ).values_list("objective_id", "weight", "progress")
    contributing = (
        AlignmentLink.objects.filter(kind=LinkKind.CONTRIBUTES)
        .exclude(child__status=ObjectiveStatus.DRAFT)
        .order_by()  # SQLite takes no ORDER BY inside a UNION branch
    )
    # Two branches joined by UNION ALL, each on its own index; one OR across both
    # columns makes PostgreSQL scan every link of the database.
    children = (
        contributing.filter(parent_objective_id__in=ids)
        .values_list("parent_objective_id", "child_id", "weight", "child__progress")
        .union(
            contributing.filter(parent_key_result__objective_id__in=ids).values_list(
                "parent_key_result__objective_id", "child_id", "weight", "child__progress"
            ),
            all=True,
        )
    )
    return (
        [(objective, (weight, progress)) for objective, weight, progress in key_results],
        [(parent, child, (weight, progress)) for parent, child, weight, progress in children],
    )


def lock_objectives(objective_ids: Iterable[int]) -> None:
    """Row locks in primary-key order, so concurrent roll-ups over shared ancestors
    queue instead of overwriting each other, and never deadlock. (SQLite takes the
    database write lock at BEGIN IMMEDIATE instead.)"""
    list(
        Objective.objects.select_for_update()
        .filter(pk__in=list(objective_ids))
        .order_by("pk")
        .values_list("pk")
    )


def rollup(
    objective_ids: Iterable[int],
    *,
    locked: bool = False,
    graph: tuple[set[int], list[tuple[int, int]]] | None = None,
) -> dict[int, float | None]:
    """Recompute these objectives and all they contribute to; returns the progress of
    every objective it recomputed, by id.

    `graph` is `objective_ancestors(objective_ids)` when the caller already walked it
    (to lock the rows), so the walk is not repeated.
    """
    nodes, edges = graph or objective_ancestors(objective_ids)
    if not locked:
        lock_objectives(nodes)
    stored = {
        pk: (progress, count_children)
        for pk, progress, count_children in Objective.objects.filter(pk__in=nodes).values_list(
            "pk", "progress", "organisation__count_child_progress"
        )
    }
    key_results, children = _progress_inputs(nodes)
    own: dict[int, list[tuple[float, float | None]]] = defaultdict(list)
    for objective, item in key_results:
        own[objective].append(item)
    below: dict[int, list[tuple[int, float, float | None]]] = defaultdict(list)
    for parent, child, (weight, progress) in children:
        below[parent].append((child, weight, progress))
    # Children come before parents, so a child recomputed here lends its new value.
    progress_by_id: dict[int, float | None] = {}
    for pk in _topological(nodes, edges):
        items = [
            (weight, progress_by_id.get(child, progress)) for child, weight, progress in below[pk]
        ]
        progress_by_id[pk] = scoring.objective_progress(own[pk], items, stored[pk][1])
    _store_progress({pk: p for pk, p in progress_by_id.items() if not _same(p, stored[pk][0])})
    return progress_by_id


def _store_progress(changed: dict[int, float | None]) -> None:
    """One UPDATE for all objectives whose progress moved."""
    if not changed:
        return
    if len(changed) == 1:
        ((pk, progress),) = changed.items()
        Objective.objects.filter(pk=pk).update(progress=progress)
        return
    whens = [
        When(pk=pk, then=Value(progress, output_field=FloatField()))
        for pk, progress in changed.items()
    ]
    Objective.objects.filter(pk__in=list(changed)).update(
        progress=Case(*whens, output_field=FloatField())
    )


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= TOLERANCE


@dataclass(frozen=True)
class Difference:
    model: str
    pk: int
    field: str
    stored: float | None
    computed: float | None

    def __str__(self) -> str:
        return f"{self.model} {self.pk} {self.field}: stored {self.stored}, from check-ins {self.computed}"


KR_COLUMNS = (
    "pk",
    "objective_id",
    "kind",
    "start_value",
    "target_value",
    "direction",
    "weight",
    "status",
    "current_value",
    "progress",
    "progress_raw",
    "confidence",
    "last_checkin_at",
)


def _key_result_rows(organisation_id: int | None) -> list[dict[str, Any]]:
    """Key results with their latest check-in, as plain rows: recompute reads only the
    columns it needs and builds no model instances. Two queries: the key results, then
    their latest check-ins found through one index probe per key result."""
    key_results = KeyResult.objects.all()
    if organisation_id is not None:
        key_results = key_results.filter(organisation_id=organisation_id)
    if connection.vendor == "postgresql":
        # DISTINCT ON reads each key result's newest check-in in one ordered pass.
        checkins = CheckIn.objects.filter(key_result__in=key_results.values("pk"))
        newest_rows = checkins.order_by("key_result_id", "-created_at", "-pk").distinct(
            "key_result_id"
        )
    else:
        newest = CheckIn.objects.filter(key_result=OuterRef("pk")).order_by("-created_at", "-pk")
        latest_ids = key_results.annotate(latest=Subquery(newest.values("pk")[:1])).values("latest")
        newest_rows = CheckIn.objects.filter(pk__in=latest_ids)
    latest = {
        kr: (value, confidence, at)
        for kr, value, confidence, at in newest_rows.values_list(
            "key_result_id", "value", "confidence", "created_at"
        )
    }
    rows = list(key_results.values(*KR_COLUMNS))
    for row in rows:
        row["latest_value"], row["latest_confidence"], row["latest_at"] = latest.get(
            row["pk"], (None, None, None)
        )
    return rows


def _measure(row: dict[str, Any]) -> scoring.Measure:
    return scoring.Measure(
        kind=scoring.KeyResultKind(row["kind"]),
        start=row["start_value"],
        target=row["target_value"],
        current=row["latest_value"],
        direction=scoring.MaintainDirection(row["direction"]),
    )


def recompute_all(*, organisation_id: int | None = None, write: bool = True) -> list[Difference]:
    """Rebuild key result and objective progress from the check-ins.

    Returns every stored value that differed; with write=True those rows (and only
    those) are corrected.
    """
    differences: list[Difference] = []
    changed: list[KeyResult] = []
    kr_items: dict[int, list[tuple[float, float | None]]] = defaultdict(list)
    for row in _key_result_rows(organisation_id):
        progress = scoring.key_result_progress(_measure(row))
        computed = {
            "current_value": row["latest_value"],
            "progress": progress.value,
            "progress_raw": progress.raw,
        }
        found = [
            Difference("key result", row["pk"], field, row[field], value)
            for field, value in computed.items()
            if not _same(row[field], value)
        ]
        stale = (
            found
            or row["confidence"] != row["latest_confidence"]
            or row["last_checkin_at"] != row["latest_at"]
        )
        if row["status"] == KeyResultStatus.ACTIVE:  # objectives roll up from recomputed values
            kr_items[row["objective_id"]].append((row["weight"], progress.value))
        differences.extend(found)
        if stale:
            changed.append(
                KeyResult(
                    pk=row["pk"],
                    confidence=row["latest_confidence"],
                    last_checkin_at=row["latest_at"],
                    **computed,
                )
            )
    if write and changed:
        KeyResult.objects.bulk_update(
            changed,
            ["current_value", "confidence", "last_checkin_at", "progress", "progress_raw"],
            batch_size=2000,
        )
    differences.extend(_recompute_objectives(organisation_id, kr_items, write))
    return differences


def _recompute_objectives(
    organisation_id: int | None, kr_items: dict[int, list[tuple[float, float | None]]], write: bool
) -> list[Difference]:
    objectives = Objective.objects.all()
    links = AlignmentLink.objects.filter(kind=LinkKind.CONTRIBUTES)
    if organisation_id is not None:
        objectives = objectives.filter(organisation_id=organisation_id)
        links = links.filter(organisation_id=organisation_id)
    rows = list(
        objectives.values_list("pk", "status", "progress", "organisation__count_child_progress")
    )
    stored = {pk: progress for pk, _status, progress, _count in rows}
    draft = {pk for pk, status, _progress, _count in rows if status == ObjectiveStatus.DRAFT}
    count_children = {pk: count for pk, _status, _progress, count in rows}
    edges, child_weights = [], defaultdict(list)
    for child, parent, via_kr, weight in links.values_list(
        "child_id", "parent_objective_id", "parent_key_result__objective_id", "weight"
    ):
        target = parent or via_kr
        if target in stored and child in stored:
            edges.append((child, target))
            child_weights[target].append((child, weight))
    computed: dict[int, float | None] = {}
    differences, changed = [], []
    for pk in _topological(set(stored), edges):
        children = [
            (weight, computed[child]) for child, weight in child_weights[pk] if child not in draft
        ]
        progress = scoring.objective_progress(kr_items[pk], children, count_children[pk])
        computed[pk] = progress
        if not _same(progress, stored[pk]):
            differences.append(Difference("objective", pk, "progress", stored[pk], progress))
            changed.append(Objective(pk=pk, progress=progress))
    if write and changed:
        Objective.objects.bulk_update(changed, ["progress"], batch_size=2000)
    return differences
