"""Measure the coach's quality checks on 10,000 key results (and 2,000 objectives).

    .venv/bin/python scripts/measure_coach.py [--key-results 10000] [--runs 5]

Target (issue 5): checking 10,000 key results in under 2 s. This times the pure
checks (headway.coach.checks): one classifier batch over every title, then the rules
for each key result, on titles from the labelled set (data/coach/key_results.csv)
with a mix of kinds, starts, targets and units; and, apart, the rules alone on
predictions made beforehand, and the objective checks. Model loading is timed once,
apart. The database read that feeds the organisation summary is timed by the
benchmark suite (`headway bench`, figure coach_all). Prints medians and the worst
run. Timings, not tests: they depend on the machine and on what else it does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from headway.coach.checks import (  # noqa: E402
    KeyResultDraft,
    ObjectiveDraft,
    check_key_results,
    check_objectives,
)
from headway.coach.classifier import classify, load_model, read_labelled_set  # noqa: E402

DATA = REPO / "data" / "coach" / "key_results.csv"
SHAPES: list[tuple[str | None, float | None, float | None, str, str]] = [
    ("increase", 10.0, 40.0, "%", "percent"),
    ("decrease", 12.0, 4.0, "incidents", "number"),
    ("maintain", None, 99.9, "%", "percent"),
    ("milestone", None, None, "", "number"),
    ("increase", 0.0, 12.0, "posts", "number"),
    ("increase", None, 100.0, "", "number"),
    (None, None, None, "", "number"),
]


def drafts(n: int) -> list[KeyResultDraft]:
    examples = read_labelled_set(DATA)
    out = []
    for i in range(n):
        kind, start, target, unit, fmt = SHAPES[i % len(SHAPES)]
        title = f"{examples[i % len(examples)].text} (team {i})"
        out.append(KeyResultDraft(title, kind, start, target, unit, fmt))
    return out


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), max(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--key-results", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    krs = drafts(args.key_results)
    objectives = [
        ObjectiveDraft(f"Objective {i}: {k.title}", 1 + i % 7) for i, k in enumerate(krs[::5])
    ]

    started = time.perf_counter()
    load_model()
    classify(["warm up"])
    print(f"load model + engine (once per process): {time.perf_counter() - started:.3f} s")

    median, worst = timed(lambda: check_key_results(krs), args.runs)
    print(
        f"check {len(krs):,} key results (classifier + rules): "
        f"median {median:.3f} s, worst {worst:.3f} s ({args.runs} runs)"
    )
    predictions = classify([k.title for k in krs])
    median, worst = timed(lambda: check_key_results(krs, predictions), args.runs)
    print(f"  of which the rules alone: median {median:.3f} s, worst {worst:.3f} s")
    median, worst = timed(lambda: check_objectives(objectives), args.runs)
    print(f"check {len(objectives):,} objectives: median {median:.3f} s, worst {worst:.3f} s")
    flagged = sum(1 for c in check_key_results(krs, predictions) if c.verdict == "output")
    print(f"({flagged:,} of {len(krs):,} read as outputs)")


if __name__ == "__main__":
    main()
