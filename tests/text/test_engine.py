"""The text engine (headway.text): interface, static model, lexical fallback.

Pure: no database. Timings are measured by scripts/measure_text_engine.py, not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from headway.text import (
    MAX_CHARS,
    MODEL_DIR,
    Engine,
    LexicalEngine,
    ModelNotFoundError,
    StaticEngine,
    cosine_matrix,
    get_engine,
    most_similar,
    similarity,
)

REPO = Path(__file__).resolve().parents[2]
ENGINES = ["static", "lexical"]

STRATEGY = (
    "Our strategy is to make every customer's first week so easy that they stay with us for years."
)
PURPOSE_ANSWERS = [
    "I want new customers to feel at home with our product from day one.",
    "We exist to help people succeed quickly so they never want to leave.",
    "My job matters because a smooth start keeps customers loyal for the long term.",
]
UNRELATED = "Replace the carpet in the third-floor meeting room."

HIRING = "Hire and onboard five senior engineers"
HIRING_RELATED = [
    "Recruit experienced developers for the platform team",
    "Grow the engineering team with senior hires",
    "Bring in more software engineers this quarter",
]
HIRING_UNRELATED = "Lower patient waiting times in the emergency department"

# Shared words: what the lexical engine can see.
CHURN = "Reduce customer churn in the enterprise segment"
CHURN_OVERLAP = [
    "Reduce enterprise customer churn",
    "Cut churn among enterprise customers",
    "Customer churn in enterprise accounts falls",
]
CHURN_UNRELATED = "Publish the annual volunteer report"


def scores(engine: Engine, query: str, others: list[str]) -> list[float]:
    vectors = engine.embed([query, *others])
    return [float(x) for x in cosine_matrix(vectors[:1], vectors[1:])[0]]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Engine:
    return get_engine(request.param)


def test_engines_satisfy_the_protocol(engine: Engine) -> None:
    assert isinstance(engine, Engine)
    assert engine.dim > 0


def test_rows_are_float32_unit_length_in_input_order(engine: Engine) -> None:
    texts = [STRATEGY, *PURPOSE_ANSWERS, UNRELATED, "Ship v2", "42"]
    vectors = engine.embed(texts)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(texts), engine.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Input order: embedding one at a time gives the same rows.
    for i, text in enumerate(texts):
        np.testing.assert_allclose(engine.embed([text])[0], vectors[i], atol=1e-6)


def test_same_text_same_vector(engine: Engine) -> None:
    first = engine.embed([STRATEGY, STRATEGY])
    again = engine.embed([STRATEGY])
    np.testing.assert_array_equal(first[0], first[1])
    np.testing.assert_array_equal(first[0], again[0])
    assert similarity(STRATEGY, STRATEGY, engine) == pytest.approx(1.0, abs=1e-5)


def test_empty_and_blank_texts_give_zero_rows(engine: Engine) -> None:
    vectors = engine.embed(["", "   \n\t", STRATEGY])
    assert not vectors[:2].any()
    assert np.linalg.norm(vectors[2]) == pytest.approx(1.0, abs=1e-5)
    assert similarity("", STRATEGY, engine) == 0.0
    assert similarity("", "", engine) == 0.0


def test_no_texts_give_an_empty_matrix(engine: Engine) -> None:
    vectors = engine.embed([])
    assert vectors.shape == (0, engine.dim)
    assert vectors.dtype == np.float32


def test_very_long_text_is_cut_and_defined(engine: Engine) -> None:
    long_text = " ".join([STRATEGY] * 2_000)  # about 190,000 characters
    assert len(long_text) > 10 * MAX_CHARS
    vectors = engine.embed([long_text, long_text[:MAX_CHARS]])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    # Only the first MAX_CHARS characters count.
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)
    # Still about the same thing as the sentence it repeats.
    assert similarity(long_text, STRATEGY, engine) > similarity(long_text, UNRELATED, engine)


def test_odd_inputs_are_defined(engine: Engine) -> None:
    vectors = engine.embed(["42", "Steigern Sie die Kundenbindung", "🙂🙂", "x" * 50_000])
    norms = np.linalg.norm(vectors, axis=1)
    assert np.isfinite(vectors).all()
    # Each row is either unit length or all zeros (nothing the engine could read).
    assert all(n == pytest.approx(1.0, abs=1e-5) or n == 0.0 for n in norms)


def test_bad_arguments_are_refused(engine: Engine) -> None:
    with pytest.raises(TypeError, match="not one string"):
        engine.embed(STRATEGY)
    with pytest.raises(TypeError, match="strings"):
        engine.embed([STRATEGY, None])  # type: ignore[list-item]


def test_static_related_purpose_answers_beat_an_unrelated_one() -> None:
    engine = get_engine("static")
    related = scores(engine, STRATEGY, PURPOSE_ANSWERS)
    unrelated = scores(engine, STRATEGY, [UNRELATED])[0]
    assert min(related) > unrelated
    assert sum(related) / len(related) > unrelated + 0.2


def test_static_model_sees_meaning_not_only_shared_words() -> None:
    # "Recruit experienced developers" shares no word with "Hire ... engineers".
    static = get_engine("static")
    related = scores(static, HIRING, HIRING_RELATED)
    assert min(related) > scores(static, HIRING, [HIRING_UNRELATED])[0]
    lexical = get_engine("lexical")
    assert (
        scores(static, HIRING, HIRING_RELATED[:1])[0]
        > scores(lexical, HIRING, HIRING_RELATED[:1])[0]
    )


def test_word_overlap_ranks_the_same_way_in_both_engines(engine: Engine) -> None:
    related = scores(engine, CHURN, CHURN_OVERLAP)
    unrelated = scores(engine, CHURN, [CHURN_UNRELATED])[0]
    assert min(related) > unrelated
    # The near-copy is the closest.
    assert related[0] == max(related)


def test_lexical_engine_is_deterministic_across_processes() -> None:
    code = "from headway.text import LexicalEngine; print(LexicalEngine().embed(['Grow revenue 20%'])[0].tobytes().hex())"
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert runs[0].strip() == LexicalEngine().embed(["Grow revenue 20%"])[0].tobytes().hex()


def test_lexical_word_weight_ignores_stopwords_and_case() -> None:
    engine = LexicalEngine()
    a, b = engine.embed(["The revenue of the team", "REVENUE team"])
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert not engine.embed(["the of and to"]).any()


def test_cosine_matrix_shapes_and_zero_rows() -> None:
    a = np.array([[3.0, 4.0], [0.0, 0.0]])
    b = np.array([[3.0, 4.0], [-4.0, 3.0], [0.0, 2.0]])
    m = cosine_matrix(a, b)
    assert m.shape == (2, 3)
    assert m.dtype == np.float32
    np.testing.assert_allclose(m[0], [1.0, 0.0, 0.8], atol=1e-6)
    np.testing.assert_array_equal(m[1], [0.0, 0.0, 0.0])
    assert cosine_matrix(a[0], b).shape == (1, 3)
    with pytest.raises(ValueError, match="dimensions differ"):
        cosine_matrix(a, np.ones((1, 3)))


def test_most_similar_orders_and_clips_k() -> None:
    engine = get_engine("static")
    candidates = [UNRELATED, *PURPOSE_ANSWERS, HIRING_UNRELATED]
    result = most_similar(engine.embed([STRATEGY, HIRING]), engine.embed(candidates), k=3)
    assert result.indices.shape == (2, 3)
    assert result.scores.shape == (2, 3)
    assert set(result.indices[0].tolist()) == {1, 2, 3}
    assert (np.diff(result.scores, axis=1) <= 0).all()
    everything = most_similar(engine.embed([STRATEGY]), engine.embed(candidates), k=50)
    assert everything.indices.shape == (1, len(candidates))
    with pytest.raises(ValueError):
        most_similar(engine.embed([STRATEGY]), engine.embed(candidates), k=0)


def test_most_similar_breaks_ties_by_index() -> None:
    result = most_similar(
        np.array([[1.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0]]), k=3
    )
    assert result.indices.tolist() == [[1, 2, 0]]


def test_get_engine_caches_and_refuses_unknown_names() -> None:
    assert get_engine() is get_engine("static")
    assert isinstance(get_engine(), StaticEngine)
    assert get_engine("lexical") is get_engine("lexical")
    with pytest.raises(ValueError, match="unknown text engine"):
        get_engine("bert")


def test_missing_model_folder_fails_without_touching_the_hub(tmp_path: Path) -> None:
    # A missing file is named at load, not met later as an obscure error.
    with pytest.raises(ModelNotFoundError, match=r"model\.safetensors"):
        StaticEngine(tmp_path / "sentence-transformers" / "all-MiniLM-L6-v2")


def test_committed_model_files_are_present() -> None:
    for name in ("model.safetensors", "tokenizer.json", "config.json", "LICENSE", "PROVENANCE.md"):
        assert (MODEL_DIR / name).is_file(), name
    assert "Apache License" in (MODEL_DIR / "LICENSE").read_text()


OFFLINE_PROBE = textwrap.dedent(
    """
    import socket, sys

    def refuse(*args, **kwargs):
        raise RuntimeError(f"network used: {args!r}")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from headway.text import get_engine

    engine = get_engine("static")
    vectors = engine.embed(["Increase day-7 retention from 20% to 35%", ""])
    # Neither Django nor a model hub client (about 35 MB per web worker) is loaded.
    heavy = ("django", "huggingface_hub", "model2vec", "torch", "transformers")
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
    print(engine.dim, vectors.shape[0], round(float((vectors[0] ** 2).sum()), 4), leaked)
    """
)


def test_static_model_loads_from_the_repo_without_network(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HF_", "HUGGINGFACE", "DJANGO"))
    }
    env.update(
        HF_HUB_OFFLINE="1",
        HF_HOME=str(tmp_path / "hf-home"),  # an empty cache: nothing to fall back on
        HTTPS_PROXY="http://127.0.0.1:9",  # a bogus proxy: any fetch would fail
        HTTP_PROXY="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        http_proxy="http://127.0.0.1:9",
        NO_PROXY="",
    )
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_PROBE],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["128", "2", "1.0", "[]"]
    # Nothing was written to (let alone downloaded into) the hub cache.
    assert not (tmp_path / "hf-home").exists()


def test_package_is_pure() -> None:
    for path in (REPO / "headway" / "text").rglob("*.py"):
        source = path.read_text()
        assert "import django" not in source and "from django" not in source, path
