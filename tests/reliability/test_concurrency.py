"""Many clients at once against a real gunicorn (2 workers) on a fresh database, SQLite
or PostgreSQL (HEADWAY_DATABASE_URL): every acknowledged check-in is stored exactly
once, a retried Idempotency-Key makes one check-in, concurrent edits of one version
of an objective let exactly one through, no request gets a 5xx, and stored progress
still equals what the check-ins say (`headway recompute --verify`)."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from .live import Answer, Client, Database, Site

pytestmark = pytest.mark.worker  # starts real server processes

THREADS = 12


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir: Path = tmp_path_factory.mktemp("concurrency")
    database = Database.create(data_dir)
    live = Site(data_dir, database)
    try:
        live.prepare()
        live.start_web()
        yield live
    finally:
        live.stop()
        database.drop()


def at_once(count: int, action: Callable[[int, threading.Barrier], Any]) -> list[Any]:
    """Run `action(n, barrier)` in `count` threads that start together."""
    barrier = threading.Barrier(count)
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda n: action(n, barrier), range(count)))


def stored_checkins(site: Site) -> dict[int, list[int]]:
    by_key_result: dict[int, list[int]] = {}
    for pk, key_result, _key in site.data("report")["checkins"]:
        by_key_result.setdefault(key_result, []).append(pk)
    return by_key_result


def assert_verified(site: Site) -> None:
    verify = site.command("recompute", "--verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_every_acknowledged_check_in_is_stored_exactly_once(site: Site) -> None:
    hot, *others = site.seeded["siblings"]
    before = stored_checkins(site)
    per_client = 12

    def storm(n: int, barrier: threading.Barrier) -> list[tuple[int, Answer]]:
        client = Client(site.port, site.seeded["tokens"][n])
        barrier.wait()
        sent = []
        for i in range(per_client):
            # Half on one key result, half spread over its siblings: all roll up
            # through the same two objectives.
            key_result = hot if i % 2 == 0 else others[(n + i) % len(others)]
            sent.append((key_result, client.checkin(key_result, n * 100 + i)))
        client.close()
        return sent

    results = [pair for sent in at_once(THREADS, storm) for pair in sent]

    assert Counter(answer.status for _, answer in results) == {201: THREADS * per_client}
    acknowledged: dict[int, list[int]] = {}
    for key_result, answer in results:
        assert answer.body["checkin"]["key_result_id"] == key_result
        acknowledged.setdefault(key_result, []).append(answer.body["checkin"]["id"])
    stored = stored_checkins(site)
    for key_result, ids in acknowledged.items():
        new = sorted(set(stored[key_result]) - set(before.get(key_result, [])))
        assert new == sorted(ids)  # none lost, none doubled, none extra
    assert len(acknowledged[hot]) == THREADS * per_client // 2
    assert_verified(site)


def test_a_retried_idempotency_key_makes_one_check_in(site: Site) -> None:
    key_result = site.seeded["siblings"][1]
    token = site.seeded["tokens"][0]
    keys = [str(uuid.uuid4()) for _ in range(5)]
    answers: list[Answer] = []
    for key in keys:

        def retry(n: int, barrier: threading.Barrier, key: str = key) -> Answer:
            client = Client(site.port, token)  # the same author on its own connection
            barrier.wait()
            answer = client.checkin(key_result, 42 + n, key=key)
            client.close()
            return answer

        concurrent = at_once(8, retry)
        assert sorted(a.status for a in concurrent) == [200] * 7 + [201], concurrent
        assert all(
            a.headers.get("idempotent-replayed") == "true" for a in concurrent if a.status == 200
        )
        first = {a.body["checkin"]["id"] for a in concurrent}
        assert len(first) == 1
        later = Client(site.port, token)
        sequential = [later.checkin(key_result, 7, key=key) for _ in range(3)]
        later.close()
        assert {(a.status, a.body["checkin"]["id"]) for a in sequential} == {(200, *first)}
        answers.extend(concurrent + sequential)

    stored_keys = Counter(key for _pk, _kr, key in site.data("report")["checkins"] if key)
    assert {key: stored_keys[key] for key in keys} == dict.fromkeys(keys, 1)
    assert_verified(site)


def test_concurrent_edits_of_one_version_let_exactly_one_through(site: Site) -> None:
    objective = site.seeded["team"]
    reader = Client(site.port, site.seeded["tokens"][0])
    for round_ in range(4):
        version = reader.request("GET", f"/objectives/{objective}").body["version"]

        def edit(
            n: int, barrier: threading.Barrier, version: int = version, round_: int = round_
        ) -> Answer:
            client = Client(site.port, site.seeded["tokens"][n])
            barrier.wait()
            answer = client.json(
                "PATCH",
                f"/objectives/{objective}",
                {"version": version, "title": f"Round {round_}: client {n}'s title"},
            )
            client.close()
            return answer

        answers = at_once(THREADS, edit)

        assert sorted(a.status for a in answers) == [200] + [409] * (THREADS - 1)
        winner = next(a.body for a in answers if a.status == 200)
        for lost in (a for a in answers if a.status == 409):
            assert lost.body["status"] == 409 and "version" in lost.body["detail"]
        now = reader.request("GET", f"/objectives/{objective}").body
        assert (now["title"], now["version"]) == (winner["title"], version + 1)
    reader.close()
    assert_verified(site)
