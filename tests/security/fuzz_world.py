"""The organisation the API fuzzer works on, and the hooks that steer it to real rows.

Random integers almost never name an existing objective, so a fuzzer left alone
would meet little but 404s and never reach the services behind them. The hooks below
let Hypothesis choose, parameter by parameter, between its own value and the id of a
real row of Acme (or of Globex, which must stay invisible): the rules behind every
lookup then run against real data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from headway.accounts.models import Membership, Role
from headway.accounts.services import api_token_create
from headway.goals import services as goals
from headway.goals.models import KeyResult, Objective
from tests.flagged import check_in, running_cycle
from tests.security.conftest import Matrix, build


@dataclass
class FuzzWorld:
    matrix: Matrix
    # A fresh bearer token per persona of the matrix that may write everything.
    tokens: dict[str, str]
    # Real values per parameter name, e.g. "key_result_id" → [public, private, Globex's].
    values: dict[str, list[Any]]


def build_fuzz_world() -> FuzzWorld:
    """The authorization matrix's Acme, with a little more history to compute on."""
    matrix = build()
    world = matrix.world
    public_kr = KeyResult.objects.get(pk=matrix.ids["key_result_id"])
    for value, confidence, days_ago in ((20, 6, 21), (35, 7, 14), (40, 8, 7)):
        check_in(world.bob, public_kr, value, confidence, days_ago)
    cycle_id = matrix.ids["cycle_id"]
    milestone = goals.objective_create(
        member=world.alice,
        cycle_id=cycle_id,
        owner_team_id=world.root.pk,
        title="Open the Lyon depot",
        key_results=[{"title": "Depot opened", "kind": "milestone"}],
    )
    globex = goals.objective_create(
        member=world.charlie,
        cycle_id=running_cycle(world.globex).pk,
        owner_team_id=world.globex_team.pk,
        title="Globex's own plan",
        key_results=[{"title": "Globex measure", "start_value": 0, "target_value": 10}],
    )
    admin = Membership.objects.get(organisation=world.acme, role=Role.ADMIN)
    tokens = {
        "owner": api_token_create(member=world.alice, name="fuzzer")[1],
        "admin": api_token_create(member=admin, name="fuzzer")[1],
    }
    return FuzzWorld(matrix, tokens, _values(matrix, milestone, globex))


def _values(matrix: Matrix, milestone: Objective, globex: Objective) -> dict[str, list[Any]]:
    ids, private, world = matrix.ids, matrix.private, matrix.world
    values: dict[str, list[Any]] = {}
    for name, value in ids.items():
        values.setdefault(name, []).append(value)
    for name, value in private.items():
        values[name].append(value)
    values["objective_id"] += [milestone.pk, globex.pk]
    values["key_result_id"] += [
        milestone.key_results.get().pk,
        globex.key_results.get().pk,
    ]
    values["team_id"] += [world.root.pk, world.globex_team.pk]
    values["cycle_id"].append(globex.cycle_id)
    values["member_id"] += [world.alice.pk, world.dave.pk, world.charlie.pk]
    values["user_id"] += [world.alice.user.pk, world.charlie.user.pk]
    values["slug"] += [world.root.slug, world.globex_team.slug]
    # Body and query fields that name the same kinds of rows.
    alias = {
        "owner_team_id": "team_id",
        "bubble_team_id": "team_id",
        "team_ids": "team_id",
        "pilot_team_ids": "team_id",
        "key_result_ids": "key_result_id",
        "objective_ids": "objective_id",
        "theme_ids": "theme_id",
        "strategy_theme_ids": "theme_id",
        "stop_initiative_ids": "initiative_id",
        "previous_cycle_id": "cycle_id",
        "carried_from_id": "objective_id",
        "child_id": "objective_id",
        "owner_id": "member_id",
        "owner_user_id": "user_id",
        "champion_id": "member_id",
        "pilot_phase_id": "phase_id",
        "closest_theme_id": "theme_id",
    }
    for name, kind in alias.items():
        values[name] = values[kind]
    # A parent is a team, a theme, an objective or a key result, depending on the form.
    values["parent_id"] = _unique(
        values["team_id"] + values["theme_id"] + values["objective_id"] + values["key_result_id"]
    )
    return values


def _unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _real_or_fuzzed(values: dict[str, list[Any]], name: str, fuzzed: Any) -> st.SearchStrategy:
    """Hypothesis picks a real row's id or keeps its own value (shrinking to a real one).

    Its own text may also get a NUL character, which JSON carries and PostgreSQL
    cannot store; Hypothesis's strings rarely hold one.
    """
    own = st.just(fuzzed)
    if isinstance(fuzzed, str):
        own = st.sampled_from([fuzzed] * 4 + [fuzzed + "\x00"])
    real = values.get(name)
    if not real or isinstance(fuzzed, dict):
        return own
    if name.endswith("_ids") or isinstance(fuzzed, list):
        return st.one_of(st.lists(st.sampled_from(real), max_size=3, unique=True), own)
    return st.one_of(st.sampled_from(real), own)


def steer(values: dict[str, list[Any]], generated: Any, path: str = "") -> st.SearchStrategy:
    """A strategy over `generated` (path, query or body) with real ids and NULs mixed in.

    Path parameters that mean different things on different routes (`token`, `name`)
    are keyed "name:route" in the matrix's ids.
    """
    if not isinstance(generated, dict):
        return st.just(generated)
    parts = {}
    for name, fuzzed in generated.items():
        key = f"{name}:{path}" if f"{name}:{path}" in values else name
        parts[name] = _real_or_fuzzed(values, key, fuzzed)
    return st.fixed_dictionaries(parts)
