"""The purpose survey's analysis: pure numpy over answer vectors from the text engine.

Given one unit vector per answer (all zeros for an answer the engine cannot read), the
strategy statement's and the themes' vectors, and each answer's group (its team, or
None), `analyse` works out:

- coherence: the mean cosine similarity of every pair of answers, overall and per group;
- closeness to strategy: each answer's similarity to the statement and to each theme,
  its best of those, and whether it names a theme (best theme similarity ≥ `match`);
- clusters: for k = 2..8, Ward's tree on a sample refined by spherical k-means over all
  answers; the most clusters whose silhouette is near the best (one cluster when no k
  separates the answers); answers far from every centre and clusters under `MIN_GROUP`
  answers left as "fits no cluster"; each cluster labelled by its most characteristic
  words and its most central answers;
- the purpose alignment index, 0-100 (see `alignment_index` and docs/purpose-survey.md).

Groups of fewer than `MIN_GROUP` answers are never reported on their own: they are
pooled as "other answers", which is itself left out when still under `MIN_GROUP`.
Similarities are raw cosines; `Scale` holds the engine's calibration points that turn
them into 0-1 shares. No Django here: the service reads answers and stores the result.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from headway.text.engine import Matrix, cosine_matrix, normalise_rows

MIN_GROUP = 5
K_MAX = 8
MIN_SILHOUETTE = 0.04  # below this no k separates the answers better than one cluster
TREE_SAMPLE = 800  # answers Ward's tree and the silhouette are computed on
K_TOLERANCE = 0.01
ITERATIONS = 50
HISTOGRAM_BINS = 10
WORDS_PER_CLUSTER = 4
EXAMPLES_PER_CLUSTER = 3
SPLIT_SHARE = 0.3  # a group is split when two clusters each hold at least this share of it
ANSWER_WEIGHT = 0.7  # the index's weight on closeness to strategy; coherence gets the rest


@dataclass(frozen=True)
class Scale:
    """Where an engine's cosine similarities mean "unrelated" and "the same idea".

    `scaled` maps `unrelated` to 0 and `paraphrase` to 1 (clipped). `match` is the
    similarity from which an answer counts as naming a theme; `fit` the similarity to a
    cluster's centre below which an answer fits no cluster. Calibrated by hand on
    freight, software and back-office answers (tests/discovery/metrics).
    """

    unrelated: float
    paraphrase: float
    match: float
    fit: float

    def scaled(self, similarity: NDArray[np.floating[Any]] | float) -> NDArray[np.float64]:
        span = self.paraphrase - self.unrelated
        return np.clip((np.asarray(similarity, dtype=np.float64) - self.unrelated) / span, 0, 1)


SCALES = {
    "static": Scale(unrelated=0.40, paraphrase=0.75, match=0.55, fit=0.40),
    # Shared words only: unrelated texts score near 0, rewordings far lower than meaning.
    "lexical": Scale(unrelated=0.05, paraphrase=0.50, match=0.25, fit=0.15),
}


# --- coherence and closeness ------------------------------------------------------------


def readable(vectors: Matrix) -> NDArray[np.bool_]:
    """Which rows the engine could read (an all-zero row is an answer it could not)."""
    return np.asarray(np.any(vectors != 0, axis=1))


def coherence(vectors: Matrix) -> float | None:
    """Mean cosine similarity over every pair of readable rows; None under two rows.

    With unit rows the sum of all pairs is |Σv|² - n, so this costs O(n·d), not O(n²).
    """
    rows = normalise_rows(vectors)[readable(vectors)] if len(vectors) else vectors
    n = len(rows)
    if n < 2:
        return None
    total = rows.sum(axis=0, dtype=np.float64)
    return float((total @ total - n) / (n * (n - 1)))


@dataclass(frozen=True)
class Closeness:
    """Each answer against the strategy: the statement, each theme, and the best of them."""

    to_statement: NDArray[np.float32] | None  # (n,), None without a statement
    to_themes: NDArray[np.float32]  # (n, themes)
    best: NDArray[np.float32]  # (n,) the highest of the above; 0 with nothing to compare
    theme: NDArray[np.intp]  # (n,) index of the theme named (≥ match), or -1

    @classmethod
    def of(
        cls, answers: Matrix, statement: Matrix | None, themes: Matrix, scale: Scale
    ) -> Closeness:
        n = len(answers)
        to_statement = None
        if statement is not None and readable(np.atleast_2d(statement)).any():
            to_statement = cosine_matrix(answers, statement)[:, 0]
        to_themes = cosine_matrix(answers, themes) if len(themes) else np.zeros((n, 0), np.float32)
        columns = [to_themes] + ([to_statement[:, None]] if to_statement is not None else [])
        joined = np.hstack(columns) if n else np.zeros((0, 0), np.float32)
        best = joined.max(axis=1) if joined.shape[1] else np.zeros(n, np.float32)
        theme = np.full(n, -1, dtype=np.intp)
        if to_themes.shape[1]:
            top = to_themes.argmax(axis=1)
            named = to_themes[np.arange(n), top] >= scale.match
            theme[named] = top[named]
        return cls(to_statement, to_themes, best.astype(np.float32), theme)

    @property
    def measured(self) -> bool:
        """Whether there was any strategy text to compare with."""
        return self.to_statement is not None or self.to_themes.shape[1] > 0


def alignment_index(
    best: NDArray[np.float32], coherence_: float | None, scale: Scale
) -> int | None:
    """The purpose alignment index, 0-100, of a group of readable answers.

    70% how close the answers are to the strategy (the mean of each answer's best
    similarity to the statement or a theme, scaled from "unrelated" = 0 to "the same
    idea" = 1) and 30% how much they agree with each other (their coherence, scaled the
    same way). 100: everyone says the strategy in their own words; 0: nobody's answer
    relates to it or to anyone else's. None without answers.
    """
    if len(best) == 0:
        return None
    close = float(scale.scaled(best).mean())
    agree = float(scale.scaled(coherence_)) if coherence_ is not None else close
    return round(100 * (ANSWER_WEIGHT * close + (1 - ANSWER_WEIGHT) * agree))


# --- clusters ---------------------------------------------------------------------------


def ward_cuts(x: Matrix, ks: Sequence[int]) -> dict[int, NDArray[np.intp]]:
    """Ward's agglomerative clustering of unit rows: the labels at each k in `ks`.

    Deterministic (no random start, unlike k-means) and O(n^2) in memory, so it runs on
    a sample of at most `TREE_SAMPLE` rows. Distances are updated by the Lance-Williams
    formula; ties merge the lowest indices first.
    """
    n = len(x)
    distance = np.maximum(2 - 2 * (x.astype(np.float64) @ x.T.astype(np.float64)), 0)
    np.fill_diagonal(distance, np.inf)
    size = np.ones(n)
    owner = np.arange(n)
    wanted = set(ks)
    cuts: dict[int, NDArray[np.intp]] = {}
    for remaining in range(n - 1, 0, -1):
        i, j = divmod(int(np.argmin(distance)), n)
        i, j = min(i, j), max(i, j)
        merged = (
            (size[i] + size) * distance[i] + (size[j] + size) * distance[j] - size * distance[i, j]
        ) / (size[i] + size[j] + size)
        distance[i, :] = distance[:, i] = merged
        distance[j, :] = distance[:, j] = np.inf
        distance[i, i] = np.inf
        size[i] += size[j]
        owner[owner == j] = i
        if remaining in wanted:
            cuts[remaining] = np.unique(owner, return_inverse=True)[1].astype(np.intp)
    return cuts


def _refine(x: Matrix, centres: Matrix) -> tuple[NDArray[np.intp], Matrix]:
    """Spherical k-means from the given centres over every row: labels and unit centres."""
    labels = np.full(len(x), -1, dtype=np.intp)
    for _ in range(ITERATIONS):
        new_labels = (x @ centres.T).argmax(axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        sums = centres.copy()  # an emptied cluster keeps its centre
        for c in np.unique(labels):
            sums[c] = x[labels == c].sum(axis=0)
        centres = normalise_rows(sums)
    return labels, centres


def _centres(x: Matrix, labels: NDArray[np.intp], k: int) -> Matrix:
    return normalise_rows(np.stack([x[labels == c].sum(axis=0) for c in range(k)]))


def cosine_distances(x: Matrix) -> NDArray[np.float32]:
    """Pairwise cosine distance of unit rows, (n, n); computed once per sample."""
    return np.asarray(1 - np.clip(x @ x.T, -1, 1), dtype=np.float32)


def silhouette(distance: NDArray[np.float32], labels: NDArray[np.intp]) -> float:
    """Mean silhouette over precomputed distances (-1..1; higher: better separated)."""
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return 0.0
    sums = np.stack([distance[:, labels == c].sum(axis=1) for c in clusters], axis=1)
    sizes = np.array([(labels == c).sum() for c in clusters], dtype=np.float64)
    own = np.searchsorted(clusters, labels)
    rows = np.arange(len(labels))
    own_size = sizes[own] - 1
    a = np.where(own_size > 0, sums[rows, own] / np.maximum(own_size, 1), 0)
    others = sums / sizes
    others[rows, own] = np.inf
    b = others.min(axis=1)
    s = np.where(own_size > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0)
    return float(s.mean())


@dataclass(frozen=True)
class Clusters:
    """Cluster of each answer (-1: fits none), centres by size, and how k was chosen."""

    labels: NDArray[np.intp]
    centres: Matrix
    silhouettes: dict[int, float]  # k tried → its silhouette

    @property
    def count(self) -> int:
        return len(self.centres)


def cluster(vectors: Matrix, scale: Scale, seed: int = 0) -> Clusters:
    """Cluster the readable answers, choosing k by silhouette (see the module's docstring).

    For each k, Ward's tree on a sample gives the starting centres and k-means over all
    answers refines them; the silhouette is measured on the sample. The result depends
    only on the answers and `seed` (which picks the sample once there are more than
    `TREE_SAMPLE`).
    """
    rows = np.flatnonzero(readable(vectors))
    labels = np.full(len(vectors), -1, dtype=np.intp)
    if len(rows) < MIN_GROUP:
        return Clusters(labels, np.zeros((0, vectors.shape[1]), np.float32), {})
    x = normalise_rows(vectors[rows])
    rng = np.random.default_rng(seed)
    sample = np.arange(len(x))
    if len(x) > TREE_SAMPLE:
        sample = np.sort(rng.choice(len(x), size=TREE_SAMPLE, replace=False))
    distance = cosine_distances(x[sample])
    ks = range(2, min(K_MAX, len(x) // MIN_GROUP) + 1)
    runs: dict[int, tuple[float, NDArray[np.intp], Matrix]] = {}
    for k, cut in ward_cuts(x[sample], ks).items():
        k_labels, k_centres = _refine(x, _centres(x[sample], cut, k))
        runs[k] = (silhouette(distance, k_labels[sample]), k_labels, k_centres)
    tried = {k: run[0] for k, run in sorted(runs.items())}
    chosen = _choose_k(tried)
    if chosen is None:
        one = np.zeros(len(x), np.intp)
        labels[rows] = _keep_fitting(x, one, _centres(x, one, 1), scale)
    else:
        labels[rows] = _keep_fitting(x, runs[chosen][1], runs[chosen][2], scale)
    return _by_size(vectors, labels, tried)


def _choose_k(silhouettes: dict[int, float]) -> int | None:
    """The k to keep: the most clusters whose silhouette is within `K_TOLERANCE` of the
    best (finer themes read better when they separate the answers as well), or None
    (one cluster) when no k reaches `MIN_SILHOUETTE`."""
    if not silhouettes or max(silhouettes.values()) < MIN_SILHOUETTE:
        return None
    best = max(silhouettes.values())
    return max(k for k, value in silhouettes.items() if value >= best - K_TOLERANCE)


def _keep_fitting(
    x: Matrix, labels: NDArray[np.intp], centres: Matrix, scale: Scale
) -> NDArray[np.intp]:
    """Labels with answers far from their centre, and clusters left too small, as -1."""
    kept = labels.copy()
    fit = (x @ centres.T)[np.arange(len(x)), labels]
    kept[fit < scale.fit] = -1
    for c, size in Counter(kept.tolist()).items():
        if c >= 0 and size < MIN_GROUP:
            kept[kept == c] = -1
    return kept


def _by_size(vectors: Matrix, labels: NDArray[np.intp], tried: dict[int, float]) -> Clusters:
    """Relabel clusters 0.. from the largest (ties: first answer) and recompute centres."""
    counts = Counter(int(c) for c in labels if c >= 0)
    first = {int(c): i for i, c in reversed(list(enumerate(labels.tolist())))}
    order = sorted(counts, key=lambda c: (-counts[c], first[c]))
    new = np.full(len(labels), -1, dtype=np.intp)
    for rank, c in enumerate(order):
        new[labels == c] = rank
    centres = np.zeros((len(order), vectors.shape[1]), np.float32)
    for rank in range(len(order)):
        centres[rank] = normalise_rows(vectors[new == rank].sum(axis=0))[0]
    return Clusters(new, centres, tried)


# --- labels: characteristic words and central answers -----------------------------------

WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.UNICODE)
STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each
    every few for from further get gets getting had has have having he her here hers him
    his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some
    such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself
    work job role purpose make makes making ensure ensuring help helping helps sure
    keep keeping us team teams people thing things way day
    """.split()  # noqa: SIM905 (a word list reads better as text)
)  # fmt: skip


def words_of(text: str) -> set[str]:
    """The content words of a text, lower-cased, possessive "'s" dropped, stopwords out."""
    found = set()
    for word in WORD.findall(text.lower()):
        word = word.removesuffix("'s").removesuffix("’s")
        if len(word) >= 3 and word not in STOPWORDS:
            found.add(word)
    return found


def characteristic_words(
    texts: Sequence[str], labels: NDArray[np.intp], count: int
) -> list[list[str]]:
    """For each cluster 0..count-1, the words most used in it and least used elsewhere.

    Scored as (share of the cluster's answers using the word) * log(all answers / answers
    using it anywhere), so a word every answer uses says nothing; a word must appear in
    at least two of the cluster's answers.
    """
    bags = [words_of(text) for text in texts]
    everywhere = Counter(word for bag in bags for word in bag)
    total = len(texts)
    out = []
    for c in range(count):
        members = [bags[i] for i in np.flatnonzero(labels == c)]
        inside = Counter(word for bag in members for word in bag)
        scored = [
            (n / len(members) * math.log(total / everywhere[word]), word)
            for word, n in inside.items()
            if n >= 2
        ]
        scored.sort(key=lambda item: (-item[0], item[1]))
        out.append([word for _, word in scored[:WORDS_PER_CLUSTER]])
    return out


def representatives(
    vectors: Matrix, texts: Sequence[str], labels: NDArray[np.intp], centres: Matrix
) -> list[list[int]]:
    """For each cluster, its most central answers (by similarity to the centre), each a
    different text, at most `EXAMPLES_PER_CLUSTER`."""
    out = []
    for c in range(len(centres)):
        members = np.flatnonzero(labels == c)
        order = members[np.argsort(-(vectors[members] @ centres[c]), kind="stable")]
        chosen: list[int] = []
        seen: set[str] = set()
        for i in order.tolist():
            key = " ".join(texts[i].lower().split())
            if key not in seen:
                seen.add(key)
                chosen.append(i)
            if len(chosen) == EXAMPLES_PER_CLUSTER:
                break
        out.append(chosen)
    return out


# --- the whole analysis -----------------------------------------------------------------


def _round(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(float(value), places)


def group_figures(
    rows: NDArray[np.intp],
    vectors: Matrix,
    close: Closeness,
    labels: NDArray[np.intp],
    scale: Scale,
) -> dict[str, Any]:
    """The figures of one group of answers (all of them, a team, or the pooled rest)."""
    ok = rows[readable(vectors[rows])] if len(rows) else rows
    agree = coherence(vectors[ok])
    best = close.best[ok]
    measured = close.measured and len(ok) > 0
    sizes = Counter(int(c) + 1 for c in labels[rows])
    return {
        "count": len(rows),
        "readable": len(ok),
        "coherence": _round(agree),
        "closeness": _round(float(best.mean())) if measured else None,
        "matching": int((close.theme[ok] >= 0).sum()) if measured else None,
        "share_matching": _round(float((close.theme[ok] >= 0).mean())) if measured else None,
        "index": alignment_index(best, agree, scale) if measured else None,
        # [cluster id, answers]; id 0 gathers the answers that fit no cluster
        "clusters": sorted(sizes.items()),
        "split": split(sizes, len(rows)),
    }


def split(sizes: Counter[int], total: int) -> list[int]:
    """The two largest clusters of a group when each holds `SPLIT_SHARE` of it, else []."""
    top = [(n, c) for c, n in sizes.items() if c > 0 and n >= SPLIT_SHARE * total]
    if len(top) < 2:
        return []
    return sorted(c for _, c in sorted(top, key=lambda item: (-item[0], item[1]))[:2])


def histogram(best: NDArray[np.float32]) -> list[int]:
    """How many answers fall in each tenth of closeness 0..1 (below 0 counts as 0)."""
    bins = np.clip((best * HISTOGRAM_BINS).astype(int), 0, HISTOGRAM_BINS - 1)
    return [int(n) for n in np.bincount(bins, minlength=HISTOGRAM_BINS)]


def repeats(texts: Sequence[str]) -> int:
    """How many answers repeat an earlier one word for word (case and spacing aside)."""
    seen: set[str] = set()
    count = 0
    for text in texts:
        key = " ".join(text.lower().split())
        count += key in seen
        seen.add(key)
    return count


def analyse(
    texts: Sequence[str],
    vectors: Matrix,
    groups: Sequence[Hashable | None],
    statement: Matrix | None,
    themes: Matrix,
    scale: Scale,
    seed: int = 0,
) -> dict[str, Any]:
    """The whole analysis as plain data (see docs/purpose-survey.md for every field).

    `groups[i]` is answer i's group key (a team id) or None; per-group figures list only
    groups of at least `MIN_GROUP` answers, the rest pooled under "other".
    """
    close = Closeness.of(vectors, statement, themes, scale)
    found = cluster(vectors, scale, seed)
    all_rows = np.arange(len(texts))
    ok = readable(vectors)
    words = characteristic_words(texts, found.labels, found.count)
    examples = representatives(vectors, texts, found.labels, found.centres)
    clusters = []
    for c in range(found.count):
        rows = np.flatnonzero(found.labels == c)
        clusters.append(
            {
                "id": c + 1,
                "size": len(rows),
                "words": words[c],
                "examples": examples[c],  # answer positions; the service turns them into texts
                "coherence": _round(coherence(vectors[rows])),
                "closeness": _round(float(close.best[rows].mean())) if close.measured else None,
            }
        )
    return {
        "overall": group_figures(all_rows, vectors, close, found.labels, scale),
        "histogram": histogram(close.best[ok]) if close.measured else None,
        "themes": _theme_figures(close, ok),
        "clusters": clusters,
        "unclustered": int(((found.labels < 0) & ok).sum()),
        "unreadable": int((~ok).sum()),
        "repeats": repeats(texts),
        "silhouettes": {str(k): round(v, 3) for k, v in found.silhouettes.items()},
        "groups": _groups(groups, vectors, close, found.labels, scale),
        "answers": _per_answer(found.labels, close, ok),
    }


def _per_answer(
    labels: NDArray[np.intp], close: Closeness, ok: NDArray[np.bool_]
) -> list[list[Any]]:
    """[cluster id or None, best closeness or None, theme position or None] per answer."""
    out = []
    for i, label in enumerate(labels.tolist()):
        best = _round(close.best[i]) if close.measured and ok[i] else None
        theme = int(close.theme[i]) if close.theme[i] >= 0 else None
        out.append([label + 1 if label >= 0 else None, best, theme])
    return out


def _theme_figures(close: Closeness, ok: NDArray[np.bool_]) -> list[dict[str, Any]]:
    out = []
    for t in range(close.to_themes.shape[1]):
        similarities = close.to_themes[ok, t]
        out.append(
            {
                "mean": _round(float(similarities.mean())) if len(similarities) else None,
                "matching": int((close.theme[ok] == t).sum()),
            }
        )
    return out


def _groups(
    groups: Sequence[Hashable | None],
    vectors: Matrix,
    close: Closeness,
    labels: NDArray[np.intp],
    scale: Scale,
) -> dict[str, Any]:
    by_key: dict[Hashable, list[int]] = {}
    pooled: list[int] = []
    for i, key in enumerate(groups):
        (by_key.setdefault(key, []) if key is not None else pooled).append(i)
    shown = {}
    for key, rows in by_key.items():
        if len(rows) >= MIN_GROUP:
            shown[str(key)] = group_figures(np.array(rows), vectors, close, labels, scale)
        else:
            pooled.extend(rows)
    other = None
    if len(pooled) >= MIN_GROUP:
        other = group_figures(np.array(sorted(pooled)), vectors, close, labels, scale)
    return {"teams": shown, "other": other, "other_count": len(pooled)}


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Per group shown in both analyses: its figures before and after and the index's
    change. Keys are the groups' keys as stored (team ids as strings in JSON)."""
    rows = []
    for key, now in after["groups"]["teams"].items():
        then = before["groups"]["teams"].get(key)
        if then is None:
            continue
        change = None
        if now["index"] is not None and then["index"] is not None:
            change = now["index"] - then["index"]
        rows.append({"key": key, "before": then, "after": now, "index_change": change})
    return rows
