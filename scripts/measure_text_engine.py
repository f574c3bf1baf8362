"""Measure the text engine: model load time and time to embed 1,000 sentences.

    .venv/bin/python scripts/measure_text_engine.py [--runs 5]

Targets (issue 5): the static model loads in under 0.5 s and embeds 1,000 sentences
in under 0.1 s. Load is timed in fresh processes (`get_engine("static")` after
`import headway.text`, which brings numpy); embedding is timed warm, in this process.
Prints medians and the worst run. Timings, not tests: they depend on the machine
and on what else it is doing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

LOAD_PROBE = """
import time
started = time.perf_counter()
import headway.text as text
imported = time.perf_counter()
text.get_engine("static")
loaded = time.perf_counter()
print(imported - started, loaded - imported)
"""

VERBS = ["Increase", "Reduce", "Grow", "Cut", "Raise", "Lower", "Launch", "Ship", "Hire", "Publish"]
THINGS = [
    "day-7 retention",
    "median time to resolve support tickets",
    "monthly recurring revenue",
    "the number of volunteers who return",
    "patient waiting time in the clinic",
    "net promoter score among new customers",
    "the share of invoices paid on time",
    "the onboarding flow for new teams",
    "deployment lead time",
    "staff turnover in the first year",
]
TAILS = ["from {a}% to {b}%", "by {a}% this quarter", "from {a} to {b} days", "before week {a}"]


def sentences(n: int = 1000) -> list[str]:
    out = []
    for i in range(n):
        verb = VERBS[i % len(VERBS)]
        thing = THINGS[(i // len(VERBS)) % len(THINGS)]
        tail = TAILS[i % len(TAILS)].format(a=10 + i % 37, b=50 + i % 41)
        out.append(f"{verb} {thing} {tail} (item {i})")
    return out


def measure_load(runs: int) -> tuple[list[float], list[float]]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    imports, loads = [], []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", LOAD_PROBE],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        imported, loaded = (float(x) for x in done.stdout.split())
        imports.append(imported)
        loads.append(loaded)
    return imports, loads


def measure_embed(engine_name: str, texts: list[str], runs: int) -> list[float]:
    from headway.text import get_engine

    engine = get_engine(engine_name)
    engine.embed(texts[:10])  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        engine.embed(texts)
        times.append(time.perf_counter() - started)
    return times


def line(label: str, values: list[float], target: float | None = None) -> str:
    text = f"{label:44} median {statistics.median(values):.3f} s, worst {max(values):.3f} s"
    if target is not None:
        verdict = "ok" if statistics.median(values) < target else "OVER"
        text += f"  (target < {target} s: {verdict})"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    texts = sentences(1000)
    imports, loads = measure_load(args.runs)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} runs each")
    print(line("import headway.text (numpy)", imports))
    print(line('load: get_engine("static")', loads, 0.5))
    print(line("embed 1,000 sentences, static", measure_embed("static", texts, args.runs), 0.1))
    print(line("embed 1,000 sentences, lexical", measure_embed("lexical", texts, args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
