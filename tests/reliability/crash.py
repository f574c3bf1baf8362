"""The kill harness: check-in storms and imports while the web server and the task
worker are killed with SIGKILL at random moments and started again; then the checks
that matter to a user: no import half written, no acknowledged check-in missing, and
stored progress equal to what the check-ins say.

Used by `scripts/kill_harness.py` (`make crash`, 20+ kills) and by
tests/reliability/test_crash.py (a few kills, in the suite). Clients behave as a
careful client does: every check-in carries an Idempotency-Key, and a request that got
no answer (the server died under it) is sent again with the same key until it is
answered. Kinds of kill:

  web         the gunicorn master and its workers at once; started again after a pause
  web-worker  one gunicorn worker, mid-request or not; the master starts another
  worker      the task worker, preferably while an import is being checked or written;
              started again at once
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import signal
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .data import IMPORT_PREFIX
from .live import Client, Database, Site

KINDS = ("web", "web-worker", "worker")
RUNNING = ("validating", "importing")
FINAL = ("done", "invalid", "failed")
HEADERS = [
    "type", "ref", "title", "cycle", "owner", "parent", "link",
    "objective", "kind", "start", "target", "key result", "date", "value", "confidence",
]  # fmt: skip


@dataclass
class Figures:
    """What one run did and found."""

    database: str = ""
    kills: Counter[str] = field(default_factory=Counter)
    requests: Counter[int] = field(default_factory=Counter)  # check-in posts by status; 0 = none
    import_requests: Counter[int] = field(default_factory=Counter)  # uploads, polls, confirms
    acknowledged: int = 0  # check-ins that got a 2xx
    verified: int = 0  # ... and are stored, once, on their key result
    replayed: int = 0  # a retry answered 200 with the first check-in
    imports: Counter[str] = field(default_factory=Counter)  # by final status
    imports_in_flight: int = 0  # worker killed while an import was validating or importing
    imports_killed: int = 0  # import tasks killed mid-run (left "running" by a dead worker)
    imports_resumed: int = 0  # ... and queued again by the next worker (imports_resume)
    partial_imports: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    verify: str = ""
    verify_ok: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            self.verify_ok
            and not self.missing
            and not self.duplicated
            and not self.partial_imports
            and not any(status >= 500 for status in self.requests + self.import_requests)
            and self.verified == self.acknowledged
            and not self.imports["validating"]
            and not self.imports["importing"]
        )

    def summary(self) -> str:
        kills = ", ".join(f"{kind} {self.kills[kind]}" for kind in KINDS)
        return "\n".join(
            [
                f"database: {self.database}",
                f"kills: {sum(self.kills.values())} ({kills})",
                f"check-ins acknowledged: {self.acknowledged}, stored exactly once: "
                f"{self.verified}, answered by a replay after a lost answer: {self.replayed}",
                f"check-in requests by status: {_statuses(self.requests)}",
                f"import requests by status: {_statuses(self.import_requests)}",
                f"imports: {dict(self.imports)}; worker killed while an import was in flight: "
                f"{self.imports_in_flight}; import tasks killed mid-run: {self.imports_killed}, "
                f"resumed: {self.imports_resumed}; partial imports: {len(self.partial_imports)}",
                f"missing check-ins: {len(self.missing)}, duplicated: {len(self.duplicated)}",
                f"recompute --verify: {'clean' if self.verify_ok else self.verify}",
                f"time: {self.seconds:.1f} s",
                f"result: {'OK' if self.ok else 'FAILED'}",
            ]
        )


def _statuses(counter: Counter[int]) -> str:
    return ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(counter.items()))


class Storm:
    """Check-in clients and an importer running against a site until stopped."""

    def __init__(self, site: Site, clients: int, import_objectives: int, seed: int) -> None:
        self.site, self.clients, self.import_objectives = site, clients, import_objectives
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked: dict[str, tuple[int, int]] = {}  # key -> (check-in id, key result)
        self.requests: Counter[int] = Counter()
        self.import_requests: Counter[int] = Counter()
        self.replayed = 0
        self.import_state = ""  # the importer's job as last seen: "validating", ...
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for n in range(self.clients):
            self.threads.append(threading.Thread(target=self._checkins, args=(n,), daemon=True))
        self.threads.append(threading.Thread(target=self._imports, daemon=True))
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _count(self, status: int, counter: Counter[int]) -> None:
        with self.lock:
            counter[status] += 1

    def _until_answered(self, send: Any, counter: Counter[int], patience: float = 60) -> Any:
        """Send again until the server answers (it may be down for a moment)."""
        deadline = time.monotonic() + patience
        while True:
            answer = send()
            self._count(answer.status, counter)
            if answer.status not in (0, 502, 503, 504) or time.monotonic() > deadline:
                return answer
            time.sleep(0.2)

    # --- check-ins --------------------------------------------------------------------

    def _checkins(self, n: int) -> None:
        seeded = self.site.seeded
        key_results = [*seeded["siblings"], seeded["company_kr"]]
        client = Client(self.site.port, seeded["tokens"][n], timeout=30)
        rng = random.Random(n)
        while not self.stop.is_set():
            key_result = rng.choice(key_results)
            key = str(uuid.uuid4())
            value = rng.randint(0, 100)
            answer = self._until_answered(
                partial(client.checkin, key_result, value, key=key), self.requests
            )
            if answer.status in (200, 201):
                with self.lock:
                    self.acked[key] = (answer.body["checkin"]["id"], key_result)
                    self.replayed += answer.status == 200
        client.close()

    # --- imports ----------------------------------------------------------------------

    def _imports(self) -> None:
        client = Client(self.site.port, self.site.seeded["tokens"][-1], timeout=60)
        number = 0
        while not self.stop.is_set():
            number += 1
            name = f"imp{number}"
            content = import_csv(self.site.seeded, name, self.import_objectives)
            # No retry: an upload whose answer was lost may have made a job; the next
            # file has a name of its own, so each name belongs to one job.
            answer = client.upload(f"{name}.csv", content)
            self._count(answer.status, self.import_requests)
            if answer.status != 202:
                time.sleep(0.2)
                continue
            job = answer.body["id"]
            if self._follow(client, job, until="ready") == "ready":
                self._until_answered(
                    partial(client.request, "POST", f"/imports/{job}/confirm"),
                    self.import_requests,
                )
                self._follow(client, job, until="done")
        client.close()

    def _follow(self, client: Client, job: int, until: str, patience: float = 30) -> str:
        """Poll a job until it reaches `until` or a final state, or is stuck."""
        deadline = time.monotonic() + patience
        status = ""
        while time.monotonic() < deadline and not self.stop.is_set():
            answer = self._until_answered(
                partial(client.request, "GET", f"/imports/{job}"), self.import_requests
            )
            status = answer.body.get("status", "") if isinstance(answer.body, dict) else ""
            self.import_state = status
            if status == until or status in FINAL:
                break
            time.sleep(0.1)
        self.import_state = ""
        return status


def import_csv(seeded: dict[str, Any], name: str, objectives: int) -> bytes:
    """A Headway template CSV: `objectives` objectives (each after the first
    contributing to the one before), three key results each, two check-ins each."""
    today = dt.date.today()
    days = [max(dt.date(today.year, 1, 1), today - dt.timedelta(days=7)), today]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)

    def row(**values: Any) -> None:
        writer.writerow([values.get(header.replace(" ", "_"), "") for header in HEADERS])

    for n in range(objectives):
        row(
            type="objective",
            ref=f"O{n}",
            title=f"{IMPORT_PREFIX}{name} objective {n}",
            cycle=seeded["cycle"],
            owner=seeded["owner_email"],
            parent=f"O{n - 1}" if n else "",
            link="contributes" if n else "",
        )
        for k in range(3):
            ref = f"K{n}.{k}"
            row(
                type="key result",
                ref=ref,
                objective=f"O{n}",
                title=f"Measure {k} of {n}",
                kind="increase",
                start=0,
                target=100,
            )
            for i, day in enumerate(days):
                row(
                    type="check-in",
                    key_result=ref,
                    date=day.isoformat(),
                    value=(n + k + i) % 100,
                    confidence=6,
                )
    return out.getvalue().encode()


# --- the run --------------------------------------------------------------------------


def kill_once(site: Site, storm: Storm, rng: random.Random, kind: str, figures: Figures) -> None:
    if kind == "web":
        site.kill("web")
        time.sleep(rng.uniform(0.1, 1.5))
        site.start_web()
    elif kind == "web-worker":
        workers = site.web_workers()
        if workers:
            os.kill(rng.choice(workers), signal.SIGKILL)
    else:
        # Aim at an import in flight when one comes within a few seconds.
        deadline = time.monotonic() + 4
        while storm.import_state not in RUNNING and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.1, 0.8))  # into the task, with luck
        in_flight = storm.import_state in RUNNING
        site.kill("worker")
        figures.imports_in_flight += in_flight
        site.start_worker()
    figures.kills[kind] += 1


def run(
    data_dir: Path,
    kills: int,
    clients: int = 6,
    import_objectives: int = 150,
    pause: tuple[float, float] = (0.5, 2.5),
    seed: int = 12,
    out: Any = print,
    plan: list[str] | None = None,
) -> Figures:
    """Seed a fresh database, storm it while killing `kills` times, then check. The
    kinds of kill: `plan` if given, else each kind once, then at random."""
    started = time.monotonic()
    database = Database.create(data_dir)
    site = Site(data_dir, database)
    figures = Figures(database=database.vendor)
    rng = random.Random(seed)
    try:
        site.prepare()
        site.start_web()
        site.start_worker()
        out(f"{time.monotonic() - started:.1f} s: {database.vendor} migrated and seeded, serving")
        storm = Storm(site, clients, import_objectives, seed)
        storm.start()
        for n in range(kills):
            time.sleep(rng.uniform(*pause))
            kind = (plan or KINDS)[n] if n < len(plan or KINDS) else rng.choice(KINDS)
            kill_once(site, storm, rng, kind, figures)
            out(f"{time.monotonic() - started:.1f} s: kill {n + 1}/{kills}: {kind}")
        time.sleep(pause[1])
        storm.join()
        _settle(site)
        site.stop()
        out(f"{time.monotonic() - started:.1f} s: stopped; checking")
        _check(site, storm, figures)
    finally:
        site.stop()
        database.drop()
    figures.seconds = time.monotonic() - started
    return figures


def _settle(site: Site, patience: float = 30) -> None:
    """Give the worker time to finish the imports still queued."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if not any(job["status"] in RUNNING for job in site.data("report")["imports"]):
            return
        time.sleep(1)


def _check(site: Site, storm: Storm, figures: Figures) -> None:
    report = site.data("report")
    stored: dict[str, list[tuple[int, int]]] = {}
    for pk, key_result, key in report["checkins"]:
        if key:
            stored.setdefault(key, []).append((pk, key_result))
    figures.requests = storm.requests
    figures.import_requests = storm.import_requests
    figures.replayed = storm.replayed
    figures.acknowledged = len(storm.acked)
    for key, (pk, key_result) in storm.acked.items():
        rows = stored.get(key, [])
        if rows == [(pk, key_result)]:
            figures.verified += 1
        elif not rows:
            figures.missing.append(f"check-in {pk} (key {key})")
        else:
            figures.duplicated.append(f"key {key}: {rows}")
    expected = (storm.import_objectives, storm.import_objectives * 3, storm.import_objectives * 6)
    for job in report["imports"]:
        figures.imports[job["status"]] += 1
        written = (job["objectives"], job["key_results"], job["checkins"])
        # All or nothing, and "done" exactly when all of it is there.
        if written != ((0, 0, 0), expected)[job["status"] == "done"]:
            figures.partial_imports.append(f"{job['filename']} ({job['status']}): {written}")
    figures.imports_killed = sum(
        task in ("import_validate_task RUNNING", "import_write_task RUNNING")
        for task in report["tasks"]
    )
    figures.imports_resumed = sum(
        len(ids.split(","))
        for ids in re.findall(r"Imports \[([\d, ]+)\] lost their task", site.log("worker", None))
    )
    verify = site.command("recompute", "--verify")
    figures.verify_ok = verify.returncode == 0
    figures.verify = (verify.stdout + verify.stderr).strip()[-2000:]
