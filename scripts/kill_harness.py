"""Crash consistency, the full run (`make crash`): check-in storms and imports while
gunicorn and the task worker are killed with SIGKILL at random moments, then the
checks: no partial import, no acknowledged check-in missing, `recompute --verify`
clean. The database is a fresh SQLite file, or a throwaway PostgreSQL database when
HEADWAY_DATABASE_URL names a server (`make crash DB=postgres`).

    python scripts/kill_harness.py --kills 24 [--clients 6] [--objectives 40] [--seed 12]

Exits 1 when a check fails. The machinery lives in tests/reliability/crash.py, which
the suite's shorter run (tests/reliability/test_crash.py) shares.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.crash import run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=24, help="How many kills (default 24).")
    parser.add_argument("--clients", type=int, default=6, help="Check-in client threads.")
    parser.add_argument("--objectives", type=int, default=150, help="Objectives per import file.")
    parser.add_argument("--seed", type=int, default=12, help="Seed of the random moments.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="headway-crash-") as data_dir:
        figures = run(
            Path(data_dir),
            kills=args.kills,
            clients=args.clients,
            import_objectives=args.objectives,
            seed=args.seed,
            out=lambda line: print(line, flush=True),
        )
    print(figures.summary())
    for problem in figures.missing + figures.duplicated + figures.partial_imports:
        print("  ", problem)
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
