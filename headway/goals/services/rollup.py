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

from django.db.models import OuterRef, Q, Subquery

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


def objective_progress_now(objective: Objective, count_children: bool) -> float | None:
    """An objective's progress from its stored key results and contributing children."""
    key_results = KeyResult.objects.filter(
        objective=objective, status=KeyResultStatus.ACTIVE
    ).values_list("weight", "progress")
    children = (
        AlignmentLink.objects.filter(kind=LinkKind.CONTRIBUTES)
        .filter(
            Q(parent_objective_id=objective.pk)
            | Q(parent_key_result__in=KeyResult.objects.filter(objective=objective).values("pk"))
        )
        .exclude(child__status=ObjectiveStatus.DRAFT)
        .values_list("weight", "child__progress")
    )
    return scoring.objective_progress(list(key_results), list(children), count_children)


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
) -> set[int]:
    """Recompute these objectives and all they contribute to; returns the changed ids.

    `graph` is `objective_ancestors(objective_ids)` when the caller already walked it
    (to lock the rows), so the walk is not repeated.
    """
    nodes, edges = graph or objective_ancestors(objective_ids)
    if not locked:
        lock_objectives(nodes)
    objectives = {
        o.pk: o for o in Objective.objects.select_related("organisation").filter(pk__in=nodes)
    }
    changed = set()
    for pk in _topological(nodes, edges):
        objective = objectives[pk]
        progress = objective_progress_now(objective, objective.organisation.count_child_progress)
        if not _same(progress, objective.progress):
            Objective.objects.filter(pk=pk).update(progress=progress)
            objective.progress = progress
            changed.add(pk)
    return changed


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


def _latest_checkins(organisation_id: int | None) -> dict[int, tuple[Any, Any, Any]]:
    latest = CheckIn.objects.filter(key_result=OuterRef("pk")).order_by("-created_at", "-pk")
    rows = KeyResult.objects.all()
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    rows = rows.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_confidence=Subquery(latest.values("confidence")[:1]),
        latest_at=Subquery(latest.values("created_at")[:1]),
    )
    return {r.pk: (r.latest_value, r.latest_confidence, r.latest_at) for r in rows.only("pk")}


def recompute_all(*, organisation_id: int | None = None, write: bool = True) -> list[Difference]:
    """Rebuild key result and objective progress from the check-ins.

    Returns every stored value that differed; with write=True they are corrected.
    """
    differences: list[Difference] = []
    latest = _latest_checkins(organisation_id)
    key_results = KeyResult.objects.filter(pk__in=latest.keys())
    kr_rows = []
    for kr in key_results:
        value, confidence, at = latest[kr.pk]
        before = (kr.current_value, kr.progress, kr.progress_raw)
        kr.current_value = value
        kr.confidence = confidence
        kr.last_checkin_at = at
        key_result_refresh(kr)
        for field, old, new in zip(
            ("current_value", "progress", "progress_raw"),
            before,
            (kr.current_value, kr.progress, kr.progress_raw),
            strict=True,
        ):
            if not _same(old, new):
                differences.append(Difference("key result", kr.pk, field, old, new))
        kr_rows.append(kr)
    if write:
        KeyResult.objects.bulk_update(
            kr_rows,
            ["current_value", "confidence", "last_checkin_at", "progress", "progress_raw"],
            batch_size=2000,
        )
    differences.extend(_recompute_objectives(organisation_id, {kr.pk: kr for kr in kr_rows}, write))
    return differences


def _recompute_objectives(
    organisation_id: int | None, key_results: dict[int, KeyResult], write: bool
) -> list[Difference]:
    objectives = Objective.objects.select_related("organisation")
    if organisation_id is not None:
        objectives = objectives.filter(organisation_id=organisation_id)
    by_pk = {o.pk: o for o in objectives}
    kr_items: dict[int, list[tuple[float, float | None]]] = defaultdict(list)
    for kr in key_results.values():
        if kr.status == KeyResultStatus.ACTIVE:
            kr_items[kr.objective_id].append((kr.weight, kr.progress))
    links = AlignmentLink.objects.filter(
        child_id__in=by_pk.keys(), kind=LinkKind.CONTRIBUTES
    ).values_list("child_id", "parent_objective_id", "parent_key_result__objective_id", "weight")
    edges, child_weights = [], defaultdict(list)
    for child, parent, via_kr, weight in links:
        target = parent or via_kr
        if target in by_pk:
            edges.append((child, target))
            child_weights[target].append((child, weight))
    differences, changed = [], []
    for pk in _topological(set(by_pk), edges):
        objective = by_pk[pk]
        children = [
            (weight, by_pk[child].progress)
            for child, weight in child_weights[pk]
            if by_pk[child].status != ObjectiveStatus.DRAFT
        ]
        progress = scoring.objective_progress(
            kr_items[pk], children, objective.organisation.count_child_progress
        )
        if not _same(progress, objective.progress):
            differences.append(
                Difference("objective", pk, "progress", objective.progress, progress)
            )
            objective.progress = progress
            changed.append(objective)
    if write and changed:
        Objective.objects.bulk_update(changed, ["progress"], batch_size=2000)
    return differences
