"""The timing harness: `headway bench run --scale S|M|L`.

Every figure is timed with one warm-up and `--repeat` timed runs (p50, p95), in this
process, through the same code a user reaches: django.test.Client requests (URL
routing, middleware, authentication, views, templates or API schemas) for pages and
API endpoints, the services for bulk create, and a real gunicorn with 2 workers for
HTTP throughput. Figures are printed as a table marked against the targets of
issue 4 and written to a JSON file.

Adding a page or an endpoint is one line in PAGES or API; adding an analysis is one
line in PLANNED until it exists, then a function in MEASURES.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from headway.accounts.models import Membership, Organisation, Role
from headway.accounts.services import api_token_create
from headway.goals.models import (
    AlignmentLink,
    CheckIn,
    Cycle,
    CycleKind,
    CycleStatus,
    KeyResult,
    KeyResultStatus,
    LinkKind,
    Objective,
    ObjectiveStatus,
)
from headway.goals.services import checkin_create, objectives_bulk_create, recompute_all
from headway.goals.services.rollup import objective_ancestors
from headway.teams.models import Team, TeamMembership

from . import database
from .generate import SCALES, generate

ROOT = Path(__file__).resolve().parent.parent
Out = Callable[[str], None]


# --- what is measured, and against what --------------------------------------------


@dataclass(frozen=True)
class Target:
    text: str  # as the issue states it
    check: Callable[[dict[str, Any], str], bool | None]  # (figure, db vendor) -> met?


def _p50_at_most(ms: float) -> Target:
    return Target(f"p50 ≤ {ms:g} ms at L", lambda f, db: f["p50_ms"] <= ms)


PAGE_TARGET = _p50_at_most(100)

# Pages, server time through the full Django stack. `{org}`, `{root}` (the top team),
# `{team}` (a level-2 team's slug), `{objective}` (an objective of that team with
# children) are filled in; a URL that does not resolve is reported as "not built yet". New page: one line.
PAGES: list[tuple[str, str, str | None]] = [
    ("page_home", "Organisation home / my work", "/o/{org}/"),
    ("page_team_tree", "Team tree", "/o/{org}/teams/"),
    ("page_team", "Team page", "/o/{org}/teams/{team}/"),
    ("page_people", "People", "/o/{org}/people/"),
    ("page_objective", "Objective page", "/o/{org}/objectives/{objective}/"),
    ("page_alignment_map", "Alignment map, first level", "/o/{org}/alignment/"),
    ("page_needs_attention", "Needs attention", "/o/{org}/attention/"),
    # The organisation at a glance: the top team's page (its objectives, and how many of
    # the whole organisation's key results need attention).
    ("page_dashboard", "Organisation dashboard (top team's page)", "/o/{org}/teams/{root}/"),
    ("page_checkin_team", "Weekly check-in screen, a team", "/o/{org}/teams/{team}/check-in/"),
    ("page_checkin_mine", "Weekly check-in screen, mine", "/o/{org}/check-in/"),
]

# API endpoints (bearer token). The issue sets no number for them: pages' 100 ms is
# shown for reference only.
API: list[tuple[str, str, str]] = [
    ("api_teams", "GET /api/v1/teams", "/api/v1/teams"),
    ("api_members", "GET /api/v1/members", "/api/v1/members"),
    (
        "api_objectives_cycle",
        "GET /api/v1/objectives?cycle_id=",
        "/api/v1/objectives?cycle_id={quarter}",
    ),
    (
        "api_objectives_team",
        "GET /api/v1/objectives?team_id=",
        "/api/v1/objectives?team_id={team_id}",
    ),
    (
        "api_key_results_cycle",
        "GET /api/v1/key-results?cycle_id=",
        "/api/v1/key-results?cycle_id={quarter}",
    ),
    ("api_objective_detail", "GET /api/v1/objectives/{id}", "/api/v1/objectives/{objective}"),
]

# Capabilities of later issues: listed with their targets until they land.
PLANNED: list[tuple[str, str, str]] = []

TARGETS: dict[str, Target] = {
    "recompute_full": Target("≤ 2 s at L", lambda f, db: f["p50_ms"] <= 2000),
    "bulk_create_1000x3": Target(
        "≤ 3 s", lambda f, db: f["p50_ms"] <= 3000 if f["objectives"] == 1000 else None
    ),
    "http_checkin_throughput": Target(
        "≥ 300/s, p99 ≤ 100 ms (PostgreSQL); ≥ 150/s (SQLite)",
        lambda f, db: (
            f["requests_per_s"] >= (300 if db == "postgresql" else 150)
            and (db != "postgresql" or f["p99_ms"] <= 100)
            and f["errors"] == 0
        ),
    ),
    "web_worker_peak_rss": Target("≤ 150 MB at L", lambda f, db: f["value"] <= 150),
    "alignment_health": Target("≤ 2 s at L", lambda f, db: f["p50_ms"] <= 2000),
    "flags_forecasts": Target("≤ 5 s at L", lambda f, db: f["p50_ms"] <= 5000),
    "purpose_analysis": Target("≤ 10 s", lambda f, db: f["p50_ms"] <= 10_000),
    "forecast_one": Target("≤ 10 ms", lambda f, db: f["p50_ms"] <= 10),
    "leader_brief": Target("≤ 3 s", lambda f, db: f["p50_ms"] <= 3000),
    "import_50k": Target(
        "≤ 60 s", lambda f, db: f["p50_ms"] <= 60_000 if f["rows"] >= 50_000 else None
    ),
}


# --- timing --------------------------------------------------------------------------


def _quantile(samples: list[float], q: int) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def timed(action: Callable[[int], Any], repeat: int, warmup: int = 1) -> dict[str, Any]:
    """Run action(i) warmup + repeat times; p50/p95 of the timed runs in ms."""
    for i in range(warmup):
        action(-1 - i)
    samples = []
    for i in range(repeat):
        started = time.perf_counter()
        action(i)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_quantile(samples, 95), 2),
        "min_ms": round(min(samples), 2),
        "max_ms": round(max(samples), 2),
        "runs": repeat,
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- the organisation under test -----------------------------------------------------


@dataclass
class Subject:
    organisation: Organisation
    owner: Membership
    quarter: Cycle
    team: Team  # a level-2 team
    objective: Objective  # an objective of a level-1 team with aligned children
    checkin_pool: list[KeyResult]  # KRs deep in the tree, with ancestors to roll up to
    ancestors: int  # median number of objectives a check-in of the pool rolls up to
    token: str


def _levels(organisation: Organisation) -> dict[int, int]:
    return {
        t.pk: t.tree_depth
        for t in Team.objects.filter(organisation=organisation).with_tree_fields()
    }


def subject(organisation: Organisation, pool_size: int) -> Subject:
    owner = Membership.objects.select_related("organisation", "user").get(
        organisation=organisation, role=Role.OWNER
    )
    quarter = Cycle.objects.filter(
        organisation=organisation, kind=CycleKind.QUARTER, status=CycleStatus.ACTIVE
    ).latest("start_date")
    levels = _levels(organisation)
    deepest = max(levels.values())
    level2 = sorted(pk for pk, depth in levels.items() if depth == min(2, deepest))
    team = Team.objects.get(pk=level2[0])
    with_children = set(
        AlignmentLink.objects.filter(
            organisation=organisation, parent_objective__isnull=False
        ).values_list("parent_objective_id", flat=True)
    )
    level1 = [pk for pk, depth in levels.items() if depth == min(1, deepest)]
    objective = (
        Objective.objects.filter(owner_team_id__in=level1, pk__in=with_children)
        .order_by("pk")
        .first()
    ) or Objective.objects.filter(organisation=organisation).earliest("pk")
    deep_teams = [pk for pk, depth in levels.items() if depth == deepest]
    pool = list(
        KeyResult.objects.filter(
            organisation=organisation,
            status=KeyResultStatus.ACTIVE,
            objective__status=ObjectiveStatus.ACTIVE,
            objective__cycle__status=CycleStatus.ACTIVE,
            objective__owner_team_id__in=deep_teams,
            objective__parent_links__kind=LinkKind.CONTRIBUTES,
        )
        .distinct()
        .order_by("pk")[:pool_size]
    )
    if not pool:
        pool = list(
            KeyResult.objects.filter(organisation=organisation, status="active")[:pool_size]
        )
    sizes = sorted(len(objective_ancestors([kr.objective_id])[0]) for kr in pool[:25])
    _, token = api_token_create(member=owner, name=f"bench {dt.datetime.now():%Y-%m-%d %H:%M}")
    return Subject(
        organisation, owner, quarter, team, objective, pool, sizes[len(sizes) // 2], token
    )


def checkin_body(kr: KeyResult, i: int) -> dict[str, Any]:
    """A valid new value that moves the key result (alternating), so roll-up writes."""
    if kr.kind == KeyResult.Kind.MILESTONE:
        value: Any = "done" if i % 2 else "not done"
    elif kr.kind == KeyResult.Kind.MAINTAIN:
        threshold = kr.target_value or 0.0
        value = threshold + (1 if i % 2 else -1) * max(1.0, abs(threshold) * 0.01)
    else:
        value = kr.target_value if i % 2 else kr.start_value
    return {"value": value, "confidence": 5 + i % 4, "note": "bench"}


# --- the measures --------------------------------------------------------------------


def measure_recompute(s: Subject, repeat: int, warmup: int = 1) -> dict[str, Any]:
    differences: list[Any] = []

    def action(i: int) -> None:
        differences[:] = recompute_all(organisation_id=s.organisation.pk, write=False)

    figure = timed(action, repeat, warmup)
    figure["differences"] = len(differences)
    figure["note"] = "recompute_all(write=False): every key result and objective from the check-ins"
    return figure


def measure_alignment_health(s: Subject, repeat: int, warmup: int = 1) -> dict[str, Any]:
    from headway.goals.selectors_alignment import alignment_health

    cycle = s.quarter

    def action(i: int) -> None:
        alignment_health(s.owner, cycle, wording=True)

    figure = timed(action, repeat, warmup)
    figure["note"] = (
        "alignment_health(owner, quarter, wording=True): shares, orphans, depth, duplicates, links to check"
    )
    return figure


def measure_coach_all(s: Subject, repeat: int, warmup: int = 1) -> dict[str, Any]:
    from headway.coach.selectors import coach_summary

    summary = coach_summary(s.owner, s.quarter)  # also loads the model before timing

    def action(i: int) -> None:
        coach_summary(s.owner, s.quarter)

    figure = timed(action, repeat, warmup)
    figure["key_results"] = summary.total.total
    figure["note"] = (
        f"coach_summary(owner, quarter): {summary.total.total:,} key results read, classified "
        "and checked, with their objectives (pure checks: scripts/measure_coach.py)"
    )
    return figure


def measure_flags_forecasts(s: Subject, repeat: int, warmup: int = 1) -> dict[str, Any]:
    from headway.insights.metrics import flags, forecast, pace
    from headway.insights.selectors import key_result_series, thresholds_of, today_number

    found: dict[str, int] = {}

    def action(i: int) -> None:
        series = key_result_series(s.organisation)
        today = today_number()
        expected = pace.expected_progress(series, today)
        thresholds = thresholds_of(s.organisation)
        pace.status_codes(series, expected, thresholds, today)
        forecasts = forecast.forecast(series, today)
        findings = flags.detect(series, today, thresholds, expected, forecasts)
        found.update(
            key_results=len(series),
            checkins=int(series.checkin_day.shape[0]),
            forecasts=int(forecasts.enough.sum()),
            flags=len(findings),
        )

    figure = timed(action, repeat, warmup)
    figure.update(found)
    figure["note"] = (
        f"load {found['key_results']:,} key results in play and {found['checkins']:,} check-ins, "
        "then pace, status, forecast and every flag rule (pure part: scripts/measure_insights.py)"
    )
    return figure


def measure_purpose_analysis(s: Subject, repeat: int, warmup: int = 1) -> dict[str, Any]:
    from headway.discovery.models import PurposeSurvey
    from headway.discovery.services_analysis import survey_analyse

    survey = PurposeSurvey.objects.filter(organisation=s.organisation).first()
    if survey is None:
        return {"status": "not generated", "note": "regenerate the organisation (--regenerate)"}
    found: dict[str, Any] = {}

    def action(i: int) -> None:
        analysis = survey_analyse(survey.pk).analysis or {}
        found.update(
            answers=analysis.get("answer_count", 0),
            clusters=len(analysis.get("clusters", [])),
            teams=len(analysis.get("groups", {}).get("teams", {})),
        )

    figure = timed(action, repeat, warmup)
    figure.update(found)
    figure["note"] = (
        f"survey_analyse: read {found['answers']:,} answers, embed them with the static model, "
        f"coherence, closeness, {found['clusters']} clusters, {found['teams']} teams, one write"
    )
    return figure


def measure_flags_refresh(s: Subject, repeat: int, warmup: int = 1) -> dict[str, Any]:
    from headway.insights.services import flags_refresh

    last: list[Any] = []

    def action(i: int) -> None:
        last[:] = [flags_refresh(s.organisation)]

    figure = timed(action, repeat, warmup)
    figure["note"] = f"flags_refresh(organisation), steady state after the first run: {last[0]}"
    return figure


def measure_forecast_one(s: Subject, repeat: int, warmup: int = 1) -> dict[str, Any]:
    from headway.goals.models import KeyResult
    from headway.insights.selectors import key_result_insights

    key_result = (
        KeyResult.objects.filter(objective_id=s.objective.pk).order_by("pk").first()
        or KeyResult.objects.filter(organisation=s.organisation).order_by("-pk").first()
    )

    def action(i: int) -> None:
        key_result_insights(
            s.organisation, KeyResult.objects.filter(pk=key_result.pk), with_band=True
        )

    figure = timed(action, max(repeat, 20), warmup)
    figure["note"] = (
        "key_result_insights for one key result with its band: two queries and the maths"
    )
    return figure


def bench_rollout_plan(s: Subject) -> Any:
    """A rollout plan for the brief to read, made once through the services: a pilot of
    two level-2 teams over the latest closed quarter (or the current one), then the
    whole organisation."""
    from headway.rollout.models import RolloutPlan
    from headway.rollout.services import plan_create

    found = RolloutPlan.objects.filter(organisation=s.organisation, title="Bench rollout").first()
    if found is not None:
        return found
    quarters = Cycle.objects.filter(organisation=s.organisation, kind=CycleKind.QUARTER)
    pilot = quarters.filter(status=CycleStatus.CLOSED).order_by("-end_date").first() or s.quarter
    levels = _levels(s.organisation)
    teams = sorted(pk for pk, depth in levels.items() if depth == min(2, max(levels.values())))
    tops = [pk for pk, depth in levels.items() if depth == 0]
    after = s.quarter.end_date + dt.timedelta(days=1)
    phases = [
        {
            "name": "Pilot",
            "kind": "pilot",
            "starts_on": pilot.start_date,
            "ends_on": pilot.end_date,
            "cycle_id": pilot.pk,
            "teams": teams[:2],
        },
        {
            "name": "The whole organisation",
            "kind": "organisation",
            "starts_on": after,
            "expected_weeks": 26,
            "teams": [{"team_id": pk, "with_subtree": True} for pk in tops],
        },
    ]
    return plan_create(member=s.owner, title="Bench rollout", phases=phases)


def measure_leader_brief(s: Subject, repeat: int, warmup: int = 1) -> dict[str, Any]:
    from headway.rollout.brief import leader_brief

    bench_rollout_plan(s)
    found: dict[str, Any] = {}

    def action(i: int) -> None:
        with CaptureQueriesContext(connection) as queries:
            brief = leader_brief(s.owner, s.owner.pk, "strategy_execution")
        found.update(queries=len(queries), figures=sum(1 for _ in brief.figures()))

    figure = timed(action, repeat, warmup)
    figure.update(found)
    figure["note"] = (
        f"leader_brief(owner, owner, strategy_execution) over the whole organisation: "
        f"{found['figures']} figures, {found['queries']} queries (rendering aside)"
    )
    return figure


def _api_client(s: Subject) -> Client:
    return Client(headers={"Authorization": f"Bearer {s.token}"})


def measure_checkin(s: Subject, repeat: int, warmup: int = 1) -> dict[str, Any]:
    client = _api_client(s)
    path = "/api/v1/key-results/{}/check-ins"
    pool = s.checkin_pool
    probe = client.post(
        path.format(pool[0].pk), checkin_body(pool[0], 0), content_type="application/json"
    )
    built = probe.status_code not in (404, 405)

    if built:

        def action(i: int) -> None:
            kr = pool[i % len(pool)]
            response = client.post(
                path.format(kr.pk),
                checkin_body(kr, i),
                content_type="application/json",
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            if response.status_code != 201:
                raise RuntimeError(
                    f"check-in answered {response.status_code}: {response.content[:300]!r}"
                )

        note = "POST /api/v1/key-results/{id}/check-ins through django.test.Client, committed"
    else:

        def action(i: int) -> None:
            kr = pool[i % len(pool)]
            body = checkin_body(kr, i)
            checkin_create(
                member=s.owner,
                key_result_id=kr.pk,
                value=body["value"],
                confidence=body["confidence"],
            )

        note = "API endpoint missing: the checkin_create service call instead"
    figure = timed(action, repeat, warmup)
    figure["queries"] = _queries(lambda: action(repeat + 1))
    figure["ancestors"] = s.ancestors
    figure["note"] = f"{note}; rolls up to {s.ancestors} objectives (median)"
    return figure


def _queries(action: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def _resolves(path: str, api: bool = False) -> bool:
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return False
    return not (api and match.func.__module__.endswith("fallback"))


def _format(template: str, s: Subject) -> str:
    return template.format(
        org=s.organisation.slug,
        team=s.team.slug,
        root=Team.objects.filter(organisation=s.organisation, parent__isnull=True)
        .order_by("pk")
        .values_list("slug", flat=True)[0],
        team_id=s.team.pk,
        objective=s.objective.pk,
        quarter=s.quarter.pk,
    )


def measure_get(client: Client, path: str, repeat: int, api: bool) -> dict[str, Any]:
    if not _resolves(path, api=api):
        return {"status": "not built yet", "note": f"{path} does not resolve"}
    first = client.get(path)
    if first.status_code == 404:
        return {"status": "skipped", "note": f"{path} answered 404"}
    if first.status_code != 200:
        return {"status": "error", "note": f"{path} answered {first.status_code}"}

    def action(i: int) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")

    figure = timed(action, repeat, warmup=0)  # the first request above was the warm-up
    figure["queries"] = _queries(lambda: client.get(path))
    figure["bytes"] = len(first.content)
    figure["path"] = path
    return figure


def measure_bulk_create(
    s: Subject, repeat: int, warmup: int = 1, size: int = 1000
) -> dict[str, Any]:
    teams = list(
        TeamMembership.objects.filter(organisation=s.organisation).values_list(
            "team_id", flat=True
        )[:50]
    )
    rows = [
        {
            "title": f"Bench bulk objective {n}",
            "cycle_id": s.quarter.pk,
            "owner_team_id": teams[n % len(teams)],
            "key_results": [
                {
                    "title": f"Bench KR {n}.{k}",
                    "kind": "increase",
                    "start_value": 0,
                    "target_value": 100,
                }
                for k in range(3)
            ],
        }
        for n in range(size)
    ]

    def action(i: int) -> None:
        with transaction.atomic():
            created = objectives_bulk_create(member=s.owner, objectives=rows)
            assert len(created) == size
            transaction.set_rollback(True)

    figure = timed(action, repeat, warmup)
    figure["objectives"] = size
    figure["note"] = f"objectives_bulk_create, {size:,} objectives × 3 key results, rolled back"
    return figure


def _proc_status_mb(field: str) -> float | None:
    """VmRSS or VmHWM of this process in MB (Linux), None where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Restart the peak RSS (VmHWM) from the current RSS (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure_import(objectives: int = 5_000) -> dict[str, Any]:
    """The whole `headway import` path (store the file, read and check it, check it
    again and write it in one transaction) for a generated file of ten rows per objective
    rows into a fresh organisation, once; everything is rolled back afterwards. The
    peak RSS is the process's high-water mark during the import."""
    from headway.transfer.services import import_run

    from .import_file import import_csv, import_organisation

    figure: dict[str, Any] = {}
    with transaction.atomic():
        subject = import_organisation("bench-import", dt.date.today())
        content = import_csv(subject, objectives)
        before = _proc_status_mb("VmRSS")
        measured_peak = _reset_peak_rss()
        jobs = []

        def action(i: int) -> None:
            jobs.append(
                import_run(
                    member=subject.owner, filename="bench.csv", content=content, format="csv"
                )
            )

        figure = timed(action, repeat=1, warmup=0)
        peak = _proc_status_mb("VmHWM") if measured_peak else None
        figure["rows"] = content.count(b"\n") - 1
        figure["megabytes"] = round(len(content) / 2**20, 1)
        figure["created"] = jobs[0].created
        figure["differences"] = len(
            recompute_all(organisation_id=subject.organisation.pk, write=False)
        )
        if peak is not None and before is not None:
            figure["peak_rss_mb"], figure["rss_growth_mb"] = peak, round(peak - before, 1)
        if jobs[0].status != "done":
            figure["status"] = "error"
        transaction.set_rollback(True)
    figure["note"] = (
        f"{figure['rows']:,} rows ({figure['megabytes']} MB CSV) into a fresh organisation, "
        "checked twice and written in one transaction, then rolled back"
    )
    return figure


# --- HTTP throughput against gunicorn ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure_http(
    s: Subject,
    seconds: float,
    clients: int,
    out: Out,
    gets: list[tuple[str, dict[str, str]]] = (),  # type: ignore[assignment]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check-ins per second against gunicorn with 2 workers, then one GET of every
    page and endpoint in `gets`, and the workers' peak RSS after all of it."""
    path = "/api/v1/key-results/{}/check-ins"
    if not _resolves(path.format(1), api=True):
        skipped = {
            "status": "skipped",
            "note": "POST /api/v1/key-results/{id}/check-ins is not built yet",
        }
        return skipped, dict(skipped)
    port = _free_port()
    log = Path(settings.DATA_DIR) / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HEADWAY_DATABASE_URL": database.current_url()}
    connections.close_all()  # hold no connection (nor SQLite lock) while the server writes
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "headway.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        headers = {"Authorization": f"Bearer {s.token}", "Content-Type": "application/json"}
        _wait_ready(port, headers, server, log)
        pool = s.checkin_pool
        # Warm both workers up (imports, first queries) before the clock starts.
        for i in range(8):
            _post(
                port,
                path.format(pool[i % len(pool)].pk),
                checkin_body(pool[i % len(pool)], i),
                headers,
            )
        latencies: list[list[float]] = [[] for _ in range(clients)]
        errors = [0] * clients
        statuses: dict[int, int] = {}
        deadline = time.perf_counter() + seconds
        lock = threading.Lock()

        def client(n: int) -> None:
            mine = pool[n::clients] or pool
            i = 0
            while time.perf_counter() < deadline:
                kr = mine[i % len(mine)]
                started = time.perf_counter()
                try:
                    status = _post(port, path.format(kr.pk), checkin_body(kr, i), headers)
                except OSError:
                    status = 0
                latencies[n].append((time.perf_counter() - started) * 1000)
                if status != 201:
                    errors[n] += 1
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                i += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        everything = sorted(x for per in latencies for x in per)
        # Pages and lists through the same workers, so their peak RSS includes rendering;
        # the workers' highest VmHWM after each path shows which one made it grow.
        get_statuses: list[int] = []
        rss_after = {
            "(check-in throughput)": max(
                (_vm_hwm_mb(pid) for pid in _children(server.pid)), default=0.0
            )
        }
        for get_path, get_headers in gets:
            get_statuses += [_get(port, get_path, get_headers) for _ in range(2)]
            rss_after[get_path] = max(
                (_vm_hwm_mb(pid) for pid in _children(server.pid)), default=0.0
            )
        workers = _children(server.pid)
        rss = {pid: _vm_hwm_mb(pid) for pid in workers}
    finally:
        server.terminate()
        server.wait(timeout=30)
    throughput = {
        "requests": len(everything),
        "requests_per_s": round(len(everything) / elapsed, 1),
        "p50_ms": round(statistics.median(everything), 2),
        "p99_ms": round(_quantile(everything, 99), 2),
        "errors": sum(errors),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "clients": clients,
        "seconds": round(elapsed, 1),
        "note": f"gunicorn --workers 2 (sync), {clients} client threads in the runner, one check-in per request, each to a different key result",
    }
    memory = {
        "value": max(rss.values(), default=0.0),
        "unit": "MB",
        "workers": list(rss.values()),
        "after_throughput_and_each_get": rss_after,
        "note": (
            "VmHWM of the gunicorn workers after the throughput test and two GETs of each "
            f"page and API endpoint above (answers: {sorted(set(get_statuses))})"
        ),
    }
    out(f"  gunicorn log: {log}")
    return throughput, memory


def _post(port: int, path: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST", path, json.dumps(body), {**headers, "Idempotency-Key": uuid.uuid4().hex}
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _get(port: int, path: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        conn.close()


def _wait_ready(
    port: int, headers: dict[str, str], server: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped; see {log}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/me", headers=headers)
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")


# --- the run -------------------------------------------------------------------------


def _counts(organisation: Organisation) -> dict[str, int]:
    org = organisation.pk
    return {
        "people": Membership.objects.filter(organisation_id=org).count(),
        "teams": Team.objects.filter(organisation_id=org).count(),
        "levels": max(_levels(organisation).values()) + 1,
        "objectives": Objective.objects.filter(organisation_id=org).count(),
        "key_results": KeyResult.objects.filter(organisation_id=org).count(),
        "alignment_links": AlignmentLink.objects.filter(organisation_id=org).count(),
        "checkins": CheckIn.objects.filter(organisation_id=org).count(),
    }


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+uncommitted" if dirty else "")


def default_json(scale: str, vendor: str) -> Path:
    return Path(settings.DATA_DIR) / "bench" / f"bench-{scale.lower()}-{vendor}.json"


def run(options: dict[str, Any], out: Out = print) -> dict[str, Any]:
    scale = SCALES[options["scale"]]
    slug = options.get("org") or f"bench-{scale.name.lower()}"
    repeat = max(1, int(options.get("repeat") or 5))
    warmup = 1 if options.get("warmup") is None else int(options["warmup"])
    bulk = int(options.get("bulk") or 1000)
    vendor = connection.vendor
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or options.get("regenerate"):
        out(f"Generating {slug} (scale {scale.name})…")
        organisation = generate(
            scale, seed=options.get("seed") or 1, slug=slug, out=out
        ).organisation
    load_before = os.getloadavg()
    s = subject(organisation, pool_size=max(200, int(options.get("clients") or 8) * 25))
    out(f"Benchmark of {slug} on {vendor}, {repeat} runs per figure after {warmup} warm-up")
    figures: dict[str, dict[str, Any]] = {}

    def record(key: str, label: str, figure: dict[str, Any]) -> None:
        figure = {"label": label, **figure}
        target = TARGETS.get(key) or (PAGE_TARGET if key.startswith("page_") else None)
        if key.startswith("api_"):
            figure.setdefault("target", "no number in the issue (pages: p50 ≤ 100 ms)")
        if target is not None:
            figure["target"] = target.text
            if "status" not in figure:
                met = target.check(figure, vendor)
                figure["status"] = "measured" if met is None else "ok" if met else "MISS"
        figure.setdefault("status", "measured")
        figures[key] = figure
        out(f"  {label:<42} {_summary(figure)}")

    # Early, while the process is small: its peak RSS is part of the figure.
    record(
        "import_50k",
        "Import of 50,000 rows (CSV)",
        measure_import(int(options.get("import_objectives") or 5_000)),
    )
    record("recompute_full", "Full roll-up recompute", measure_recompute(s, repeat, warmup))
    record("checkin_e2e", "One check-in, end to end", measure_checkin(s, repeat, warmup))
    record("alignment_health", "Alignment health", measure_alignment_health(s, repeat, warmup))
    record("coach_all", "Coach over all key results", measure_coach_all(s, repeat, warmup))
    record(
        "flags_forecasts",
        "Flags and forecasts, whole organisation",
        measure_flags_forecasts(s, repeat, warmup),
    )
    record("flags_refresh", "Flag refresh with writes", measure_flags_refresh(s, repeat, warmup))
    record(
        "purpose_analysis",
        "Purpose analysis, every answer",
        measure_purpose_analysis(s, repeat, warmup),
    )
    record("forecast_one", "One key result's forecast", measure_forecast_one(s, repeat, warmup))
    record("leader_brief", "Leader brief", measure_leader_brief(s, repeat, warmup))
    web = Client()
    web.force_login(s.owner.user)
    for key, label, template in PAGES:
        if template is None:
            record(key, label, {"status": "not built yet"})
        else:
            record(key, label, measure_get(web, _format(template, s), repeat, api=False))
    api = _api_client(s)
    for key, label, template in API:
        record(key, label, measure_get(api, _format(template, s), repeat, api=True))
    record(
        "bulk_create_1000x3",
        f"Bulk create {bulk:,} objectives × 3 KRs",
        measure_bulk_create(s, repeat, warmup, bulk),
    )
    for key, label, target in PLANNED:
        figures[key] = {"label": label, "target": target, "status": "not built yet"}
    if options.get("no_http"):
        skipped = {"status": "skipped", "note": "--no-http"}
        throughput, memory = skipped, dict(skipped)
    else:
        session = {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={web.cookies[settings.SESSION_COOKIE_NAME].value}"
        }
        bearer = {"Authorization": f"Bearer {s.token}"}
        gets = [
            (f["path"], session)
            for k, f in figures.items()
            if k.startswith("page_") and "path" in f
        ]
        gets += [
            (f["path"], bearer) for k, f in figures.items() if k.startswith("api_") and "path" in f
        ]
        throughput, memory = measure_http(
            s, float(options.get("http_seconds") or 10), int(options.get("clients") or 8), out, gets
        )
    record("http_checkin_throughput", "HTTP check-in throughput (gunicorn ×2)", throughput)
    record("web_worker_peak_rss", "Web worker peak RSS", memory)
    record("runner_peak_rss", "Runner process peak RSS", {"value": peak_rss_mb(), "unit": "MB"})
    path = Path(options.get("json") or default_json(scale.name, vendor))
    _compare_with_s(figures, scale.name, vendor, path)
    report = {
        "meta": {
            "scale": scale.name,
            "organisation": slug,
            "database": vendor,
            "database_name": str(settings.DATABASES["default"]["NAME"]),
            "counts": _counts(organisation),
            "repeat": repeat,
            "warmup": warmup,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "git": _git(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "cpus": os.cpu_count(),
            "machine": platform.platform(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "figures": figures,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    out("")
    out(table(report))
    out(f"\nFigures written to {path}")
    return report


def _compare_with_s(
    figures: dict[str, dict[str, Any]], scale: str, vendor: str, path: Path
) -> None:
    """time(scale)/time(S) for every page, when an S run on this database exists."""
    if scale == "S":
        return
    s_path = default_json("S", vendor)
    if not s_path.exists() or s_path == path:
        return
    baseline = json.loads(s_path.read_text())["figures"]
    for key, figure in figures.items():
        base = baseline.get(key, {})
        if key.startswith("page_") and "p50_ms" in figure and base.get("p50_ms"):
            ratio = figure["p50_ms"] / base["p50_ms"]
            figure["ratio_to_s"] = round(ratio, 2)
            if scale == "L" and ratio > 2 and figure.get("status") == "ok":
                figure["status"] = "MISS"
            figure["target"] = figure.get("target", "") + "; time(L)/time(S) ≤ 2"


def _summary(figure: dict[str, Any]) -> str:
    if "requests_per_s" in figure:
        return (
            f"{figure['requests_per_s']:.0f}/s, p50 {figure['p50_ms']:.0f} ms, "
            f"p99 {figure['p99_ms']:.0f} ms, {figure['errors']} errors"
        )
    if "p50_ms" in figure:
        text = f"p50 {_ms(figure['p50_ms'])}, p95 {_ms(figure['p95_ms'])}"
        if "queries" in figure:
            text += f", {figure['queries']} queries"
        if "ratio_to_s" in figure:
            text += f", ×{figure['ratio_to_s']} of S"
        if "peak_rss_mb" in figure:
            text += f", peak RSS {figure['peak_rss_mb']:.0f} MB"
        return text
    if "value" in figure:
        return f"{figure['value']} {figure.get('unit', '')}"
    return str(figure.get("note", ""))


def _ms(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms"


def table(report: dict[str, Any]) -> str:
    meta = report["meta"]
    lines = [
        f"Scale {meta['scale']} on {meta['database']} ({meta['counts']['people']:,} people, "
        f"{meta['counts']['objectives']:,} objectives, {meta['counts']['key_results']:,} KRs, "
        f"{meta['counts']['checkins']:,} check-ins), {meta['cpus']} CPUs, git {meta['git']}",
        "",
        f"| {'Figure':<42} | {'Measured':<52} | {'Target':<40} | Status |",
        f"|{'-' * 44}|{'-' * 54}|{'-' * 42}|--------|",
    ]
    for figure in report["figures"].values():
        measured = _summary(figure) if figure["status"] not in ("not built yet",) else ""
        lines.append(
            f"| {figure['label']:<42} | {measured:<52} | {figure.get('target', ''):<40} | {figure['status']} |"
        )
    return "\n".join(lines)


def combined_table(paths: list[Path]) -> str:
    """One markdown table of several runs' p50s (or values), one column per run;
    ✗ marks a figure that misses its target in that run."""
    reports = [json.loads(path.read_text()) for path in paths]
    columns = [f"{r['meta']['scale']} {r['meta']['database']}" for r in reports]
    keys: list[str] = []
    for report in reports:
        keys += [key for key in report["figures"] if key not in keys]
    lines = [
        "| Figure | " + " | ".join(columns) + " | Target |",
        "|---|" + "---|" * len(columns) + "---|",
    ]
    for key in keys:
        figures = [r["figures"].get(key, {}) for r in reports]
        label = next(f["label"] for f in figures if f)
        cells = [_cell(f) + (" ✗" if f.get("status") == "MISS" else "") for f in figures]
        target = next((f["target"] for f in figures if f.get("target")), "")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    return "\n".join(lines)


def _cell(figure: dict[str, Any]) -> str:
    if not figure or figure.get("status") in ("not built yet", "skipped"):
        return figure.get("status", "")
    if "requests_per_s" in figure:
        return f"{figure['requests_per_s']:.0f}/s, p99 {figure['p99_ms']:.0f} ms, {figure['errors']} err"
    if "p50_ms" in figure:
        text = _ms(figure["p50_ms"])
        if "queries" in figure:
            text += f" ({figure['queries']} q)"
        return text
    if "value" in figure:
        return f"{figure['value']} {figure.get('unit', '')}"
    return ""
