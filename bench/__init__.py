"""Headway's benchmark suite: a synthetic organisation generator and a timing harness.

    headway bench generate --scale S|M|L [--seed N] [--org SLUG]
    headway bench run --scale S|M|L [--repeat N] [--json PATH] [--db sqlite|postgres]

See docs/performance.md for the method, the targets and the latest figures.
"""
