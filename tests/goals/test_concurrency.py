"""Simultaneous check-ins from real threads, each with its own database connection,
on SQLite (serialised writes) and PostgreSQL (row locks): nothing is lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from headway.goals import services
from headway.goals.models import CheckIn
from headway.goals.services.rollup import recompute_all
from headway.lib.errors import Conflict

from .conftest import reload

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def _in_thread(work):
    def run(*args):
        try:
            return work(*args)
        finally:
            connection.close()

    return run


def _check_in(member, key_result, value, key=None):
    return services.checkin_create(
        member=member, key_result_id=key_result.pk, value=value, confidence=5, idempotency_key=key
    )


def test_simultaneous_check_ins_on_sibling_key_results_lose_nothing(world, okrs):
    jobs = [(okrs.deploys if n % 2 else okrs.incidents, n) for n in range(40)]
    with ThreadPoolExecutor(THREADS) as pool:
        list(
            pool.map(
                _in_thread(lambda kr, n: _check_in(world.bob, kr, 2 + n % 9)),
                *zip(*jobs, strict=True),
            )
        )
    assert CheckIn.objects.count() == 40
    assert recompute_all(write=False) == []
    deploys, incidents = reload(okrs.deploys, okrs.incidents)
    for kr in (deploys, incidents):
        assert (
            kr.current_value
            == CheckIn.objects.filter(key_result=kr).latest("created_at", "pk").value
        )


def test_simultaneous_check_ins_on_one_key_result_keep_the_latest(world, okrs):
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(_in_thread(lambda n: _check_in(world.bob, okrs.deploys, n)), range(24)))
    assert CheckIn.objects.filter(key_result=okrs.deploys).count() == 24
    assert recompute_all(write=False) == []


def test_retries_with_one_idempotency_key_make_one_check_in(world, okrs):
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(
            pool.map(
                _in_thread(lambda n: _check_in(world.bob, okrs.deploys, 6, "same-key")), range(16)
            )
        )
    assert CheckIn.objects.count() == 1
    assert sum(result.created for result in results) == 1
    assert {result.checkin.pk for result in results} == {CheckIn.objects.get().pk}


def test_concurrent_edits_with_one_version_let_exactly_one_win(world, okrs):
    version = okrs.platform.version

    def edit(n):
        try:
            services.objective_update(
                member=world.bob, objective=okrs.platform, version=version, title=f"Edit {n}"
            )
            return "saved"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(_in_thread(edit), range(THREADS)))
    assert outcomes.count("saved") == 1
    assert outcomes.count("conflict") == THREADS - 1
    assert reload(okrs.platform)[0].version == version + 1
