"""Headway's text engine: sentence vectors and similarity, offline.

One interface, :class:`Engine`: ``engine.embed(texts)`` returns a float32 array of
shape ``(len(texts), engine.dim)`` whose rows have unit L2 length, so a dot product
is a cosine similarity. A text with nothing the engine can read (empty, whitespace
only, or only unknown characters; for the lexical engine also only stopwords) gets an
all-zeros row, whose similarity with anything is 0. Texts longer than ``MAX_CHARS``
characters are cut (the static model also stops at 512 tokens).

Engines:

- ``"static"`` (default): :class:`StaticEngine`, a 128-dimensional static embedding
  model distilled from all-MiniLM-L6-v2 and committed in ``headway/text/model/``.
  Needs only numpy, tokenizers and safetensors at run time (model2vec only to build it).
- ``"lexical"``: :class:`LexicalEngine`, hashed word and character-trigram features,
  no model; for fast unit tests and as a fallback.

Nothing is ever downloaded. This package is pure: it must not import Django.

>>> engine = get_engine("lexical")
>>> vectors = engine.embed(["Grow revenue", "Grow revenue", ""])
>>> round(float(cosine_matrix(vectors[:1], vectors[1:])[0, 0]), 3)
1.0
"""

from __future__ import annotations

import threading

from headway.text.engine import (
    MAX_CHARS,
    Engine,
    Matrix,
    Neighbours,
    cosine_matrix,
    most_similar,
    normalise_rows,
    similarity,
)
from headway.text.lexical import LexicalEngine
from headway.text.static import MODEL_DIR, ModelNotFoundError, StaticEngine

__all__ = [
    "ENGINES",
    "MAX_CHARS",
    "MODEL_DIR",
    "Engine",
    "LexicalEngine",
    "Matrix",
    "ModelNotFoundError",
    "Neighbours",
    "StaticEngine",
    "cosine_matrix",
    "get_engine",
    "most_similar",
    "normalise_rows",
    "similarity",
]

ENGINES: dict[str, type[StaticEngine] | type[LexicalEngine]] = {
    "static": StaticEngine,
    "lexical": LexicalEngine,
}

_cache: dict[str, Engine] = {}
_lock = threading.Lock()


def get_engine(name: str = "static") -> Engine:
    """The engine called ``name``, built once per process and then shared.

    Raises ``ValueError`` for an unknown name and :class:`ModelNotFoundError` if the
    static model's files are missing.
    """
    if name not in ENGINES:
        raise ValueError(f"unknown text engine {name!r}; choose from {', '.join(ENGINES)}")
    engine = _cache.get(name)
    if engine is None:
        with _lock:
            engine = _cache.get(name)
            if engine is None:
                engine = ENGINES[name]()
                _cache[name] = engine
    return engine
