"""The text engine's interface and the similarity helpers shared by every engine.

Pure: numpy only (no Django), so the coach, alignment health and the purpose survey
can use it from services, tasks, the CLI and tests alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

Matrix = NDArray[np.float32]
"""A float32 array of shape (n, d): one row per text."""

MAX_CHARS = 10_000
"""Engines read at most this many characters of a text; the rest is ignored.

The static model also stops at 512 tokens (about 2,000 characters of English), as
its source model did, so for it the effective limit is lower.
"""


@runtime_checkable
class Engine(Protocol):
    """Turns texts into vectors that can be compared with a dot product.

    ``embed(texts)`` returns a float32 array of shape ``(len(texts), dim)``, one row
    per text, in input order. Each row has unit L2 length, except the row of a text
    that has nothing the engine can read (an empty string, only whitespace, or only
    characters outside the engine's vocabulary), which is all zeros: its cosine
    similarity with anything is 0. The same text always gives the same row.
    """

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Matrix: ...


def check_texts(texts: Sequence[str]) -> list[str]:
    """The texts as a list, each cut to MAX_CHARS; a bare string or a non-string is an error."""
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts, not one string: wrap it in a list")
    out = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"embed() takes strings, got {type(text).__name__}")
        out.append(text[:MAX_CHARS])
    return out


def normalise_rows(matrix: ArrayLike) -> Matrix:
    """Rows scaled to unit L2 length, as float32; all-zero rows stay zero."""
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        m = m[np.newaxis, :]
    if m.ndim != 2:
        raise ValueError(f"expected a vector or a matrix, got shape {m.shape}")
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    safe = np.where(norms > 0, norms, np.float32(1))
    return np.asarray(m / safe, dtype=np.float32)


def cosine_matrix(a: ArrayLike, b: ArrayLike) -> Matrix:
    """Cosine similarity of every row of ``a`` (n, d) with every row of ``b`` (m, d): (n, m).

    Rows need not be normalised; a zero row has similarity 0 with everything.
    A 1-D argument counts as one row.
    """
    left = normalise_rows(a)
    right = normalise_rows(b)
    if left.shape[1] != right.shape[1]:
        raise ValueError(f"dimensions differ: {left.shape[1]} and {right.shape[1]}")
    product: Matrix = np.clip(left @ right.T, -1.0, 1.0).astype(np.float32, copy=False)
    return product


def similarity(text_a: str, text_b: str, engine: Engine | None = None) -> float:
    """Cosine similarity of two texts, in [-1, 1]; 0 if either has nothing to read.

    ``engine`` defaults to ``get_engine()`` (the static model).
    """
    if engine is None:
        from headway.text import get_engine

        engine = get_engine()
    vectors = engine.embed([text_a, text_b])
    return float(cosine_matrix(vectors[0], vectors[1])[0, 0])


class Neighbours(NamedTuple):
    """For each query, the indices of its nearest candidates and their similarities.

    Both arrays have shape (n_queries, k'), where k' = min(k, n_candidates); each row
    is sorted by similarity, highest first, ties broken by the lower index.
    """

    indices: NDArray[np.intp]
    scores: Matrix


def most_similar(query_vectors: ArrayLike, candidate_vectors: ArrayLike, k: int) -> Neighbours:
    """The ``k`` candidates most similar to each query, by cosine similarity."""
    if k < 1:
        raise ValueError("k must be at least 1")
    scores = cosine_matrix(query_vectors, candidate_vectors)
    kept = min(k, scores.shape[1])
    # A stable sort on the negated scores keeps equal scores in index order.
    order = np.argsort(-scores, axis=1, kind="stable")[:, :kept]
    return Neighbours(indices=order, scores=np.take_along_axis(scores, order, axis=1))
