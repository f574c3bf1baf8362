"""`headway bench generate|run`: the benchmark suite's command line (code in bench/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

# bench/ sits beside the headway package in a checkout and is not installed with it.
_ROOT = Path(__file__).resolve().parents[4]
if (_ROOT / "bench" / "__init__.py").exists() and str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

SCALE_CHOICES = ["XS", "S", "M", "L"]  # XS is for the tests


def _scale(value: str) -> str:
    value = value.upper()
    if value not in SCALE_CHOICES:
        raise CommandError(f"--scale is one of S, M, L (got {value!r}).")
    return value


class Command(BaseCommand):
    help = (
        "The benchmark suite. `bench generate --scale S|M|L` builds a synthetic organisation "
        "(slug bench-s/-m/-l, replaced if present); `bench run --scale S|M|L` times the hot "
        "paths against their targets and writes a JSON of every figure. "
        "`--db sqlite|postgres` runs on a separate benchmark database (var/bench.sqlite3, or "
        "postgres://postgres@127.0.0.1:5432/headway_bench), created and migrated if missing. "
        "See docs/performance.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        generate = actions.add_parser("generate", help="Build a synthetic organisation.")
        run = actions.add_parser("run", help="Time the hot paths of a generated organisation.")
        report = actions.add_parser(
            "report", help="One markdown table of the p50s of several runs' JSON files."
        )
        report.add_argument("paths", nargs="+", help="JSON files written by `bench run`.")
        for sub in (generate, run):
            sub.add_argument("--scale", type=_scale, default="S", help="S, M or L (default S).")
            sub.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
            sub.add_argument("--org", help="Organisation slug (default bench-<scale>).")
            sub.add_argument(
                "--db",
                choices=["sqlite", "postgres"],
                help="Use the separate benchmark database instead of the configured one.",
            )
        run.add_argument("--repeat", type=int, default=5, help="Timed runs per figure (default 5).")
        run.add_argument("--json", help="Where to write the figures (default var/bench/).")
        run.add_argument(
            "--no-http", action="store_true", help="Skip the gunicorn check-in throughput test."
        )
        run.add_argument(
            "--http-seconds", type=float, default=10.0, help="Throughput test length (default 10)."
        )
        run.add_argument(
            "--clients", type=int, default=8, help="Concurrent throughput clients (default 8)."
        )
        run.add_argument(
            "--regenerate", action="store_true", help="Generate the organisation first, always."
        )
        # For the harness's own tests: fewer untimed runs, a smaller bulk create.
        run.add_argument("--warmup", type=int, default=1, help=argparse.SUPPRESS)
        run.add_argument("--bulk", type=int, default=1000, help=argparse.SUPPRESS)
        run.add_argument("--import-objectives", type=int, default=5000, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        from bench import database

        if options["action"] == "report":
            from bench.run import combined_table

            self.stdout.write(combined_table([Path(p) for p in options["paths"]]))
            return
        if options["db"]:
            database.use(options["db"], self.stdout.write)  # re-executes unless already there
        if options["action"] == "generate":
            self.generate(options)
        else:
            from bench.run import run

            run(options, out=self.stdout.write)

    def generate(self, options: dict[str, Any]) -> None:
        from bench.generate import SCALES, generate

        scale = SCALES[options["scale"]]
        self.stdout.write(f"Generating scale {scale.name} (seed {options['seed']})…")
        result = generate(scale, seed=options["seed"], slug=options["org"], out=self.stdout.write)
        counts = ", ".join(f"{name} {count:,}" for name, count in result.counts.items())
        self.stdout.write(
            f"Organisation {result.organisation.slug}: {counts}. "
            f"{result.total_seconds:.1f} s in all."
        )
